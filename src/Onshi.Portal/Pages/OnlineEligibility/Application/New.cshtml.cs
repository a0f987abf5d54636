using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>新規申請: the institution, its environments, the contact and the 4-digit 秘密の番号 (hashed by the service at once).</summary>
public sealed class NewModel(UsageApplicationService applications) : PortalPageModel
{
    [BindProperty]
    public NewApplicationForm Input { get; set; } = new();

    public async Task<IActionResult> OnPostAsync()
    {
        var environments = (Input.Production ? EnvironmentSet.Production : EnvironmentSet.None)
            | (Input.Verification ? EnvironmentSet.Verification : EnvironmentSet.None);
        var result = await applications.SubmitNewAsync(UserId, new NewApplicationInput
        {
            InstitutionCode = Input.InstitutionCode,
            InstitutionName = Input.InstitutionName,
            Address = Input.Address,
            Phone = Input.Phone,
            Environments = environments,
            ContactName = Input.ContactName,
            ContactPhone = Input.ContactPhone,
            SecretNumber = Input.SecretNumber,
            SecretNumberConfirm = Input.SecretNumberConfirm,
        }, Aborted);
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        Notice = "新規申請を受け付けました。審査結果はこの画面の申請一覧でご確認ください。";
        return Redirect("/OnlineEligibility/Application");
    }
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
