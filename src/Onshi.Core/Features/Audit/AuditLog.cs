using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Operations;

namespace Onshi.Core.Features.Audit;

/// <summary>Stable action codes of the 操作ログ.</summary>
public static class AuditActions
{
    public const string Login = "login";
    public const string Logout = "logout";
    public const string SessionEnd = "session.end";
    public const string Lockout = "lockout";
    public const string Unlock = "account.unlock";
    public const string PasswordChange = "password.change";
    public const string PasswordInitialize = "password.initialize";

    /// <summary>シークレットの更新（ローテーション）of a 連携アプリ用 / Web API用 account (SPEC §12): the previous secret stays valid for a grace period.</summary>
    public const string SecretRotate = "account.secret-rotate";
    public const string AccountCreate = "account.create";
    public const string AccountUpdate = "account.update";
    public const string AccountView = "account.view";
    public const string AccountSearch = "account.search";
    public const string AccessDenied = "access.denied";
    public const string CertificateRejected = "certificate.rejected";
    public const string CertificateIssue = "certificate.issue";
    public const string CertificateRevoke = "certificate.revoke";
    public const string DocumentDownload = "document.download";

    /// <summary>A CSV export of the 操作ログ (the OQS's 操作ログ照会 or the console's 操作ログ).</summary>
    public const string AuditExport = "audit.export";

    /// <summary>資格情報照会: one row per lookup (target the 照会番号, detail <c>validity=N</c>, the 資格有効性).</summary>
    public const string QualificationLookup = "qualification.lookup";

    /// <summary>資格確認結果 exported (target xml or csv, detail rows=N).</summary>
    public const string QualificationExport = "qualification.export";

    /// <summary>一括照会 accepted (target the 受付番号, detail rows=N).</summary>
    public const string QualificationBulkAccept = "qualification.bulk.accept";

    /// <summary>
    /// 一括照会 processed: one row per batch of patients answered (target the 受付番号, detail rows=N,errors=N); each patient's
    /// answer is kept as a 資格確認結果.
    /// </summary>
    public const string QualificationBulkProcess = "qualification.bulk.process";

    /// <summary>一括照会's result fetched (target the 受付番号, detail rows=N).</summary>
    public const string QualificationBulkResult = "qualification.bulk.result";

    /// <summary>一括照会's results purged after the kept period (target the 受付番号, by the system).</summary>
    public const string QualificationBulkPurge = "qualification.bulk.purge";

    /// <summary>onshi seed-insured added synthetic members (detail <c>+N members</c>).</summary>
    public const string InsuredSeed = "insured.seed";

    /// <summary>
    /// A request refused before any page acted on it (a bad antiforgery token, forbidden characters, a body over the limit,
    /// a forged Host header); the detail is one of <see cref="RequestRefusalReasons"/>, the target the route.
    /// </summary>
    public const string RequestRefused = "request.refused";
}

/// <summary>Why a request was refused (the detail of a <see cref="AuditActions.RequestRefused"/> row).</summary>
public static class RequestRefusalReasons
{
    /// <summary>A POST without a valid antiforgery token (missing, forged, another browser's, or not a form at all).</summary>
    public const string Antiforgery = "antiforgery";

    /// <summary>A control character (NUL included) or invalid UTF-8 (U+FFFD) in a query or form value, a key or a file name.</summary>
    public const string ForbiddenInput = "forbidden-input";

    /// <summary>A body or form over the endpoint's limits (answered 413).</summary>
    public const string TooLarge = "too-large";

    /// <summary>A form body that cannot be read (broken multipart, bad chunking; answered 400).</summary>
    public const string MalformedBody = "malformed-body";

    /// <summary>A Host header naming none of the site's configured host names (answered 400).</summary>
    public const string Host = "host";

    /// <summary>
    /// A proxy header (<c>X-Client-Cert</c>, <c>X-Client-Verify</c>, <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) from an
    /// address that is not a configured trusted proxy, or a malformed <c>X-Forwarded-For</c> from one (answered 400).
    /// </summary>
    public const string ForwardedHeader = "forwarded-header";

    /// <summary>A Web API request without a valid token (missing, unknown, expired, ended, or from another certificate; answered 401).</summary>
    public const string ApiToken = "api-token";

    /// <summary>A Web API request over its token's or certificate's rate (answered 429).</summary>
    public const string ApiRateLimited = "api-rate-limited";

    /// <summary>A Web API body that is not the message it should be (not JSON, wrong types, missing parts; answered 400).</summary>
    public const string ApiMalformed = "api-malformed";

    /// <summary>A Web API path or method that does not exist (answered 404 or 405).</summary>
    public const string ApiUnknownPath = "api-unknown-path";

    public static IReadOnlyList<string> All { get; } = [Antiforgery, ForbiddenInput, TooLarge, MalformedBody, Host, ForwardedHeader, ApiToken, ApiRateLimited,
        ApiMalformed, ApiUnknownPath];
}

