using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.PortalAccounts;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.IntegrationTests.Security;

/// <summary>
/// Issue 14, 13: throttled login attempts (and password-reset requests past the mail caps) need no sign-in, so each one no
/// longer writes a row: per key the first of a minute is written, the rest counted, and the next row (or the session sweep)
/// says how many it stands for (<c>attempts=N</c>). N throttled attempts leave a bounded number of rows, the counts add up
/// to N, and the hash chain stays intact.
/// </summary>
public abstract class ThrottledAttemptAuditTests(string provider)
{
    private const int Limit = 3;
    private const int Throttled = 40;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void SmallThrottle(IServiceCollection services)
    {
        services.Configure<LoginOptions>(o => o.MaxFailuresPerAddress = Limit);
        NoBackgroundSweep(services);
    }

    /// <summary>The test sweeps itself: the background sweeper (on the fake clock) would race it.</summary>
    private static void NoBackgroundSweep(IServiceCollection services) => services.Configure<Onshi.Core.Features.Sessions.SessionOptions>(o => o.SweepInterval = TimeSpan.FromDays(1));

    [Fact]
    public async Task Portal_ThrottledLoginFlood_OneRowAMinute_CountsAddUp_ChainIntact()
    {
        await using var server = await PortalServer.StartAsync(provider, configureServices: SmallThrottle);
        using var client = server.Client();

        await FloodAsync(server.App, server.Time, i => client.PortalLoginAsync($"guess{i}@example.jp", "Guess-pass-1!"),
            PortalAuditActions.Login, "ログインを一時的に制限しています");
    }

    [Fact]
    public async Task Operator_ThrottledLoginFlood_OneRowAMinute_CountsAddUp_ChainIntact()
    {
        await using var server = await OperatorServer.StartAsync(provider, SmallThrottle);
        using var client = server.Client();

        await FloodAsync(server.App, server.Time, i => client.OperatorLoginAsync($"GUESS{i:00}", "Guess-pass-1!"),
            OperatorAuditActions.Login, "一時的に制限しています");
    }

    [Fact]
    public async Task Oqs_ThrottledLoginFlood_OneRowAMinute_CountsAddUp_ChainIntact()
    {
        await using var server = await OqsServer.StartAsync(provider, SmallThrottle);
        using var client = server.Client(server.Demo.Terminal);

        await FloodAsync(server.App, server.Time, i => client.LoginAsync($"GUESS{i:00}", "Guess-pass-1!"),
            AuditActions.Login, "一時的に制限しています");
    }

    [Fact]
    public async Task Portal_ResetRequestsPastTheMailCap_Summarised()
    {
        await using var server = await PortalServer.StartAsync(provider, configureServices: s =>
        {
            s.Configure<PortalAccountOptions>(o => o.MaxMailsPerAddress = Limit);
            NoBackgroundSweep(s);
        });
        using var client = server.Client();

        for (var i = 0; i < Limit + Throttled; i++)
        {
            (await client.ForgotPasswordAsync($"nobody{i}@example.jp")).Errors.ShouldBeEmpty();
        }

        var rows = await RowsAsync(server.App, PortalAuditActions.ResetRequest);
        rows.Count.ShouldBe(Limit + 1);
        server.Time.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync(server.App);
        rows = await RowsAsync(server.App, PortalAuditActions.ResetRequest);
        rows.Count.ShouldBe(Limit + 2);
        rows.Sum(Attempts).ShouldBe(Limit + Throttled);
        (await ChainAsync(server.App)).ShouldBeNull();
    }

    /// <summary>
    /// <see cref="Limit"/> wrong logins (one row each), then <see cref="Throttled"/> refused ones: one row at once, the rest
    /// summarised in one row by the sweep a minute later; after another minute, one more throttled attempt is one more row.
    /// </summary>
    private static async Task FloodAsync(WebApplication app, FakeTimeProvider time, Func<int, Task<OqsPage>> login, string action, string throttledText)
    {
        for (var i = 0; i < Limit; i++)
        {
            (await login(i)).Errors.ShouldNotContain(e => e.Contains(throttledText, StringComparison.Ordinal));
        }

        for (var i = 0; i < Throttled; i++)
        {
            (await login(Limit + i)).Errors.ShouldContain(e => e.Contains(throttledText, StringComparison.Ordinal));
        }

        var throttled = (await RowsAsync(app, action)).Where(r => r.Detail.StartsWith("throttled", StringComparison.Ordinal)).ToList();
        throttled.ShouldHaveSingleItem().Detail.ShouldBe("throttled");
        throttled[0].Outcome.ShouldBe(AuditOutcomes.Denied);

        // The sweep writes what was counted once the minute is over.
        time.Advance(TimeSpan.FromSeconds(61));
        await SweepAsync(app);
        throttled = (await RowsAsync(app, action)).Where(r => r.Detail.StartsWith("throttled", StringComparison.Ordinal)).ToList();
        throttled.Count.ShouldBe(2);
        throttled[1].Detail.ShouldBe("throttled," + RefusalAuditGate.AttemptsPrefix + (Throttled - 1).ToString(CultureInfo.InvariantCulture));
        AuditLabels.Detail(throttled[1].Detail).ShouldContain($"{Throttled - 1}回分をまとめて記録");

        // Nothing pending: a later sweep writes nothing; the next minute's attempt is written at once.
        await SweepAsync(app);
        time.Advance(TimeSpan.FromSeconds(61));
        (await login(99)).Errors.ShouldContain(e => e.Contains(throttledText, StringComparison.Ordinal));
        throttled = (await RowsAsync(app, action)).Where(r => r.Detail.StartsWith("throttled", StringComparison.Ordinal)).ToList();
        throttled.Count.ShouldBe(3);
        throttled.Sum(Attempts).ShouldBe(Throttled + 1);
        (await ChainAsync(app)).ShouldBeNull();
    }

    private static int Attempts(AuditEntry row) =>
        row.Detail.Split(',').FirstOrDefault(p => p.StartsWith(RefusalAuditGate.AttemptsPrefix, StringComparison.Ordinal)) is { } part
            ? int.Parse(part[RefusalAuditGate.AttemptsPrefix.Length..], CultureInfo.InvariantCulture)
            : 1;

    private static async Task SweepAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Onshi.Core.Features.Sessions.SessionSweep>().SweepAsync(Ct);
    }

    /// <summary>The rows of <paramref name="action"/>, oldest first.</summary>
    private static async Task<List<AuditEntry>> RowsAsync(WebApplication app, string action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        return await db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync(Ct);
    }

    private static async Task<long?> ChainAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await AuditLog.VerifyAsync(scope.ServiceProvider.GetRequiredService<OnshiDbContext>(), Ct);
    }
}

public sealed class ThrottledAttemptAuditTestsSqlite() : ThrottledAttemptAuditTests(TestDatabase.Sqlite);

public sealed class ThrottledAttemptAuditTestsPostgres() : ThrottledAttemptAuditTests(TestDatabase.Postgres);
