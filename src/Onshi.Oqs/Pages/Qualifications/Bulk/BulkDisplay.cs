using System.Globalization;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications.Bulk;

namespace Onshi.Oqs.Pages.Qualifications.Bulk;

/// <summary>How the 一括照会 pages word an inquiry (shared by the list and the detail).</summary>
public static class BulkDisplay
{
    /// <summary>受付 or 処理中: the page refreshes itself.</summary>
    public static bool InProgress(BulkInquiryStatus status) => status is BulkInquiryStatus.Accepted or BulkInquiryStatus.Processing;

    public static string StatusClass(BulkInquiryStatus status) => status switch
    {
        BulkInquiryStatus.Completed => "status--approved",
        BulkInquiryStatus.Failed => "status--sentback",
        BulkInquiryStatus.Purged => "status--disabled",
        _ => "status--pending",
    };

    /// <summary>How it came: the file's name on the screens, else the channel.</summary>
    public static string Source(BulkInquiryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Channel switch
        {
            LookupChannel.WebApi => "（Web API）",
            LookupChannel.LinkApp => "（連携アプリ）",
            _ => string.IsNullOrEmpty(row.FileName) ? Jst.None : row.FileName,
        };
    }

    public static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>正常 / エラー件数 once complete.</summary>
    public static string Outcome(BulkInquiryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Status == BulkInquiryStatus.Completed ? $"正常 {Count(row.NormalCount)}人・エラー {Count(row.ErrorCount)}人" : Jst.None;
    }

    /// <summary>The 保存期限 of a completed inquiry's results.</summary>
    public static string Expires(BulkInquiryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.ExpiresAt is { } e && row.Status == BulkInquiryStatus.Completed ? Jst.Minutes(e) : Jst.None;
    }

    /// <summary>The share answered, 0–100, while it runs.</summary>
    public static int Percent(BulkInquiryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Total == 0 ? 0 : (int)Math.Min(100, row.Processed * 100L / row.Total);
    }

    public static string Progress(BulkInquiryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Status == BulkInquiryStatus.Accepted
            ? $"処理の順番を待っています（対象者 {Count(row.Total)}人）。"
            : $"{Count(row.Processed)}人 / {Count(row.Total)}人 を照会しました。";
    }
}