/// <summary>Outcomes of an audited operation.</summary>
public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>What to write. Fields are codes and identifiers only — never a password, secret number or token.</summary>
public sealed record AuditRecord(string Action, string Outcome)
{
    public OqsEnvironment? Environment { get; init; }

    public long? InstitutionId { get; init; }

    public string InstitutionCode { get; init; } = "";

    public string Actor { get; init; } = "";

    public AccountKind? ActorKind { get; init; }

    public string Target { get; init; } = "";

    public string Detail { get; init; } = "";

    public string CertificateSerial { get; init; } = "";

    public string ClientAddress { get; init; } = "";

    /// <summary>When it happened, if not now (a session the sweeper ends at its real idle or absolute end).</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>
    /// Already counted in <see cref="Operations.OnshiMetrics"/>: the <see cref="RefusalAuditGate"/> counts every refusal it is
    /// shown, written or summarised, so the rows it lets through are not counted again when committed.
    /// </summary>
    internal bool Counted { get; init; }
}

/// <summary>How many hash chains the audit log is written in (<c>Onshi:Audit:Chains</c>).</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Onshi:Audit";

    /// <summary>The most chains a deployment may use (advisory lock keys and in-process gates are reserved for them).</summary>
    public const int MaxChains = 256;

    /// <summary>
    /// Chains written by this deployment, 1–<see cref="MaxChains"/>. Null: 1 on SQLite (one writer at a time anyway),
    /// <see cref="DefaultPostgresChains"/> on PostgreSQL, where every instance's commits would otherwise queue behind one
    /// lock (docs/scaling.md, "The audit chain"). Changing it is safe at any time: a row names its chain, and a chain no
    /// longer written to simply ends.
    /// </summary>
    public int? Chains { get; set; }

    /// <summary>The PostgreSQL default.</summary>
    public const int DefaultPostgresChains = 16;
}

