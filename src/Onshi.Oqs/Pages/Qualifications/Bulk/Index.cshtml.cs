using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Qualifications.Bulk;

/// <summary>
/// 一括照会 on the screens (issue 16): the upload form (a CSV or the <c>OQSmuquc01req</c> XML, and 確認日) and the institution's
/// 一括照会 newest first with their state — of every way they came (screen, Web API, 連携アプリ). A file the reader refuses
/// (<see cref="BulkInquiryFile"/>) is answered on the form and nothing is accepted; an accepted one goes to its detail page.
/// The list refreshes itself while one runs (site.js, <c>data-refresh</c>) and has a 「最新の状態に更新」 link without JavaScript.
/// The page's Kestrel limit is raised for its multipart post only (<see cref="UploadSizeLimitAttribute"/>): a file a little
/// over <see cref="BulkInquiryFile.MaxFileBytes"/> gets its Japanese message, a far larger body the site's 413 page.
/// </summary>
[UploadSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class IndexModel(BulkInquiryService bulk, IOptions<BulkInquiryOptions> options, TimeProvider time) : PageModel
{
    /// <summary>The whole form: the file's limit and room to say that a somewhat bigger one is too big.</summary>
    public const long MaxRequestBytes = BulkInquiryFile.MaxFileBytes + (2 * 1024 * 1024);

    [BindProperty]
    public BulkUploadForm Input { get; set; } = new();

    public Paged<BulkInquiryRow>? List { get; private set; }

    public int MaxPatients => options.Value.MaxPatients;

    public static long MaxBytes => BulkInquiryFile.MaxFileBytes;

    public string Today => Jst.IsoDate(Jst.Today(time));

    /// <summary>How many of the listed inquiries are still 受付 or 処理中.</summary>
    public int Running => List?.Rows.Count(r => BulkDisplay.InProgress(r.Status)) ?? 0;

    public async Task OnGetAsync(string? p) => await LoadAsync(p);

    public async Task<IActionResult> OnPostAsync()
    {
        ModelState.Clear();
        var actor = HttpContext.Actor();
        var file = Input.File;
        byte[]? content = null;
        if (file is not null && file.Length <= BulkInquiryFile.MaxFileBytes)
        {
            await using var stream = file.OpenReadStream();
            using var buffer = new MemoryStream((int)file.Length);
            await stream.CopyToAsync(buffer, HttpContext.RequestAborted);
            content = buffer.ToArray();
        }
        else if (file is not null)
        {
            ModelState.AddOnshiErrors([BulkInquiryFile.TooLarge(BulkInquiryFile.MaxFileBytes)]);
            await LoadAsync(null);
            return Page();
        }

        var read = BulkInquiryFile.Read(file?.FileName, content, actor.Principal.InstitutionCode, options.Value.MaxPatients);
        if (!read.Succeeded)
        {
            ModelState.AddOnshiErrors(read.Errors);
            await LoadAsync(null);
            return Page();
        }

        // 確認日: the form's when given, else the XML header's, else today (the service's default).
        var upload = read.Value!;
        var date = string.IsNullOrWhiteSpace(Input.QualificationConfirmationDate) ? upload.Header.ConfirmationDate : TextInput.NormalizeCode(Input.QualificationConfirmationDate);
        var submitted = await bulk.SubmitAsync(actor, LookupChannel.Bulk, upload.Header with { ConfirmationDate = date }, upload.Patients,
            Onshi.Core.Features.MemberImports.MemberImportService.CleanFileName(file!.FileName), HttpContext.RequestAborted);
        if (!submitted.Succeeded)
        {
            ModelState.AddOnshiErrors(submitted.Errors);
            await LoadAsync(null);
            return Page();
        }

        return Redirect("/Qualifications/Bulk/Detail/" + submitted.Value!.ReceptionNumber);
    }

    private async Task LoadAsync(string? p)
    {
        var page = int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        List = await bulk.ListAsync(HttpContext.Actor(), page, cancellationToken: HttpContext.RequestAborted);
    }
}

/// <summary>The upload form as posted.</summary>
public sealed class BulkUploadForm
{
    public IFormFile? File { get; set; }

    /// <summary>確認日 (empty: the file's, else today).</summary>
    public string? QualificationConfirmationDate { get; set; }
}
