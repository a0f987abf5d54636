using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>変更申請: one of the user's institutions; a new 医療機関等名 and/or a new 秘密の番号 with its 確認.</summary>
public sealed class ChangeModel(UsageApplicationService applications) : PortalPageModel
{
    [BindProperty]
    public ChangeApplicationForm Input { get; set; } = new();

    public IReadOnlyList<PortalInstitution> Institutions { get; private set; } = [];

    public async Task OnGetAsync(long? institution)
    {
        Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);
        Input.InstitutionId = institution ?? (Institutions.Count > 0 ? Institutions[0].Id : null);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);
        if (Input.InstitutionId is not { } institutionId)
        {
            ModelState.Clear();
            ModelState.AddModelError("Input.InstitutionId", "変更する医療機関等を選択してください。");
            return Page();
        }

        var result = await applications.SubmitChangeAsync(UserId, institutionId, new ChangeApplicationInput
        {
            NewInstitutionName = Input.NewInstitutionName,
            NewSecretNumber = Input.NewSecretNumber,
            NewSecretNumberConfirm = Input.NewSecretNumberConfirm,
        }, Aborted);
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        Notice = "変更申請を受け付けました。審査結果はこの画面の申請一覧でご確認ください。";
        return Redirect("/OnlineEligibility/Application");
    }
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
