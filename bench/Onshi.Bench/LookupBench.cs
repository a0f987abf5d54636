using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Features.Sessions;
using Onshi.Core.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Bench;

/// <summary>What <c>onshi seed-insured</c> writes to <c>DATA/seed-insured-sample.json</c>: lookup keys spread over the population.</summary>
public sealed record InsuredSample(DateOnly AsOf, long Members, List<InsuredSampleKey> Keys)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static InsuredSample Load(string dataDirectory)
    {
        var sample = JsonSerializer.Deserialize<InsuredSample>(File.ReadAllText(Path.Combine(dataDirectory, "seed-insured-sample.json")), Json)
            ?? throw new InvalidOperationException("empty seed-insured-sample.json");
        return sample.Keys.Count > 0 ? sample : throw new InvalidOperationException("seed-insured-sample.json holds no keys");
    }

    /// <summary>The key worker <paramref name="worker"/> of <paramref name="concurrency"/> asks for at its <paramref name="n"/>-th lookup (spread, none shared at once).</summary>
    public InsuredSampleKey For(int worker, int concurrency, int n) => Keys[(int)(((long)n * concurrency + worker) % Keys.Count)];
}

/// <summary>One lookup key (生年月日 yyyy-MM-dd).</summary>
public sealed record InsuredSampleKey(string InsurerNumber, string Symbol, string Number, string Branch, string Birthdate);

/// <summary>
/// 資格情報照会 on the screen, as a receptionist does it: POST the form (保険者番号, 記号, 番号, 枝番, 生年月日; 確認日 empty = today)
/// and read the answer in the response (whose address becomes <c>/Qualifications?r=照会番号</c> in the browser). Worker w is an 管理者 account of the
/// 200-account institution (one per worker where there are enough) at its terminal; every lookup writes its 資格確認結果
/// and its audit row, as in production.
/// </summary>
public sealed class OnshiLookupScenario(OnshiTarget target, InsuredSample sample) : IScenario
{
    public string Name => "lookup";

    public int RequestsPerOperation => 1;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var institution = target.Large;
        var admins = institution.Accounts.Where(a => a.Kind == "admin").ToList();
        if (admins.Count == 0)
        {
            throw new InvalidOperationException("the large institution has no 管理者 account");
        }

        var user = target.UserAt(institution, worker);
        var account = admins[worker % admins.Count];
        await OnshiTarget.LoginAsync(user, account.UserId, account.Password, ct);
        var form = await user.GetAsync("/Qualifications", ct);
        OnshiTarget.Expect(form, 200, "GET /Qualifications");
        var token = BenchUser.FormToken(form, "__af");
        var n = 0;
        return new BenchWorker(async ct2 =>
        {
            var key = sample.For(worker, concurrency, n++);
            var posted = await user.PostAsync("/Qualifications",
                [new("Input.InsurerNumber", key.InsurerNumber), new("Input.InsuredCardSymbol", key.Symbol), new("Input.InsuredIdentificationNumber", key.Number),
                 new("Input.InsuredBranchNumber", key.Branch), new("Input.Birthdate", key.Birthdate), new("Input.QualificationConfirmationDate", ""), new("__af", token)], ct2);
            OnshiTarget.Expect(posted, 200, "POST /Qualifications");
            if (!posted.Body.Contains("data-testid=\"validity\"", StringComparison.Ordinal) || !posted.Body.Contains("data-history-url=\"/Qualifications?r=", StringComparison.Ordinal))
            {
                throw new BenchException("answer page without its 資格有効性 or its address");
            }
        }, user);
    }
}

/// <summary>
/// The same lookup through <see cref="QualificationLookupService"/> in a process of its own (<c>onshi-bench lookup-service</c>):
/// no HTTP, TLS, session or Razor — the validation, the index seek, the rules, the 資格確認結果 and the audit row in one commit,
/// which is what the Web API and 一括照会 will add their transport to. Each operation is a fresh DI scope (one DbContext), as
/// a request has.
/// </summary>
public sealed class ServiceLookupScenario(ServiceProvider services, ActorContext actor, InsuredSample sample) : IScenario
{
    public string Name => "lookup-service";

    public int RequestsPerOperation => 1;

