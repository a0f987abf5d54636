using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

using Onshi.Core.Features.Operations;

namespace Onshi.Core.Features.Audit;

/// <summary>How often a refusal of one kind from one address is written to the 操作ログ. Bound from <c>Onshi:RefusalAudit</c>.</summary>
public sealed class RefusalAuditOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:RefusalAudit";

    /// <summary>
    /// At most one row per this interval for one kind of refusal from one client address (and, for refused terminal
    /// certificates, one certificate; for throttled logins, one site). Defaults to one minute: a client hammering a site with
    /// bad tokens or a login form with guesses cannot flood the 操作ログ or hold its writer lock, and a probe still leaves a
    /// row a minute that says how many attempts it stands for (<see cref="RefusalAuditGate.AttemptsPrefix"/>).
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Summarises refusals that need no sign-in to cause (refused requests and certificates, throttled logins and
/// registrations): per key (kind and address) the first refusal of an interval is written at once, the rest of the
/// interval only counted; the next row of the key — the next refusal after the interval, or
/// <see cref="TakeDue"/> from the session sweep when none comes — carries <c>attempts=N</c>, the refusals it stands for.
/// So an anonymous caller writes at most one row per key and <see cref="RefusalAuditOptions.Interval"/>, and no refusal goes
/// uncounted. One per site; in memory and bounded (<see cref="MaxKeys"/>).
/// </summary>
public sealed class RefusalAuditGate(TimeProvider time, IOptions<RefusalAuditOptions> options)
{
    /// <summary>The keys held at most; past it the idle ones are dropped, and if that is not enough, all (their counts are lost).</summary>
    public const int MaxKeys = 10_000;

    /// <summary>The detail part of a summary row: <c>attempts=N</c>, N refusals (this one and the uncounted ones since the last row).</summary>
    public const string AttemptsPrefix = "attempts=";

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The row to write now for a refusal of <paramref name="key"/> (with <c>attempts=N</c> when it stands for more than
    /// one), or null when a row of this key was written within the interval (the refusal is counted for the next one).
    /// </summary>
    public AuditRecord? Admit(string key, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(record);

        // Every refusal counts in the metrics, written now or folded into a later summary row (which then counts no more).
        OnshiMetrics.Audited(record.Action, record.Outcome, record.Detail);
        record = record with { Counted = true };
        var interval = options.Value.Interval;
        if (interval <= TimeSpan.Zero)
        {
            return record;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (entries.Count > MaxKeys)
        {
            Trim(now - interval);
        }

        var entry = entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.LastWritten > now - interval)
            {
                entry.Pending++;
                entry.PendingRecord = record;
                return null;
            }

            var attempts = entry.Pending + 1;
            entry.Pending = 0;
            entry.PendingRecord = null;
            entry.LastWritten = now;
            return WithAttempts(record, attempts);
        }
    }

    /// <summary>
    /// The summary rows due: for every key with counted refusals whose interval has passed, its last refusal's row with
    /// <c>attempts=N</c> (N the refusals counted), dated now. The session sweep writes them (<c>SessionSweep</c>).
    /// </summary>
    public IReadOnlyList<AuditRecord> TakeDue()
    {
        var interval = options.Value.Interval;
        var now = time.GetUtcNow().UtcDateTime;
        var due = new List<AuditRecord>();
        foreach (var (_, entry) in entries)
        {
            lock (entry)
            {
                if (entry.Pending > 0 && entry.PendingRecord is { } record && entry.LastWritten <= now - interval)
                {
                    due.Add(WithAttempts(record, entry.Pending));
                    entry.Pending = 0;
                    entry.PendingRecord = null;
                    entry.LastWritten = now;
                }
            }
        }

        return due;
    }

    private static AuditRecord WithAttempts(AuditRecord record, int attempts) => attempts == 1 ? record : record with
    {
        Detail = (record.Detail.Length == 0 ? "" : record.Detail + ",") + AttemptsPrefix + attempts.ToString(CultureInfo.InvariantCulture),
    };

    private void Trim(DateTime idleBefore)
    {
        foreach (var (key, entry) in entries)
        {
            lock (entry)
            {
                if (entry.Pending == 0 && entry.LastWritten <= idleBefore)
                {
                    entries.TryRemove(key, out _);
                }
            }
        }

        if (entries.Count > MaxKeys)
        {
            entries.Clear();
        }
    }

    private sealed class Entry
    {
        public DateTime LastWritten { get; set; } = DateTime.MinValue;

        public int Pending { get; set; }

        public AuditRecord? PendingRecord { get; set; }
    }
}

/// <summary>Writing a refusal through the <see cref="RefusalAuditGate"/>.</summary>
public static class RefusalAuditGateExtensions
{
    /// <summary>Records and commits <paramref name="record"/> if the gate admits it now for <paramref name="key"/>; else it is only counted.</summary>
    public static async Task RecordSummarisedAsync(this AuditLog audit, RefusalAuditGate gate, string key, AuditRecord record,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(gate);
        if (gate.Admit(key, record) is { } row)
        {
            audit.Record(row);
            await audit.CommitAsync(cancellationToken);
        }
    }
}
