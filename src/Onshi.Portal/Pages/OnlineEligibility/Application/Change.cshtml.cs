using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>変更申請: one of the user's institutions; a new 医療機関等名 and/or a new 秘密の番号 with its 確認, in 入力 → 確認 → 完了.</summary>
public sealed class ChangeModel(UsageApplicationService applications, ConfirmDrafts drafts, PortalSubmissions submissions)
    : ConfirmPageModel<ChangeApplicationForm>(drafts, submissions)
{
    public IReadOnlyList<PortalInstitution> Institutions { get; private set; } = [];

    protected override PortalSubmissionKind Kind => PortalSubmissionKind.Usage;

    public override bool HasSecretNumber => true;

    protected override string Purpose => "usage.change";

    public async Task OnGetAsync(long? institution)
    {
        await LoadAsync();
        Input.InstitutionId = institution ?? (Institutions.Count > 0 ? Institutions[0].Id : null);
    }

    protected override async Task LoadAsync() => Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);

    protected override async Task<OpResult> CheckAsync(ChangeApplicationForm form) =>
        form.InstitutionId is { } id
            ? await applications.CheckChangeAsync(UserId, id, ToInput(form), Aborted)
            : OpResult.Fail(new OnshiError("InstitutionRequired", "変更する医療機関等を選択してください。", "InstitutionId"));

    protected override Task<OpResult<long>> SubmitAsync(ChangeApplicationForm form, string nonce) =>
        applications.SubmitChangeAsync(UserId, form.InstitutionId ?? 0, ToInput(form), nonce, Aborted);

    protected override IReadOnlyList<ConfirmRow> Describe(ChangeApplicationForm form)
    {
        var institution = Institutions.FirstOrDefault(i => i.Id == form.InstitutionId);
        return
        [
            new("医療機関等", institution is null ? "" : institution.Code + " " + institution.Name),
            new("新しい医療機関等名", string.IsNullOrWhiteSpace(form.NewInstitutionName) ? "（変更しない）" : form.NewInstitutionName),
            new("新しい秘密の番号", string.IsNullOrEmpty(form.NewSecretNumber) ? "（変更しない）" : Masked(form.NewSecretNumber)),
        ];
    }

    protected override bool ClearSecrets(ChangeApplicationForm form)
    {
        var had = !string.IsNullOrEmpty(form.NewSecretNumber);
        form.NewSecretNumber = null;
        form.NewSecretNumberConfirm = null;
        return had;
    }

    protected override string DonePath(long applicationId) => "/OnlineEligibility/Application/Done?id=" + applicationId;

    private static ChangeApplicationInput ToInput(ChangeApplicationForm form) => new()
    {
        NewInstitutionName = form.NewInstitutionName,
        NewSecretNumber = form.NewSecretNumber,
        NewSecretNumberConfirm = form.NewSecretNumberConfirm,
    };
}

/// <summary>The 変更申請 form as posted. The 秘密の番号 is never written back into the page.</summary>
public sealed class ChangeApplicationForm
{
    public long? InstitutionId { get; set; }

    public string? NewInstitutionName { get; set; }

    [CodeInput]

    public string? NewSecretNumber { get; set; }

    [CodeInput]

    public string? NewSecretNumberConfirm { get; set; }

    /// <summary>Redacts the secret number.</summary>
    public override string ToString() => $"{nameof(ChangeApplicationForm)} {{ InstitutionId = {InstitutionId} }}";
}
