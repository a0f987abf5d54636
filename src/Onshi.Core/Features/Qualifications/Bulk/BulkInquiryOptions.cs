namespace Onshi.Core.Features.Qualifications.Bulk;

/// <summary>一括照会 (<c>Onshi:BulkInquiry</c>).</summary>
public sealed class BulkInquiryOptions
{
    public const string SectionName = "Onshi:BulkInquiry";

    /// <summary>The most patients one request may carry. Defaults to 10,000 (the real system's order of a day's reservations).</summary>
    public int MaxPatients { get; set; } = 10_000;

    /// <summary>How long a completed 一括照会's results can be fetched; then they are purged (audited). Defaults to 7 days.</summary>
    public TimeSpan KeptFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Patients answered per transaction (each batch is committed with its progress; a re-run resumes after it). Defaults to 500.</summary>
    public int BatchSize { get; set; } = 500;
}
