using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;

namespace Onshi.Operator.Pages;

/// <summary>The dashboard: links by role.</summary>
public sealed class IndexModel : PageModel
{
    public OperatorPrincipal Principal => HttpContext.Operator();
}
