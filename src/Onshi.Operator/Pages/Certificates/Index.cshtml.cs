using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Certificates;

/// <summary>端末証明書: every institution's terminal certificates, filtered by 医療機関等コード.</summary>
public sealed class CertificatesIndexModel(OperatorCertificateService certificates, TimeProvider time) : PageModel
{
    public string? Code { get; private set; }

    public IReadOnlyList<OperatorCertificateRow> Rows { get; private set; } = [];

    public DateTime Now { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task OnGetAsync([CodeInput] string? code)
    {
        Code = code;
        Now = time.GetUtcNow().UtcDateTime;
        var result = await certificates.ListAsync(HttpContext.OperatorActor(), code, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            // Under "Input.": the query parameters (from, code, actor…) already own the bare keys, case-insensitively.
            ModelState.AddOnshiErrors(result.Errors);

            return;
        }

        Rows = result.Value!;
    }
}
