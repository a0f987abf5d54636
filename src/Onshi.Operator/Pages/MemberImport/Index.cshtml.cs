using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.MemberImports;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.MemberImport;

/// <summary>
/// 加入者データ取込: the upload form (file, 文字コード) and the newest imports with their state; the list refreshes itself while
/// a file is in progress (site.js, <c>data-refresh</c>), and has a refresh link without JavaScript.
/// </summary>
[MemberImportRequestLimits]
public sealed class MemberImportIndexModel(MemberImportService imports, IOptions<MemberImportOptions> options) : PageModel
{
    [BindProperty]
    public MemberImportForm Input { get; set; } = new();

    public IReadOnlyList<MemberImportRow> Rows { get; private set; } = [];

    public long MaxBytes => options.Value.MaxFileBytes;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync()
    {
        ModelState.Clear();
        var file = Input.File;
        await using var stream = file?.OpenReadStream();
        var result = await imports.UploadAsync(HttpContext.OperatorActor(),
            new MemberUpload(file?.FileName, file?.Length ?? 0, stream, ParseEncoding(Input.Encoding)), HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            return Redirect($"/MemberImport/Detail/{result.Value}");
        }

        ModelState.AddOnshiErrors(result.Errors);
        return await LoadAsync() ? Page() : Forbid();
    }

    /// <summary>The form's value of 文字コード; anything else is refused by the service.</summary>
    public static MemberImportEncoding ParseEncoding(string? value) => value switch
    {
        null or "" or "auto" => MemberImportEncoding.Auto,
        "utf-8" => MemberImportEncoding.Utf8,
        "shift_jis" => MemberImportEncoding.ShiftJis,
        _ => (MemberImportEncoding)(-1),
    };

    private async Task<bool> LoadAsync()
    {
        var rows = await imports.ListAsync(HttpContext.OperatorActor(), HttpContext.RequestAborted);
        Rows = rows ?? [];
        return rows is not null;
    }
}

/// <summary>The upload form as posted.</summary>
public sealed class MemberImportForm
{
    public IFormFile? File { get; set; }

    /// <summary><c>auto</c>, <c>utf-8</c> or <c>shift_jis</c>.</summary>
    public string? Encoding { get; set; }
}
