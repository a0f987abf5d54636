using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Audit;

namespace Onshi.Web.Hosting;

/// <summary>
/// Streams an <see cref="AuditExport"/> as <c>text/csv</c>: the rows are read from the database while the response is
/// written (no buffering), under a <c>Content-Disposition</c> with an ASCII <c>filename</c> and the Japanese
/// <c>filename*</c> of RFC 5987.
/// </summary>
public sealed class AuditCsvResult(AuditExport export) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = ContentDisposition(export.FileName, export.AsciiFileName);
        response.Headers["X-Onshi-Rows"] = export.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await AuditCsv.WriteAsync(response.Body, export.Rows, context.HttpContext.RequestAborted);
    }

    /// <summary><c>attachment; filename="audit_….csv"; filename*=UTF-8''%E6%93%8D…</c>.</summary>
    public static string ContentDisposition(string fileName, string asciiFileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(asciiFileName);
        var ascii = new string([.. asciiFileName.Where(c => c is >= ' ' and < (char)0x7F and not '"' and not '\\')]);
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(fileName))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}";
    }
}