/// <summary>
/// The append-only, hash-chained audit log (SPEC §9). Records are queued with <see cref="Record"/> and written by
/// <see cref="CommitAsync(CancellationToken)"/> in the same transaction as the business change they describe, each chained to the
/// previous row's hash <b>of the same chain</b>. The log is written in one or more chains (<see cref="AuditOptions"/>):
/// a commit's rows go to the chain of its institution (<c>InstitutionId mod chains</c>; rows without an institution to
/// chain 0), so one institution's history is one chain (seed-scale's rows and rows from before the chains are chain 0).
/// Writers of a chain are serialized (an in-process gate, and an advisory lock per chain on PostgreSQL) so each chain's
/// order equals its id order; writers of different chains do not wait for each other.
/// </summary>
public sealed class AuditLog(OnshiDbContext db, TimeProvider time, Microsoft.Extensions.Options.IOptions<AuditOptions> options)
{
    /// <summary>The previous-hash of the first row of every chain.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// The PostgreSQL advisory lock of chain 0 (the writers of chain <c>c</c> hold this key + <c>c</c> in their
    /// transaction; seed-scale writes chain 0).
    /// </summary>
    public const long PostgresAdvisoryLockKey = 0x4F6E736869; // "Onshi"
    /// <summary>
    /// The hash of a chain's last row, read by every audited commit: compiled once per model (<see cref="CompiledQuery{TQuery}"/>)
    /// instead of translated and looked up in EF Core's query cache each time.
    /// </summary>
    private static readonly CompiledQuery<Func<OnshiDbContext, int, CancellationToken, Task<string?>>> LastHashOfChain = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, int chain, CancellationToken ct) =>
            db.AuditEntries.Where(a => a.Chain == chain).OrderByDescending(a => a.Id).Select(a => a.Hash).FirstOrDefault()));

    private static readonly SemaphoreSlim[] Gates = [.. Enumerable.Range(0, AuditOptions.MaxChains).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly List<AuditEntry> pending = [];
    private readonly HashSet<AuditEntry> counted = [];

    /// <summary>The chains this deployment writes (see <see cref="AuditOptions.Chains"/>).</summary>
    public int ChainCount => Math.Clamp(options.Value.Chains ?? (db.Database.IsPostgres() ? AuditOptions.DefaultPostgresChains : 1), 1, AuditOptions.MaxChains);

    /// <summary>
    /// <paramref name="utc"/> cut to microseconds: what every provider stores exactly (PostgreSQL drops the 100 ns digit),
    /// so a hash computed before the write still matches the row read back.
    /// </summary>
    public static DateTime StoredTime(DateTime utc) => new(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);

    /// <summary>The chain of a commit whose first institution is <paramref name="institutionId"/>.</summary>
    public static int ChainOf(long? institutionId, int chains) =>
        institutionId is { } id && chains > 1 ? (int)(((id % chains) + chains) % chains) : 0;

    /// <summary>Queues a record; nothing is written until <see cref="CommitAsync(CancellationToken)"/>.</summary>
    public void Record(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = new AuditEntry
        {
            OccurredAt = StoredTime((record.OccurredAt ?? time.GetUtcNow()).UtcDateTime),
            Environment = record.Environment,
            InstitutionId = record.InstitutionId,
            InstitutionCode = Clip(record.InstitutionCode, 10),
            Actor = Clip(record.Actor, 64),
            ActorKind = record.ActorKind,
            Action = Clip(record.Action, 64),
            Target = Clip(record.Target, 64),
            Outcome = Clip(record.Outcome, 16),
            Detail = Clip(record.Detail, 64),
            CertificateSerial = Clip(record.CertificateSerial, 64),
            ClientAddress = Clip(record.ClientAddress, 64),
            PreviousHash = "",
            Hash = "",
        };
        pending.Add(entry);
        if (record.Counted)
        {
            counted.Add(entry);
        }
    }

    /// <summary>Saves the context's pending changes and the queued audit rows in one transaction.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) => CommitAsync(null, cancellationToken).AsTask();

    /// <summary>
    /// Runs <paramref name="work"/> (e.g. a conditional <c>ExecuteUpdate</c>, or a save whose generated id the next
    /// change needs) inside the transaction, then saves the context's pending changes and the queued audit rows, all in
    /// one commit. When <paramref name="work"/> returns false nothing is written (the queued records are dropped) and
    /// false is returned: the way to write an audit row only if a conditional update actually changed a row.
    /// </summary>
    public async ValueTask<bool> CommitAsync(Func<CancellationToken, Task<bool>>? work, CancellationToken cancellationToken = default)
    {
        var chain = ChainOf(pending.FirstOrDefault(e => e.InstitutionId is not null)?.InstitutionId, ChainCount);
        var gate = Gates[chain];
        var started = Stopwatch.GetTimestamp();
        await gate.WaitAsync(cancellationToken);
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            var committed = await strategy.ExecuteAsync(async ct =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (db.Database.IsPostgres())
                {
                    var key = PostgresAdvisoryLockKey + chain;
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);
                }

                if (work is not null && !await work(ct))
                {
                    await tx.RollbackAsync(ct);
                    return false;
                }

                if (pending.Count == 0)
                {
                    await db.SaveChangesAsync(ct);
                }
                else
                {
                    var previous = await LastHashOfChain.For(db)(db, chain, ct) ?? GenesisHash;
                    try
                    {
                        foreach (var entry in pending)
                        {
                            entry.Chain = chain;
                            entry.PreviousHash = previous;
                            entry.Hash = ComputeHash(entry);
                            previous = entry.Hash;
                            db.AuditEntries.Add(entry);

                            // One audit row per save so that ids follow the chain order; the business changes go with the
                            // first (one round trip fewer for the usual commit of one change and one row).
                            await db.SaveChangesAsync(ct);
                        }
                    }
                    catch
                    {
                        // A failed save (a business change refused by a constraint, say) must not leave these rows tracked
                        // for the context's next save: they would be written later with a stale link.
                        foreach (var entry in pending)
                        {
                            db.Entry(entry).State = EntityState.Detached;
                        }

                        throw;
                    }
                }

                await tx.CommitAsync(ct);
                return true;
            }, cancellationToken);
            if (committed)
            {
                // Counted once written (docs/operations.md): a failed or dropped commit counts nothing.
                OnshiMetrics.AuditCommitted(Stopwatch.GetElapsedTime(started));
                foreach (var entry in pending.Where(e => !counted.Contains(e)))
                {
                    OnshiMetrics.Audited(entry.Action, entry.Outcome, entry.Detail);
                }
            }

            return committed;
        }
        finally
        {
            // Written or failed: either way these records are done with; a retry records anew.
            pending.Clear();
            counted.Clear();
            gate.Release();
        }
    }

    /// <summary>The row's hash over its previous hash and every recorded field.</summary>
    public static string ComputeHash(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var canonical = string.Join('\u001f',
            e.PreviousHash,
            e.OccurredAt.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            e.Environment?.ToString() ?? "",
            e.InstitutionId?.ToString(CultureInfo.InvariantCulture) ?? "",
            e.InstitutionCode,
            e.Actor,
            e.ActorKind?.ToString() ?? "",
            e.Action,
            e.Target,
            e.Outcome,
            e.Detail,
            e.CertificateSerial,
            e.ClientAddress);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Walks every chain in id order (one pass); returns the id of the first row whose link (to the previous row of its
    /// chain) or hash is broken, or null.
    /// </summary>
    public static async Task<long?> VerifyAsync(OnshiDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var previousOf = new Dictionary<int, string>();
        long lastId = 0;
        while (true)
        {
            var batch = await db.AuditEntries.AsNoTracking().Where(a => a.Id > lastId).OrderBy(a => a.Id).Take(5000)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return null;
            }

            foreach (var e in batch)
            {
                var previous = previousOf.GetValueOrDefault(e.Chain, GenesisHash);
                if (e.Chain is < 0 or >= AuditOptions.MaxChains || e.PreviousHash != previous || ComputeHash(e) != e.Hash)
                {
                    return e.Id;
                }

                previousOf[e.Chain] = e.Hash;
                lastId = e.Id;
            }
        }
    }

    private static string Clip(string? s, int max) => s is null ? "" : s.Length <= max ? s : s[..max];
}
