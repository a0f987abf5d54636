namespace Onshi.Core.Features.MemberImports;

/// <summary>Limits of 加入者データ取込 (<c>Onshi:MemberImport</c>).</summary>
public sealed class MemberImportOptions
{
    public const string SectionName = "Onshi:MemberImport";

    /// <summary>The most <see cref="MaxFileBytes"/> may be: the file is one value in the database (PostgreSQL's bytea holds 1 GB).</summary>
    public const long LargestMaxFileBytes = 1_000_000_000;

    /// <summary>The largest file accepted, in bytes (at most <see cref="LargestMaxFileBytes"/>). Defaults to 200 MiB (about a million members).</summary>
    public long MaxFileBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Errors kept in a refused file's report (all are counted). Defaults to 10,000.</summary>
    public int MaxReportedErrors { get; set; } = 10_000;

    /// <summary>The validation writes its progress every this many rows. Defaults to 5,000.</summary>
    public int ProgressEvery { get; set; } = 5_000;

    /// <summary>
    /// <b>For the durability test only</b> (leave at zero): a pause inside the apply transaction, after the rows are written
    /// and before the commit, so a test can kill the process while a file is half applied.
    /// </summary>
    public TimeSpan ApplyPauseForTests { get; set; } = TimeSpan.Zero;
}
