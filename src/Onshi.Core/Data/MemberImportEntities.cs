using Onshi.Core.Features.MemberImports;

namespace Onshi.Core.Data;

/// <summary>
/// One uploaded member file of 加入者データ取込 (SPEC §11.1, docs/qualification.md): who uploaded it, how it is decoded, where
/// its processing stands and what came of it. The file's bytes are in <see cref="MemberImportFile"/> until it is processed.
/// </summary>
public sealed class MemberImport
{
    public long Id { get; set; }

    /// <summary>The job that processes it (<see cref="BackgroundJob"/>).</summary>
    public long JobId { get; set; }

    public long OperatorAccountId { get; set; }

    /// <summary>The uploading operator's user ID as it was then (the list shows it).</summary>
    public required string OperatorUserId { get; set; }

    /// <summary>The file name as uploaded (its last path segment, control characters removed).</summary>
    public required string FileName { get; set; }

    /// <summary>The file's size in bytes.</summary>
    public long FileSize { get; set; }

    /// <summary>The encoding the operator chose (自動, UTF-8, Shift_JIS).</summary>
    public MemberImportEncoding RequestedEncoding { get; set; }

    /// <summary>The encoding the file is read with (never <see cref="MemberImportEncoding.Auto"/>).</summary>
    public MemberImportEncoding Encoding { get; set; }

    public MemberImportStatus Status { get; set; } = MemberImportStatus.Accepted;

    /// <summary>Member rows in the file (known once validated; the header row not counted).</summary>
    public int TotalRows { get; set; }

    /// <summary>Rows validated so far (the progress of 検証中).</summary>
    public int ValidatedRows { get; set; }

    /// <summary>Rows found wrong (each may have several errors).</summary>
    public int ErrorRows { get; set; }

    /// <summary>Errors found (the report holds at most <see cref="MemberImportOptions.MaxReportedErrors"/>).</summary>
    public int ErrorCount { get; set; }

    /// <summary>Qualifications added by the file.</summary>
    public int InsertedRows { get; set; }

    /// <summary>Qualifications replaced by the file (same 保険者番号, 記号, 番号, 枝番 and 資格取得年月日).</summary>
    public int UpdatedRows { get; set; }

    /// <summary>Insurers registered by the file (rows naming an unknown 保険者番号 with its 保険者名).</summary>
    public int InsurersAdded { get; set; }

    /// <summary>The error report (CSV, UTF-8 with BOM: 行番号, 列, 内容) of a refused file.</summary>
    public byte[]? ErrorReport { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }
}

/// <summary>The bytes of an uploaded member file, kept until the file has been processed (then deleted with the result).</summary>
public sealed class MemberImportFile
{
    /// <summary>The <see cref="MemberImport"/>'s id.</summary>
    public long ImportId { get; set; }

    public required byte[] Content { get; set; }
}