    public Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var n = 0;
        return Task.FromResult(new BenchWorker(async ct2 =>
        {
            var key = sample.For(worker, concurrency, n++);
            await using var scope = services.CreateAsyncScope();
            var lookups = scope.ServiceProvider.GetRequiredService<QualificationLookupService>();
            var outcome = await lookups.LookupAsync(actor, new LookupInput(key.InsurerNumber, key.Symbol, key.Number, key.Branch, key.Birthdate, null, false),
                LookupChannel.Screen, ct2);
            if (!outcome.Succeeded)
            {
                throw new BenchException("lookup refused: " + string.Join(" / ", outcome.Errors.Select(e => e.Message)));
            }
        }));
    }
}

/// <summary>
/// <c>onshi-bench lookup-service --data DIR [--db postgres --connection CS] --user USERID --concurrency 1,4,16 --first-warmup S
/// --warmup S --seconds S --max N</c>: runs the service cells in this one process — a discarded first warm-up (the JIT's tiers
/// settle: EF Core's and SQLite's paths are long), then each cell — and prints each <see cref="CellResult"/> as a JSON line;
/// the process's own CPU is the service's (reported as the client's share, which the orchestrator turns into the server's).
/// </summary>
public static class ServiceLookupCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var settings = new OnshiSettings();
        string? user = null;
        int[] concurrencies = [1];
        var firstWarmup = TimeSpan.FromSeconds(10);
        var limits = new CellLimits(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), 1_000_000);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": settings.DataDirectory = Path.GetFullPath(Next()); break;
                case "--db": settings.DatabaseProvider = Next(); break;
                case "--connection": settings.ConnectionString = Next(); break;
                case "--user": user = Next(); break;
                case "--concurrency": concurrencies = [.. Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))]; break;
                case "--first-warmup": firstWarmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--warmup": limits = limits with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                case "--seconds": limits = limits with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                case "--max": limits = limits with { MaxOperations = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        ArgumentNullException.ThrowIfNull(user, "--user");
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(MasterKey.Resolve(settings.DataDirectory, settings.MasterKeyFile));
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var actor = await ActorAsync(provider, user, ct);
        var scenario = new ServiceLookupScenario(provider, actor, InsuredSample.Load(settings.DataDirectory));
        await LoadRunner.RunCellAsync("service", scenario, concurrencies.Max(), new CellLimits(TimeSpan.Zero, firstWarmup, int.MaxValue), null, ct);
        foreach (var c in concurrencies)
        {
            var cell = await LoadRunner.RunCellAsync("service", scenario, c, limits, null, ct);
            Console.WriteLine(JsonSerializer.Serialize(cell));
        }

        return 0;
    }

    /// <summary>The account as a signed-in request would see it (its session fields are not used by the lookup).</summary>
    private static async Task<ActorContext> ActorAsync(ServiceProvider provider, string userId, CancellationToken ct)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var a = await db.Accounts.AsNoTracking().Where(x => x.UserId == userId)
            .Select(x => new { x.Id, x.UserId, x.DisplayName, x.Kind, x.InstitutionId, x.Institution!.Code, x.Institution.Name, x.Environment })
            .SingleAsync(ct);
        var principal = new SessionPrincipal(0, "", a.Id, a.UserId, a.DisplayName, a.Kind, a.InstitutionId, a.Code, a.Name, a.Environment,
            MustChangePassword: false, PasswordExpired: false, DateTime.UtcNow);
        return new ActorContext(principal, "bench-service", "127.0.0.1");
    }
}

