namespace Onshi.Core.Data;

/// <summary>Where a 一括照会 stands (受付 → 処理中 → 完了 / エラー; then its results are purged after the kept period).</summary>
public enum BulkInquiryStatus
{
    /// <summary>受付: accepted, waiting for a worker.</summary>
    Accepted = 1,

    /// <summary>処理中.</summary>
    Processing = 2,

    /// <summary>完了: every patient answered (each answer may itself be an error of that patient's input).</summary>
    Completed = 3,

    /// <summary>エラー: the job was given up; nothing of it is answered.</summary>
    Failed = 4,

    /// <summary>削除済み: the kept period passed and the results were purged (the 資格確認結果 of each patient stay).</summary>
    Purged = 5,
}

/// <summary>
/// A 一括照会 (SPEC §11.3, two phases): accepted at once with its <see cref="ReceptionNumber"/>, processed by a job on the shared
/// job table (<see cref="JobId"/>), its answers kept per patient (<see cref="BulkInquiryItem"/>) until <see cref="ExpiresAt"/>.
/// Always of one institution and environment: every read names both.
/// </summary>
public sealed class BulkInquiry
{
    public long Id { get; set; }

    /// <summary>受付番号 (<c>ReceptionNumber</c>): 16 digits, unique.</summary>
    public required string ReceptionNumber { get; set; }

    public long InstitutionId { get; set; }

    public OqsEnvironment Environment { get; set; }

    /// <summary>The account that sent it (a person on the screens, a machine account through the API or the 連携アプリ).</summary>
    public long AccountId { get; set; }

    public string? TerminalSerial { get; set; }

    /// <summary>The way it came (screen, Web API, 連携アプリ).</summary>
    public LookupChannel Channel { get; set; }

    /// <summary>The job that processes it.</summary>
    public long JobId { get; set; }

    public BulkInquiryStatus Status { get; set; } = BulkInquiryStatus.Accepted;

    /// <summary>確認日 of every patient of the request (the header's <c>QualificationConfirmationDate</c>).</summary>
    public DateOnly ConfirmationDate { get; set; }

    /// <summary>The client's <c>ArbitraryFileIdentifier</c>, echoed in the answers.</summary>
    public string? ArbitraryFileIdentifier { get; set; }

    /// <summary>The upload's file name on the screens (its last segment), null through the API.</summary>
    public string? FileName { get; set; }

    /// <summary>Patients in the request.</summary>
    public int Total { get; set; }

    /// <summary>Patients answered so far (the items written; the job resumes after them).</summary>
    public int Processed { get; set; }

    /// <summary>Answered with <c>ProcessingResultStatus</c> 1.</summary>
    public int NormalCount { get; set; }

    /// <summary>Answered with <c>ProcessingResultStatus</c> 2 (the patient's input was wrong).</summary>
    public int ErrorCount { get; set; }

    /// <summary>The patients' inputs (<c>QualificationConfirmSearchInfo</c> array, wire JSON) until processed; then null.</summary>
    public string? RequestJson { get; set; }

    public DateTime SubmittedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    /// <summary>The results are purged after this instant (completion + the kept period).</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime? PurgedAt { get; set; }
}

/// <summary>One patient's answer of a <see cref="BulkInquiry"/>: the kept 資格確認結果, or the refusal of the patient's input.</summary>
public sealed class BulkInquiryItem
{
    public long Id { get; set; }

    public long BulkInquiryId { get; set; }

    /// <summary>The patient's place in the request, from 0; unique per inquiry, so a re-run never answers a patient twice.</summary>
    public int Position { get; set; }

    /// <summary>The 資格確認結果 of an answered patient (its answer is kept there).</summary>
    public long? QualificationResultId { get; set; }

    /// <summary>For a refused input: <c>ProcessingResultCode</c>.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>For a refused input: <c>ProcessingResultMessage</c> (Japanese; never a value of the input).</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>For a refused input: the input as sent (wire JSON), to echo it.</summary>
    public string? SearchJson { get; set; }
}
