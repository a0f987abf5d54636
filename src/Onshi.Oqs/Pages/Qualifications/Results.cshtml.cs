using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Common;
using Onshi.Core.Features.Qualifications;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Qualifications;

/// <summary>
/// 資格確認結果一覧 (SPEC §11.2): the institution's lookups filtered by 期間, アカウント, 端末 and 資格有効性, 50 a page, newest
/// first; 「XML出力」 sends them as <c>OQSsiquc01res</c> files in a zip, 「CSV出力」 as a CSV that Excel opens.
/// </summary>
public sealed class ResultsModel(QualificationResultQuery results) : PageModel
{
    public ResultFilterInput Input { get; private set; } = new(null, null, null, null, null);

    public Paged<QualificationResultRow>? Result { get; private set; }

    public IReadOnlyList<(long Id, string UserId)> Accounts { get; private set; } = [];

    public IReadOnlyList<(string Serial, string Name)> Terminals { get; private set; } = [];

    public async Task OnGetAsync(string? from, string? to, string? account, string? terminal, string? validity, string? p)
    {
        await LoadChoicesAsync();
        Input = new ResultFilterInput(from, to, account, terminal, validity);
        var filter = Parse();
        if (filter is null)
        {
            return;
        }

        var page = int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var found = await results.SearchAsync(HttpContext.Actor(), filter, page, HttpContext.RequestAborted);
        if (!found.Succeeded)
        {
            ModelState.AddOnshiErrors(found.Errors);
            return;
        }

        Result = found.Value;
    }

    public Task<IActionResult> OnGetXmlAsync(string? from, string? to, string? account, string? terminal, string? validity) =>
        ExportAsync("xml", new ResultFilterInput(from, to, account, terminal, validity));

    public Task<IActionResult> OnGetCsvAsync(string? from, string? to, string? account, string? terminal, string? validity) =>
        ExportAsync("csv", new ResultFilterInput(from, to, account, terminal, validity));

    /// <summary>The filter as a query string (empty values left out), with a page number when given.</summary>
    public string Query(int? page = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["from"] = Input.From,
            ["to"] = Input.To,
            ["account"] = Input.Account,
            ["terminal"] = Input.Terminal,
            ["validity"] = Input.Validity,
            ["p"] = page?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var kept = values.Where(kv => !string.IsNullOrEmpty(kv.Value)).ToList();
        return kept.Count == 0 ? "" : QueryString.Create(kept).ToUriComponent();
    }

    public string AccountOf(long id) => Accounts.FirstOrDefault(a => a.Id == id).UserId ?? "";

    public string TerminalName(string? serial) =>
        serial is null ? "" : Terminals.FirstOrDefault(t => t.Serial == serial).Name is { Length: > 0 } name ? name : serial;

    private async Task<IActionResult> ExportAsync(string format, ResultFilterInput input)
    {
        await LoadChoicesAsync();
        Input = input;
        var filter = Parse();
        if (filter is null)
        {
            return Page();
        }

        var export = await results.ExportAsync(HttpContext.Actor(), filter, format, HttpContext.RequestAborted);
        if (!export.Succeeded)
        {
            ModelState.AddOnshiErrors(export.Errors);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var e = export.Value!;
        Response.Headers.ContentDisposition = AuditCsvResult.ContentDisposition(e.FileName, e.AsciiFileName);
        return File(e.Content, e.ContentType);
    }

    private async Task LoadChoicesAsync()
    {
        (Accounts, Terminals) = await results.ChoicesAsync(HttpContext.Actor(), HttpContext.RequestAborted);
    }

    private ResultFilter? Parse()
    {
        var parsed = QualificationResultQuery.Parse(Input);
        if (!parsed.Succeeded)
        {
            ModelState.AddOnshiErrors(parsed.Errors);
            return null;
        }

        return parsed.Value;
    }
}
