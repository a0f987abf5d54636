using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>新規申請: the institution, its environments, the contact and the 4-digit 秘密の番号 (hashed by the service at once), in 入力 → 確認 → 完了.</summary>
public sealed class NewModel(UsageApplicationService applications, ConfirmDrafts drafts, PortalSubmissions submissions)
    : ConfirmPageModel<NewApplicationForm>(drafts, submissions)
{
    protected override PortalSubmissionKind Kind => PortalSubmissionKind.Usage;

    public override bool HasSecretNumber => true;

    protected override string Purpose => "usage.new";

    protected override async Task<OpResult> CheckAsync(NewApplicationForm form) =>
        await applications.CheckNewAsync(UserId, ToInput(form), Aborted);

    protected override Task<OpResult<long>> SubmitAsync(NewApplicationForm form, string nonce) =>
        applications.SubmitNewAsync(UserId, ToInput(form), nonce, Aborted);

    protected override IReadOnlyList<ConfirmRow> Describe(NewApplicationForm form) =>
    [
        new("医療機関等コード", form.InstitutionCode ?? ""),
        new("医療機関等名", form.InstitutionName ?? ""),
        new("所在地", form.Address ?? ""),
        new("電話番号", form.Phone ?? ""),
        new("利用環境", ApplicationLabels.Environments(Environments(form))),
        new("担当者名", form.ContactName ?? ""),
        new("担当者電話番号", form.ContactPhone ?? ""),
        new("秘密の番号", Masked(form.SecretNumber)),
    ];

    protected override bool ClearSecrets(NewApplicationForm form)
    {
        form.SecretNumber = null;
        form.SecretNumberConfirm = null;
        return true;
    }

    protected override string DonePath(long applicationId) => "/OnlineEligibility/Application/Done?id=" + applicationId;

    private static EnvironmentSet Environments(NewApplicationForm form) =>
        (form.Production ? EnvironmentSet.Production : EnvironmentSet.None)
        | (form.Verification ? EnvironmentSet.Verification : EnvironmentSet.None);

    private static NewApplicationInput ToInput(NewApplicationForm form) => new()
    {
        InstitutionCode = form.InstitutionCode,
        InstitutionName = form.InstitutionName,
        Address = form.Address,
        Phone = form.Phone,
        Environments = Environments(form),
        ContactName = form.ContactName,
        ContactPhone = form.ContactPhone,
        SecretNumber = form.SecretNumber,
        SecretNumberConfirm = form.SecretNumberConfirm,
    };
}

/// <summary>The 新規申請 form as posted. The 秘密の番号 is never written back into the page.</summary>
public sealed class NewApplicationForm
{
    [CodeInput]
    public string? InstitutionCode { get; set; }

    public string? InstitutionName { get; set; }

    public string? Address { get; set; }

    [CodeInput]

    public string? Phone { get; set; }

    public bool Production { get; set; }

    public bool Verification { get; set; }

    public string? ContactName { get; set; }

    [CodeInput]

    public string? ContactPhone { get; set; }

    [CodeInput]

    public string? SecretNumber { get; set; }

    [CodeInput]

    public string? SecretNumberConfirm { get; set; }

    /// <summary>Redacts the secret number.</summary>
    public override string ToString() => $"{nameof(NewApplicationForm)} {{ InstitutionCode = {InstitutionCode} }}";
}
