namespace Onshi.Core.Features.MemberImports;

/// <summary>Where an uploaded member file stands (the 状態 of 加入者データ取込).</summary>
public enum MemberImportStatus
{
    /// <summary>受付: stored, waiting for the worker.</summary>
    Accepted = 1,

    /// <summary>検証中: the rows are being checked (progress in <c>ValidatedRows</c>).</summary>
    Validating = 2,

    /// <summary>適用中: every row was right; the file is being written in one transaction.</summary>
    Applying = 3,

    /// <summary>完了: every row of the file is in the 中間サーバー's data.</summary>
    Completed = 4,

    /// <summary>エラー: rows were wrong; nothing of the file was applied (the error report says what).</summary>
    Refused = 5,

    /// <summary>エラー: the processing itself failed repeatedly; nothing of the file was applied.</summary>
    Failed = 6,
}

/// <summary>How a member file is decoded.</summary>
public enum MemberImportEncoding
{
    /// <summary>自動判別: a UTF-8 BOM, else valid UTF-8, else Shift_JIS (CP932).</summary>
    Auto = 0,

    Utf8 = 1,

    /// <summary>Shift_JIS as Windows writes it (CP932, with NEC and IBM extensions: ①, ㈱, 髙, 﨑).</summary>
    ShiftJis = 2,
}

/// <summary>The words of the import screens.</summary>
public static class MemberImportLabels
{
    public static string Status(MemberImportStatus status) => status switch
    {
        MemberImportStatus.Accepted => "受付",
        MemberImportStatus.Validating => "検証中",
        MemberImportStatus.Applying => "適用中",
        MemberImportStatus.Completed => "完了",
        _ => "エラー",
    };

    public static string Encoding(MemberImportEncoding encoding) => encoding switch
    {
        MemberImportEncoding.Utf8 => "UTF-8",
        MemberImportEncoding.ShiftJis => "Shift_JIS",
        _ => "自動判別",
    };

    /// <summary>Whether the worker is still on it (the page refreshes itself).</summary>
    public static bool InProgress(MemberImportStatus status) => status is MemberImportStatus.Accepted or MemberImportStatus.Validating or MemberImportStatus.Applying;
}

/// <summary>Audit action codes of 加入者データ取込 (target: the import's number, e.g. <c>import-12</c>).</summary>
public static class MemberImportAuditActions
{
    /// <summary>A file was accepted (detail <c>bytes=N</c>).</summary>
    public const string Accept = "member.import.accept";

    /// <summary>A file was applied (detail <c>rows=N,inserted=N,updated=N</c>).</summary>
    public const string Complete = "member.import.complete";

    /// <summary>A file was refused for wrong rows (detail <c>rows=N,errors=N</c>) or given up (detail <c>failed</c>).</summary>
    public const string Refuse = "member.import.refuse";

    /// <summary>The error report was downloaded.</summary>
    public const string ReportDownload = "member.import.report";

    /// <summary>The detail of <see cref="Refuse"/> for a file whose processing was given up.</summary>
    public const string FailedDetail = "failed";

    /// <summary>The audit target of an import.</summary>
    public static string Target(long importId) => "import-" + importId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
