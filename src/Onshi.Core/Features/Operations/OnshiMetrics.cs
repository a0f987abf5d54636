using System.Diagnostics.Metrics;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.PortalAccounts;

namespace Onshi.Core.Features.Operations;

/// <summary>
/// Onshi's own meter (<c>Onshi</c>): what the operators of the service watch besides the HTTP and runtime metrics
/// (docs/operations.md). The counts come from the one place every business event passes: the 操作ログ. A record counts when
/// its commit succeeds (<see cref="AuditLog"/>), or when the <see cref="RefusalAuditGate"/> folds it into a summary row
/// instead of writing it, so a throttled flood of refusals is counted in full though audited once per interval.
/// Labels are closed sets of codes (site, outcome, 資格有効性, refusal reason): never a user ID, an institution, an
/// address or any free text.
/// </summary>
public static class OnshiMetrics
{
    public const string MeterName = "Onshi";

    private static readonly Meter Meter = new(MeterName, typeof(OnshiMetrics).Assembly.GetName().Version?.ToString(3));

    private static readonly Counter<long> Logins = Meter.CreateCounter<long>("onshi.logins", "{login}",
        "Login attempts by site (oqs, portal, operator) and outcome (success, failure, denied).");

    private static readonly Counter<long> Lockouts = Meter.CreateCounter<long>("onshi.lockouts", "{lockout}",
        "Accounts locked after too many failed passwords, by site.");

    private static readonly Counter<long> Initializations = Meter.CreateCounter<long>("onshi.password.initializations", "{initialization}",
        "Passwords initialized by an administrator (oqs), 秘密の番号 reissued by the call center (operator), portal passwords reset by mail (portal).");

    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>("onshi.lookups", "{lookup}",
        "資格確認 lookups by 資格有効性 (1 有効, 2 無効, 3 有効(新しい資格あり), 4 無効(新しい資格あり), 5 該当資格なし; other when unknown).");

    private static readonly Counter<long> BulkJobs = Meter.CreateCounter<long>("onshi.bulk.jobs", "{job}",
        "一括照会 jobs by event (accepted, failed).");

    private static readonly Counter<long> BulkPatients = Meter.CreateCounter<long>("onshi.bulk.patients", "{patient}",
        "Patients answered by 一括照会 jobs.");

    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>("onshi.refusals", "{request}",
        "Requests refused before any page acted on them, by reason (antiforgery, forbidden-input, too-large, host, api-token, …), "
        + "certificates rejected (certificate-<status>), and pages denied by the permission matrix (access-denied).");

    private static readonly Histogram<double> AuditCommit = Meter.CreateHistogram("onshi.audit.commit.duration", "s",
        "Time of one audited commit: waiting for the audit chain, the business changes and the chained rows, to the commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    private static Func<long?>? bulkQueue;

    static OnshiMetrics()
    {
        Meter.CreateObservableGauge("onshi.bulk.queue", () => bulkQueue?.Invoke() is { } n ? [new Measurement<long>(n)] : Array.Empty<Measurement<long>>(),
            "{job}", "一括照会 jobs accepted and not yet completed (受付 or 処理中).");
    }

    /// <summary>
    /// Where the <c>onshi.bulk.queue</c> gauge reads its value (the process's operations endpoint sets it; null: no value).
    /// Called on each scrape.
    /// </summary>
    public static void ObserveBulkQueue(Func<long?>? source) => bulkQueue = source;

    /// <summary>Counts a committed or summarised 操作ログ record.</summary>
    public static void Audited(string action, string outcome, string detail)
    {
        switch (action)
        {
            case AuditActions.Login:
                Logins.Add(1, Site("oqs"), Outcome(outcome));
                break;
            case PortalAuditActions.Login:
                Logins.Add(1, Site("portal"), Outcome(outcome));
                break;
            case OperatorAuditActions.Login:
                Logins.Add(1, Site("operator"), Outcome(outcome));
                break;
            case AuditActions.Lockout:
                Lockouts.Add(1, Site("oqs"));
                break;
            case PortalAuditActions.Lockout:
                Lockouts.Add(1, Site("portal"));
                break;
            case OperatorAuditActions.Lockout:
                Lockouts.Add(1, Site("operator"));
                break;
            case AuditActions.PasswordInitialize when outcome == AuditOutcomes.Success:
                Initializations.Add(1, Site("oqs"));
                break;
            case OperatorAuditActions.SecretReissue when outcome == AuditOutcomes.Success:
                Initializations.Add(1, Site("operator"));
                break;
            case PortalAuditActions.Reset when outcome == AuditOutcomes.Success:
                Initializations.Add(1, Site("portal"));
                break;
            case AuditActions.QualificationLookup:
                Lookups.Add(1, new KeyValuePair<string, object?>("validity", Validity(detail)));
                break;
            case AuditActions.QualificationBulkAccept when outcome == AuditOutcomes.Success:
                BulkJobs.Add(1, new KeyValuePair<string, object?>("event", "accepted"));
                break;
            case AuditActions.QualificationBulkProcess when outcome == AuditOutcomes.Success:
                BulkPatients.Add(RowCount(detail));
                break;
            case AuditActions.QualificationBulkProcess:
                BulkJobs.Add(1, new KeyValuePair<string, object?>("event", "failed"));
                break;
            case AuditActions.RequestRefused:
                Refusals.Add(1, Reason(RequestRefusalReasons.All.Contains(detail) ? detail : "other"));
                break;
            case AuditActions.CertificateRejected:
                Refusals.Add(1, Reason(CertificateReason(detail)));
                break;
            case AuditActions.AccessDenied or OperatorAuditActions.AccessDenied:
                Refusals.Add(1, Reason("access-denied"));
                break;
        }
    }

    /// <summary>Records the time of one audited commit.</summary>
    public static void AuditCommitted(TimeSpan elapsed) => AuditCommit.Record(elapsed.TotalSeconds);

    private static KeyValuePair<string, object?> Site(string site) => new("site", site);

    private static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);

    private static KeyValuePair<string, object?> Outcome(string outcome) =>
        new("outcome", outcome is AuditOutcomes.Success or AuditOutcomes.Failure or AuditOutcomes.Denied ? outcome : "other");

    private static string Validity(string detail) =>
        detail.StartsWith(AuditDetails.ValidityPrefix, StringComparison.Ordinal) && detail.Length == AuditDetails.ValidityPrefix.Length + 1
            && detail[^1] is >= '1' and <= '5'
            ? detail[^1..]
            : "other";

    private static string CertificateReason(string detail) =>
        Enum.TryParse<CertificateCheckStatus>(detail, ignoreCase: false, out var status) && Enum.IsDefined(status)
            ? "certificate-" + status.ToString().ToLowerInvariant()
            : "certificate-other";

    /// <summary>The N of a <c>rows=N</c> detail (<c>rows=N,errors=M</c>); 0 when absent.</summary>
    private static long RowCount(string detail)
    {
        const string prefix = "rows=";
        if (!detail.StartsWith(prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        var digits = detail.AsSpan(prefix.Length);
        var comma = digits.IndexOf(',');
        return long.TryParse(comma < 0 ? digits : digits[..comma], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
            out var n) ? n : 0;
    }
}
