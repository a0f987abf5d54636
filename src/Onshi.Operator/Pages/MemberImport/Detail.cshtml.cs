using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.MemberImports;
using Onshi.Operator.Hosting;

namespace Onshi.Operator.Pages.MemberImport;

/// <summary>One import: its state and progress (refreshing itself while in progress), its counts, and its error report.</summary>
public sealed class MemberImportDetailModel(MemberImportService imports) : PageModel
{
    public MemberImportRow? Import { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Import = await imports.FindAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        return Import is null ? NotFound() : Page();
    }

    /// <summary>The error report (CSV, UTF-8 with BOM); audited.</summary>
    public async Task<IActionResult> OnGetReportAsync(long id)
    {
        var report = await imports.ReportAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        return report is null ? NotFound() : File(report, "text/csv; charset=utf-8", MemberImportReport.FileName(id));
    }
}

/// <summary>How the import pages word an import.</summary>
public static class ImportDisplay
{
    public static string StatusClass(MemberImportStatus status) => status switch
    {
        MemberImportStatus.Completed => "status--approved",
        MemberImportStatus.Refused or MemberImportStatus.Failed => "status--sentback",
        _ => "status--pending",
    };

    public static string Count(int? rows) => rows is { } n ? $"{n:N0}" : Onshi.Core.Common.Jst.None;

    public static string Outcome(MemberImportRow r) => r.Status switch
    {
        MemberImportStatus.Completed => $"追加 {r.InsertedRows:N0}件、置換 {r.UpdatedRows:N0}件",
        MemberImportStatus.Refused => $"誤り {r.ErrorCount:N0}件（取り込んでいません）",
        MemberImportStatus.Failed => "処理を完了できませんでした（取り込んでいません）",
        _ => "",
    };

    public static string Progress(MemberImportRow r) => r.Status switch
    {
        MemberImportStatus.Accepted => "処理の順番を待っています。",
        MemberImportStatus.Validating => $"{r.ValidatedRows:N0}行を検証しました（全{r.TotalRows:N0}行程度）。",
        MemberImportStatus.Applying => $"{r.TotalRows:N0}行を1つのトランザクションで反映しています。",
        _ => "",
    };
}
