using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operations;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.PortalAccounts;
using Shouldly;
using Xunit;

namespace Onshi.UnitTests.Features.Operations;

/// <summary>
/// Onshi's meter counts the 操作ログ's events with closed label sets: the site from the action, the outcome, the 資格有効性, the
/// refusal reason; anything else becomes <c>other</c>, so no free text (a user ID, an address) can become a label. A refusal
/// the gate folds into a summary row counts once when seen and not again when its row is written.
/// </summary>
public sealed class OnshiMetricsTests : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, string> Tags, int Thread)> seen = [];
    private readonly Lock gate = new();

    public OnshiMetricsTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OnshiMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var t in tags)
            {
                map[t.Key] = t.Value?.ToString() ?? "";
            }

            lock (gate)
            {
                seen.Add((instrument.Name, value, map, Environment.CurrentManagedThreadId));
            }
        });
        listener.Start();
    }

    [Theory]
    [InlineData(AuditActions.Login, AuditOutcomes.Success, "", "onshi.logins", "site=oqs,outcome=success")]
    [InlineData(AuditActions.Login, AuditOutcomes.Denied, "throttled", "onshi.logins", "site=oqs,outcome=denied")]
    [InlineData(PortalAuditActions.Login, AuditOutcomes.Failure, "", "onshi.logins", "site=portal,outcome=failure")]
    [InlineData(OperatorAuditActions.Login, "weird-outcome", "", "onshi.logins", "site=operator,outcome=other")]
    [InlineData(AuditActions.Lockout, AuditOutcomes.Success, "", "onshi.lockouts", "site=oqs")]
    [InlineData(PortalAuditActions.Lockout, AuditOutcomes.Success, "", "onshi.lockouts", "site=portal")]
    [InlineData(OperatorAuditActions.Lockout, AuditOutcomes.Success, "", "onshi.lockouts", "site=operator")]
    [InlineData(AuditActions.PasswordInitialize, AuditOutcomes.Success, "", "onshi.password.initializations", "site=oqs")]
    [InlineData(OperatorAuditActions.SecretReissue, AuditOutcomes.Success, "", "onshi.password.initializations", "site=operator")]
    [InlineData(PortalAuditActions.Reset, AuditOutcomes.Success, "", "onshi.password.initializations", "site=portal")]
    [InlineData(AuditActions.QualificationLookup, AuditOutcomes.Success, "validity=3", "onshi.lookups", "validity=3")]
    [InlineData(AuditActions.QualificationLookup, AuditOutcomes.Success, "validity=9", "onshi.lookups", "validity=other")]
    [InlineData(AuditActions.QualificationLookup, AuditOutcomes.Success, "validity=1; DROP", "onshi.lookups", "validity=other")]
    [InlineData(AuditActions.QualificationBulkAccept, AuditOutcomes.Success, "rows=10", "onshi.bulk.jobs", "event=accepted")]
    [InlineData(AuditActions.QualificationBulkProcess, AuditOutcomes.Failure, "bulk-failed", "onshi.bulk.jobs", "event=failed")]
    [InlineData(AuditActions.RequestRefused, AuditOutcomes.Denied, RequestRefusalReasons.Antiforgery, "onshi.refusals", "reason=antiforgery")]
    [InlineData(AuditActions.RequestRefused, AuditOutcomes.Denied, "TARO01,attempts=3", "onshi.refusals", "reason=other")]
    [InlineData(AuditActions.CertificateRejected, AuditOutcomes.Denied, "Revoked", "onshi.refusals", "reason=certificate-revoked")]
    [InlineData(AuditActions.CertificateRejected, AuditOutcomes.Denied, "Nonsense", "onshi.refusals", "reason=certificate-other")]
    [InlineData(AuditActions.AccessDenied, AuditOutcomes.Denied, "page", "onshi.refusals", "reason=access-denied")]
    public void AnEvent_CountsOnce_WithClosedLabels(string action, string outcome, string detail, string instrument, string tags)
    {
        var expected = tags.Split(',').Select(t => t.Split('=')).ToDictionary(t => t[0], t => t[1]);
        OnshiMetrics.Audited(action, outcome, detail);
        var mine = Matching(instrument, expected);
        mine.Count.ShouldBe(1);
        mine[0].Value.ShouldBe(1);
        mine[0].Tags.Keys.Order().ShouldBe(expected.Keys.Order());
    }

    [Fact]
    public void ABulkBatch_CountsItsPatients()
    {
        OnshiMetrics.Audited(AuditActions.QualificationBulkProcess, AuditOutcomes.Success, "rows=500,errors=3");
        Matching("onshi.bulk.patients", []).Sum(m => m.Value).ShouldBe(500);
    }

    [Fact]
    public void AnActionWithoutAMetric_CountsNothing()
    {
        OnshiMetrics.Audited(AuditActions.AccountView, AuditOutcomes.Success, "TARO01");
        lock (gate)
        {
            seen.ShouldNotContain(s => s.Tags.Values.Contains("TARO01"));
        }
    }

    [Fact]
    public void ARefusalTheGateSummarises_CountsWhenSeen_AndItsSummaryRowIsMarkedCounted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var refusals = new RefusalAuditGate(time, Options.Create(new RefusalAuditOptions { Interval = TimeSpan.FromMinutes(1) }));
        var record = new AuditRecord(AuditActions.RequestRefused, AuditOutcomes.Denied) { Detail = RequestRefusalReasons.TooLarge };
        var first = refusals.Admit("k|unit-metrics", record);
        refusals.Admit("k|unit-metrics", record).ShouldBeNull();
        refusals.Admit("k|unit-metrics", record).ShouldBeNull();
        Matching("onshi.refusals", new() { ["reason"] = RequestRefusalReasons.TooLarge }).Count.ShouldBe(3);
        first.ShouldNotBeNull().Counted.ShouldBeTrue();
        time.Advance(TimeSpan.FromMinutes(2));
        refusals.TakeDue().ShouldHaveSingleItem().Counted.ShouldBeTrue();
    }

    public void Dispose() => listener.Dispose();

    private List<(string Instrument, long Value, Dictionary<string, string> Tags, int Thread)> Matching(string instrument, Dictionary<string, string> tags)
    {
        lock (gate)
        {
            // Other tests of this process may count on the same static meter at the same time: only the measurements this test's thread made
            // (the counting is synchronous) are judged.
            var thread = Environment.CurrentManagedThreadId;
            return [.. seen.Where(s => s.Thread == thread && s.Instrument == instrument && tags.All(t => s.Tags.TryGetValue(t.Key, out var v) && v == t.Value))];
        }
    }
}
