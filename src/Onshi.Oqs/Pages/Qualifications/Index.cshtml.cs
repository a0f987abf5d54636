using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Qualifications;

/// <summary>
/// 資格情報照会 (SPEC §11.2): one form a receptionist fills from the card and sends with Enter; the answer is kept as a
/// 資格確認結果 and shown at <c>?r=照会番号</c> (so a reload shows it again instead of looking up twice), with the form
/// empty and the focus back on 保険者番号 for the next patient — or, after 複数該当 and input errors, the form as typed with
/// the focus where it needs attention.
/// </summary>
public sealed class IndexModel(QualificationLookupService lookups, QualificationResultQuery results, TimeProvider time) : PageModel
{
    [BindProperty]
    public LookupForm Input { get; set; } = new();

    public QualificationDisplay? Answer { get; private set; }

    public string Today => Jst.IsoDate(Jst.Today(time));

    /// <summary>The control the page focuses on load.</summary>
    public string FocusId { get; private set; } = "InsurerNumber";

    public async Task<IActionResult> OnGetAsync(string? r)
    {
        if (r is null)
        {
            return Page();
        }

        var found = await results.GetAsync(HttpContext.Actor(), r, HttpContext.RequestAborted);
        if (!found.Succeeded)
        {
            ModelState.AddOnshiErrors(found.Errors);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Answer = new QualificationDisplay(found.Value!);
        if (Answer.Validity == QualificationValidity.Multiple)
        {
            // 複数該当: the same keys again, and the 枝番 to fill.
            var row = found.Value!.Row;
            Input = new LookupForm
            {
                InsurerNumber = row.InsurerNumber,
                InsuredCardSymbol = row.Symbol,
                InsuredIdentificationNumber = row.Number,
                Birthdate = row.Birthdate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                QualificationConfirmationDate = row.ConfirmationDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                LimitConsent = row.LimitConsent,
            };
            FocusId = "InsuredBranchNumber";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await lookups.LookupAsync(HttpContext.Actor(), new LookupInput(Input.InsurerNumber, Input.InsuredCardSymbol,
            Input.InsuredIdentificationNumber, Input.InsuredBranchNumber, Input.Birthdate, Input.QualificationConfirmationDate, Input.LimitConsent),
            LookupChannel.Screen, HttpContext.RequestAborted);
        if (!outcome.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(outcome.Errors);
            FocusId = outcome.Errors.FirstOrDefault(e => e.Field is not null)?.Field ?? "InsurerNumber";
            return Page();
        }

        return Redirect("/Qualifications?r=" + outcome.Value!.ReferenceNumber);
    }
}

/// <summary>The lookup form, named as the wire names the fields (so errors land on their controls).</summary>
public sealed class LookupForm
{
    public string? InsurerNumber { get; set; }

    public string? InsuredCardSymbol { get; set; }

    public string? InsuredIdentificationNumber { get; set; }

    public string? InsuredBranchNumber { get; set; }

    public string? Birthdate { get; set; }

    public string? QualificationConfirmationDate { get; set; }

    public bool LimitConsent { get; set; }
}