public sealed partial class Orchestrator
{
    /// <summary>
    /// The 資格確認 run on one database: the signed-in search (the reference of the same run), the lookup on the screen at
    /// 1, 4 and 16 users, then — with the server stopped — the lookup through the service in a process of its own at 1 and 16.
    /// </summary>
    private async Task RunLookupAsync(DatabasePlan plan, SeedInfo seed, CancellationToken ct)
    {
        var dir = DataDirectory(plan);
        var (oqsPort, portalPort, operatorPort) = (FreePort(), FreePort(), FreePort());
        var run = new ServerRun("onshi " + plan.Name, $"`onshi serve`, {plan.Provider}, {seed.Members:N0} synthetic members, {seed.Accounts:N0} accounts") { Seed = seed };
        var manifest = SeedManifest.Load(ManifestPath(plan));
        var sample = InsuredSample.Load(dir);
        var target = new OnshiTarget(new Uri($"https://127.0.0.1:{oqsPort}/"), new Uri($"https://127.0.0.1:{portalPort}/"), manifest);
        List<string> args = [options.OnshiDll, "serve", "--data", dir, "--oqs-port", Inv(oqsPort), "--portal-port", Inv(portalPort),
            "--operator-port", Inv(operatorPort), "--ops-port", "0", .. DatabaseArguments(plan)];
        await WithServerAsync(run, ServerProcess.Start("onshi", Environment.ProcessPath!, args, OnshiEnvironment(), Log("onshi-" + plan.Name), options.Work),
            async (server, ct2) =>
            {
                run.FirstResponseSeconds = await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = target.UserAt(manifest.RealCertificateInstitutions[0], 0);
                    return (await u.GetAsync("/Login", c)).Status == 200;
                }, TimeSpan.FromSeconds(120), ct2);
                run.RssAfterStartMb = server.VmRssKb() / 1024.0;
                // A discarded first warm-up per scenario (the JIT's tiers settle on the whole path), then the cells.
                var settle = new CellLimits(TimeSpan.Zero, TimeSpan.FromSeconds(options.Quick ? 2 : 10), int.MaxValue);
                await LoadRunner.RunCellAsync(run.Target, new OnshiSearchScenario(target, 0, "search"), 4, settle, server, ct2);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new OnshiSearchScenario(target, 0, "search"), c, server, ct2);
                }

                await LoadRunner.RunCellAsync(run.Target, new OnshiLookupScenario(target, sample), 4, settle, server, ct2);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new OnshiLookupScenario(target, sample), c, server, ct2);
                }

                // The Web API (issue 16): the same lookups as JSON from a Web API用 account, then a 一括照会 of 10,000 patients.
                await LoadRunner.RunCellAsync(run.Target, new OnshiApiLookupScenario(target, sample), 4, settle, server, ct2);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new OnshiApiLookupScenario(target, sample), c, server, ct2);
                }

                var bulk = await BulkTiming.RunAsync(target, sample, options.Quick ? 1_000 : 10_000, server, ct2) with { Target = run.Target };
                run.Cells.Add(bulk);
                Say($"  {bulk.Scenario,-17} {bulk.Operations} patients: accepted in {bulk.P50Ms:F0} ms, result after {bulk.Seconds:F1} s = {bulk.OpsPerSecond:F0} patients/s, server {bulk.ServerCpuPercent:F0} % of the cores"
                    + (bulk.Errors > 0 ? $"  ERROR: {bulk.FirstError}" : ""));
            }, ct);

        if (run.Failure is not null)
        {
            return;
        }

        var admin = target.Large.Accounts.First(a => a.Kind == "admin");
        try
        {
            foreach (var cell in await ServiceCellsAsync(plan, admin.UserId, options.Quick ? [1, 16] : [1, 4, 16], ct))
            {
                run.Cells.Add(cell);
                Say($"  {cell.Scenario,-17} c={cell.Concurrency,-3} {cell.OpsPerSecond,9:F1} ops/s  p50 {cell.P50Ms,7:F2} ms  p99 {cell.P99Ms,7:F2} ms  CPU/op {cell.ServerCpuMsPerOp:F2} ms  other {cell.OtherCpuPercent,3:F0} %"
                    + (cell.Errors > 0 ? $"  ERRORS {cell.Errors}: {cell.FirstError}" : ""));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.Failure = "lookup-service: " + ex.Message;
            Say($"  FAILED: {run.Failure}");
        }
    }

    /// <summary>The service cells in one child process (its CPU is the service's alone); the child's JSON cells, with its own CPU as the server's.</summary>
    private async Task<List<CellResult>> ServiceCellsAsync(DatabasePlan plan, string userId, int[] concurrencies, CancellationToken ct)
    {
        List<string> args = [options.BenchDll, "lookup-service", "--data", DataDirectory(plan), "--user", userId,
            "--concurrency", string.Join(',', concurrencies.Select(Inv)), "--first-warmup", options.Quick ? "2" : "10",
            "--warmup", Limits.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--seconds", Limits.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--max", Inv(Limits.MaxOperations), .. DatabaseArguments(plan)];
        var (exitCode, output, errors) = await RunChildAsync(args, OnshiEnvironment(), ct);
        await File.AppendAllTextAsync(Log("lookup-service-" + plan.Name), output + errors, CancellationToken.None);
        var cells = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        if (exitCode != 0 || cells.Count != concurrencies.Length)
        {
            throw new InvalidOperationException($"exit {exitCode}: {errors.Split('\n').FirstOrDefault(l => l.Length > 0)}");
        }

        return [.. cells.Select(l => JsonSerializer.Deserialize<CellResult>(l) ?? throw new InvalidOperationException("no cell"))
            .Select(c => c with { Target = "onshi " + plan.Name, ServerCpuPercent = c.ClientCpuPercent, ClientCpuPercent = 0 })];
    }
}
