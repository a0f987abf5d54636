using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Qualifications.Bulk;

/// <summary>
/// One 一括照会 of the institution: its state (受付 → 処理中 → 完了 / エラー, later 削除済み), the progress while it runs — the
/// status region refreshes itself (site.js, <c>data-refresh</c>) and has a 「最新の状態に更新」 link without JavaScript — and, once
/// 完了, the result as the <c>OQSmuquc02res</c> message (XML) and as a CSV for people. Showing the state reads no patient and
/// audits nothing; each download is audited by <see cref="BulkInquiryService.ResultAsync"/>. Another institution's 受付番号 is
/// 「見つかりません」 (404), audited as a denial.
/// </summary>
public sealed class DetailModel(BulkInquiryService bulk, TimeProvider time) : PageModel
{
    public BulkInquiryRow? Inquiry { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? receptionNumber)
    {
        var found = await bulk.StatusAsync(HttpContext.Actor(), receptionNumber, HttpContext.RequestAborted);
        if (!found.Succeeded)
        {
            return NotFoundPage(found.Errors);
        }

        Inquiry = found.Value;
        return Page();
    }

    /// <summary>「結果をXMLでダウンロード」: <c>OQSmuquc02res_受付番号.xml</c>, UTF-8.</summary>
    public Task<IActionResult> OnGetXmlAsync(string? receptionNumber) => DownloadAsync(receptionNumber, xml: true);

    /// <summary>「結果をCSVでダウンロード」: one row per patient, UTF-8 with BOM.</summary>
    public Task<IActionResult> OnGetCsvAsync(string? receptionNumber) => DownloadAsync(receptionNumber, xml: false);

    private async Task<IActionResult> DownloadAsync(string? receptionNumber, bool xml)
    {
        var actor = HttpContext.Actor();
        var result = await bulk.ResultAsync(actor, receptionNumber, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return NotFoundPage(result.Errors);
        }

        var (inquiry, units) = result.Value;
        if (inquiry.Status != BulkInquiryStatus.Completed)
        {
            // Not (or no longer) complete: the detail page says where it stands.
            return Redirect("/Qualifications/Bulk/Detail/" + inquiry.ReceptionNumber);
        }

        if (xml)
        {
            var message = BulkInquiryService.Message(inquiry, units, actor.Principal.InstitutionCode, time.GetUtcNow().UtcDateTime);
            using var buffer = new MemoryStream();
            using (var writer = new StreamWriter(buffer, new System.Text.UTF8Encoding(false), leaveOpen: true))
            {
                WireXml.Serialize(message).Save(writer);
            }

            var name = BulkInquiryFile.ResultXmlName(inquiry.ReceptionNumber);
            Response.Headers.ContentDisposition = AuditCsvResult.ContentDisposition(name, name);
            return File(buffer.ToArray(), "application/xml; charset=utf-8");
        }

        var (csvName, ascii) = BulkInquiryFile.ResultCsvName(inquiry.ReceptionNumber);
        Response.Headers.ContentDisposition = AuditCsvResult.ContentDisposition(csvName, ascii);
        return File(BulkResultCsv.Build(units), "text/csv; charset=utf-8");
    }

    /// <summary>The screen's words for an unknown (or another institution's) 受付番号.</summary>
    public static readonly OnshiError UnknownReception = new(WireErrors.BulkNotFound.Code,
        "指定された受付番号の一括照会は見つかりません。一括照会の履歴から選んでください。");

    private PageResult NotFoundPage(IReadOnlyList<OnshiError> errors)
    {
        ModelState.AddOnshiErrors(errors.Select(e => e.Code == WireErrors.BulkNotFound.Code ? UnknownReception : e));
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
