using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Onshi.Core.Features.Audit;
using Shouldly;

namespace Onshi.UnitTests.Features.Audit;

/// <summary>Issue 14, 13: the summary of refusals anyone can cause — one row per key and interval, no refusal uncounted.</summary>
public sealed class RefusalAuditGateTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));

    private static readonly AuditRecord Throttled = new(AuditActions.Login, AuditOutcomes.Denied) { Detail = "throttled", ClientAddress = "192.0.2.1" };

    private RefusalAuditGate Gate(TimeSpan interval) => new(time, Options.Create(new RefusalAuditOptions { Interval = interval }));

    [Fact]
    public void Admit_FloodOfOneKey_OneRowAnInterval_TheNextCarriesTheCount()
    {
        var gate = Gate(TimeSpan.FromMinutes(1));

        var rows = Enumerable.Range(0, 1000).Select(_ => gate.Admit("k", Throttled)).OfType<AuditRecord>().ToList();
        time.Advance(TimeSpan.FromSeconds(61));
        var next = gate.Admit("k", Throttled);

        rows.ShouldHaveSingleItem().Detail.ShouldBe("throttled");
        next.ShouldNotBeNull().Detail.ShouldBe("throttled,attempts=1000");
        gate.TakeDue().ShouldBeEmpty();
    }

    [Fact]
    public void TakeDue_WritesTheCountedRest_OnlyAfterTheInterval_Once()
    {
        var gate = Gate(TimeSpan.FromMinutes(1));
        gate.Admit("a", Throttled).ShouldNotBeNull();
        gate.Admit("b", Throttled with { ClientAddress = "192.0.2.2" }).ShouldNotBeNull();
        for (var i = 0; i < 5; i++)
        {
            gate.Admit("a", Throttled).ShouldBeNull();
        }

        gate.TakeDue().ShouldBeEmpty();
        time.Advance(TimeSpan.FromSeconds(61));
        var due = gate.TakeDue();

        due.ShouldHaveSingleItem().Detail.ShouldBe("throttled,attempts=5");
        gate.TakeDue().ShouldBeEmpty();
        gate.Admit("a", Throttled).ShouldBeNull(); // the summary was this interval's row
    }

    [Fact]
    public void Admit_ZeroInterval_EveryRefusalIsARow()
    {
        var gate = Gate(TimeSpan.Zero);

        Enumerable.Range(0, 3).Select(_ => gate.Admit("k", Throttled)).ShouldAllBe(r => r != null && r.Detail == "throttled");
    }

    [Fact]
    public void Admit_PastMaxKeys_IdleKeysDropped_CountsOfBusyKeysKept()
    {
        var gate = Gate(TimeSpan.FromMinutes(1));
        gate.Admit("busy", Throttled).ShouldNotBeNull();
        gate.Admit("busy", Throttled).ShouldBeNull();
        for (var i = 0; i < RefusalAuditGate.MaxKeys; i++)
        {
            gate.Admit("idle" + i, Throttled);
        }

        time.Advance(TimeSpan.FromSeconds(61));
        gate.Admit("new", Throttled).ShouldNotBeNull();

        gate.TakeDue().ShouldHaveSingleItem().Detail.ShouldBe("throttled"); // one refusal: a plain row
    }

    [Fact]
    public void Label_AttemptsPart_IsWorded()
    {
        AuditLabels.Detail("throttled,attempts=12").ShouldBe("失敗が続いたため受付停止中、12回分をまとめて記録");
    }
}
