using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Subsidy;

/// <summary>
/// 補助金申請 in 入力 → 確認 → 完了: the institution, 事業費, 申請額 and 事業内容 on 入力; the 領収書 (PDF/JPEG/PNG up to
/// 5 MB, checked by the service) is chosen on 確認, next to 「申請する」, so that no file waits on the server (or in the
/// page) between the steps. Below the form, the user's applications with their 受付番号 and state. The portal's Kestrel
/// limit is 1 MB a request; this page's multipart 「申請する」 alone allows <see cref="MaxRequestBytes"/>
/// (<see cref="UploadSizeLimitAttribute"/>), so a receipt a little over 5 MB reaches the service and gets its Japanese
/// message, while a far larger body is cut off by the limit (the portal's 413 page).
/// </summary>
[UploadSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class IndexModel(UsageApplicationService applications, SubsidyService subsidies, ConfirmDrafts drafts, PortalSubmissions submissions)
    : ConfirmPageModel<SubsidyForm>(drafts, submissions)
{
    /// <summary>The whole form: a receipt of up to 5 MB with room to say that a bigger one (up to 10 MB) is too big.</summary>
    public const int MaxRequestBytes = 10 * 1024 * 1024;

    /// <summary>The 領収書, posted with 「申請する」 on the 確認 step.</summary>
    [BindProperty]
    public IFormFile? Receipt { get; set; }

    public IReadOnlyList<PortalInstitution> Institutions { get; private set; } = [];

    public IReadOnlyList<SubsidyRow> Rows { get; private set; } = [];

    public override bool HasSecretNumber => false;

    protected override string Purpose => "subsidy";

    protected override PortalSubmissionKind Kind => PortalSubmissionKind.Subsidy;

    public override string? ConfirmFieldsPartial => "_ReceiptField";

    protected override IReadOnlySet<string> ConfirmFields { get; } = new HashSet<string> { "Receipt" };

    public async Task OnGetAsync()
    {
        await LoadAsync();
        Input.InstitutionId = Institutions.Count > 0 ? Institutions[0].Id : null;
    }

    protected override async Task<OpResult> CheckAsync(SubsidyForm form)
    {
        if (form.InstitutionId is not { } institutionId)
        {
            return OpResult.Fail(new OnshiError("InstitutionRequired", "医療機関等を選択してください。", "InstitutionId"));
        }

        var (input, formErrors) = ToInput(form, receipt: null);
        return Merge(formErrors, await subsidies.CheckAsync(UserId, institutionId, input, Aborted));
    }

    protected override async Task<OpResult<long>> SubmitAsync(SubsidyForm form, string nonce)
    {
        byte[]? bytes = null;
        if (Receipt is { Length: > 0 } receipt)
        {
            using var buffer = new MemoryStream((int)Math.Min(receipt.Length, MaxRequestBytes));
            await receipt.CopyToAsync(buffer, Aborted);
            bytes = buffer.ToArray();
        }

        var (input, formErrors) = ToInput(form, bytes);
        var result = await subsidies.SubmitAsync(UserId, form.InstitutionId ?? 0, input, nonce, Aborted);
        return formErrors.Count > 0 ? OpResult<long>.Fail(Merge(formErrors, result).Errors) : result;
    }

    protected override IReadOnlyList<ConfirmRow> Describe(SubsidyForm form)
    {
        var institution = Institutions.FirstOrDefault(i => i.Id == form.InstitutionId);
        return
        [
            new("医療機関等", institution is null ? "" : institution.Code + " " + institution.Name),
            new("事業費", Yen(form.TotalCost)),
            new("申請額", Yen(form.ClaimedAmount)),
            new("事業内容", form.Description?.Trim() ?? ""),
        ];
    }

    protected override bool ClearSecrets(SubsidyForm form) => false;

    protected override string DonePath(long applicationId) => "/OnlineEligibility/Subsidy/Done?id=" + applicationId;

    protected override async Task LoadAsync()
    {
        Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);
        Rows = await subsidies.ListAsync(UserId, Aborted);
    }

    /// <summary>The form as the service takes it, and the amounts' own errors (<see cref="YenInput"/>).</summary>
    private (SubsidyInput Input, List<OnshiError> Errors) ToInput(SubsidyForm form, byte[]? receipt)
    {
        var errors = new List<OnshiError>();
        var input = new SubsidyInput
        {
            TotalCost = ParseAmount(errors, form.TotalCost, "TotalCost", "事業費"),
            ClaimedAmount = ParseAmount(errors, form.ClaimedAmount, "ClaimedAmount", "申請額"),
            Description = form.Description,
            ReceiptFileName = Receipt?.FileName,
            ReceiptContentType = Receipt?.ContentType,
            ReceiptBytes = receipt,
        };
        return (input, errors);
    }

    /// <summary>A malformed amount went to the service as missing: its 「…を入力してください。」 gives way to the real reason.</summary>
    private static OpResult Merge(List<OnshiError> formErrors, OpResult result)
    {
        if (formErrors.Count == 0)
        {
            return result;
        }

        var malformed = formErrors.Select(e => e.Field).ToHashSet();
        return OpResult.Fail([.. formErrors, .. result.Errors.Where(e => !malformed.Contains(e.Field))]);
    }

    /// <summary>Yen as typed (<see cref="YenInput"/>); empty is null (the service asks for it).</summary>
    private static long? ParseAmount(List<OnshiError> errors, string? value, string field, string label)
    {
        var amount = YenInput.Parse(value, field, label, out var error);
        if (error is not null)
        {
            errors.Add(error);
        }

        return amount;
    }

    private static string Yen(string? typed) =>
        YenInput.Parse(typed, "", "", out _) is { } yen ? ApplicationLabels.Yen(yen) : typed ?? "";
}

/// <summary>The 補助金申請 form as posted on 入力. Amounts are text so that a malformed one gets its own message.</summary>
public sealed class SubsidyForm
{
    public long? InstitutionId { get; set; }

    [CodeInput]

    public string? TotalCost { get; set; }

    [CodeInput]

    public string? ClaimedAmount { get; set; }

    public string? Description { get; set; }
}
