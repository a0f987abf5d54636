using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Common;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Subsidy;

/// <summary>
/// 補助金申請: the institution, 事業費, 申請額, 事業内容 and the 領収書 (PDF/JPEG/PNG up to 5 MB, checked by the service), and
/// the user's applications with their state. The portal's Kestrel limit is 1 MB a request; this page alone allows
/// <see cref="MaxRequestBytes"/>, so a receipt a little over 5 MB reaches the service and gets its Japanese message,
/// while a far larger body is cut off by the limit (the portal's 413 page).
/// </summary>
[RequestSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class IndexModel(UsageApplicationService applications, SubsidyService subsidies) : PortalPageModel
{
    /// <summary>The whole form: a receipt of up to 5 MB with room to say that a bigger one (up to 10 MB) is too big.</summary>
    public const int MaxRequestBytes = 10 * 1024 * 1024;

    [BindProperty]
    public SubsidyForm Input { get; set; } = new();

    public IReadOnlyList<PortalInstitution> Institutions { get; private set; } = [];

    public IReadOnlyList<SubsidyRow> Rows { get; private set; } = [];

    public async Task OnGetAsync()
    {
        await LoadAsync();
        Input.InstitutionId = Institutions.Count > 0 ? Institutions[0].Id : null;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ModelState.Clear();
        if (Input.InstitutionId is not { } institutionId)
        {
            ModelState.AddModelError("Input.InstitutionId", "医療機関等を選択してください。");
            await LoadAsync();
            return Page();
        }

        var formErrors = new List<OnshiError>();
        var total = ParseAmount(formErrors, Input.TotalCost, "TotalCost", "事業費");
        var claimed = ParseAmount(formErrors, Input.ClaimedAmount, "ClaimedAmount", "申請額");
        byte[]? bytes = null;
        if (Input.Receipt is { Length: > 0 } receipt)
        {
            using var buffer = new MemoryStream((int)Math.Min(receipt.Length, MaxRequestBytes));
            await receipt.CopyToAsync(buffer, Aborted);
            bytes = buffer.ToArray();
        }

        var result = await subsidies.SubmitAsync(UserId, institutionId, new SubsidyInput
        {
            TotalCost = total,
            ClaimedAmount = claimed,
            Description = Input.Description,
            ReceiptFileName = Input.Receipt?.FileName,
            ReceiptContentType = Input.Receipt?.ContentType,
            ReceiptBytes = bytes,
        }, Aborted);
        if (formErrors.Count > 0 || !result.Succeeded)
        {
            // A malformed amount went to the service as missing: its 「…を入力してください。」 gives way to the real reason.
            var malformed = formErrors.Select(e => e.Field).ToHashSet();
            ModelState.AddOnshiErrors([.. formErrors, .. result.Errors.Where(e => !malformed.Contains(e.Field))]);
            await LoadAsync();
            return Page();
        }

        Notice = "補助金申請を受け付けました。審査結果は申請一覧でご確認ください。交付が決定すると、交付決定通知書ダウンロードに通知書が届きます。";
        return Redirect("/OnlineEligibility/Subsidy");
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

    private async Task LoadAsync()
    {
        Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);
        Rows = await subsidies.ListAsync(UserId, Aborted);
    }
}

/// <summary>The 補助金申請 form as posted. Amounts are text so that a malformed one gets its own message.</summary>
public sealed class SubsidyForm
{
    public long? InstitutionId { get; set; }

    [CodeInput]

    public string? TotalCost { get; set; }

    [CodeInput]

    public string? ClaimedAmount { get; set; }

    public string? Description { get; set; }

    public IFormFile? Receipt { get; set; }
}
