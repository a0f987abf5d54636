using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;

namespace Onshi.Bench;

/// <summary>The command line of <c>onshi-bench run</c> (run.sh fills it in).</summary>
public sealed class BenchOptions
{
    public bool Quick { get; set; }

    public string Work { get; set; } = "/tmp/onshi-bench";

    public string Out { get; set; } = "docs/performance.md";

    public string OnshiDll { get; set; } = "";

    public string BareDll { get; set; } = "";

    public string? PeerDll { get; set; }

    public string? PostgresUrl { get; set; }

    public string PostgresNote { get; set; } = "";

    public string SdkVersion { get; set; } = "";

    public string Commit { get; set; } = "";

    public HashSet<string>? Only { get; set; }

    /// <summary>
    /// <c>--lookup</c>: the 資格確認 benchmark (issue 15) instead of issue 6's: databases of 20 thousand and 20 million synthetic
    /// members, the lookup on the screen and through the service next to the signed-in アカウント管理 search and bare Kestrel.
    /// </summary>
    public bool Lookup { get; set; }

    /// <summary>The Onshi.Bench assembly itself, started again as <c>lookup-service</c> for the service cells.</summary>
    public string BenchDll { get; set; } = typeof(BenchOptions).Assembly.Location;

    /// <summary>A hand-written analysis appended to the report (bench/analysis.md).</summary>
    public string? Analysis { get; set; }

    /// <summary>Extra environment of the Onshi servers (<c>--onshi-env K=V</c>, repeatable), e.g. runtime knobs to compare.</summary>
    public Dictionary<string, string> OnshiEnvironment { get; init; } = [];

    /// <summary>The onshi under test was published ReadyToRun (<c>--ready-to-run</c>, by bench/run.sh), stated in the report.</summary>
    public bool ReadyToRun { get; set; }

    /// <summary>perf: after each Onshi run's figures, profile extra (unreported) search and login cells.</summary>
    public string? TraceTool { get; set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick": o.Quick = true; break;
                case "--lookup": o.Lookup = true; break;
                case "--work": o.Work = Path.GetFullPath(Next()); break;
                case "--out": o.Out = Path.GetFullPath(Next()); break;
                case "--onshi": o.OnshiDll = Path.GetFullPath(Next()); break;
                case "--bare": o.BareDll = Path.GetFullPath(Next()); break;
                case "--peer": o.PeerDll = Path.GetFullPath(Next()); break;
                case "--pg": o.PostgresUrl = Next(); break;
                case "--pg-note": o.PostgresNote = Next(); break;
                case "--sdk": o.SdkVersion = Next(); break;
                case "--commit": o.Commit = Next(); break;
                case "--onshi-env":
                    var kv = Next().Split('=', 2);
                    o.OnshiEnvironment[kv[0]] = kv.Length > 1 ? kv[1] : "";
                    break;
                case "--ready-to-run": o.ReadyToRun = true; break;
                case "--trace": o.TraceTool = Path.GetFullPath(Next()); break;
                case "--analysis": o.Analysis = Path.GetFullPath(Next()); break;
                case "--only": o.Only = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return o;
    }
}

/// <summary>One database the Onshi figures are taken on.</summary>
/// <param name="Name">The database's name in the report and its data directory.</param>
/// <param name="Provider"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Institutions">seed-scale's institutions.</param>
/// <param name="Large">Of which with 200 accounts.</param>
/// <param name="RealCertificates">Of which with real terminal certificates (the load logs in there).</param>
/// <param name="Members">Synthetic members of the simulated 中間サーバー (<c>onshi seed-insured</c>); 0 for none.</param>
public sealed record DatabasePlan(string Name, string Provider, int Institutions, int Large, int RealCertificates, long Members = 0);

/// <summary>How one database was prepared.</summary>
public sealed record SeedInfo(string Name, string Provider, int Institutions, long Accounts, double Seconds, int NewInstitutions, string Size)
{
    /// <summary>Synthetic members after seed-insured (0 when the plan has none).</summary>
    public long Members { get; init; }

    /// <summary>seed-insured's own summary line of this run (rows, rows/s, or that nothing was to do).</summary>
    public string? MembersSeed { get; init; }

    /// <summary>Wall time of this run's seed-insured.</summary>
    public double MembersSeconds { get; init; }
}

/// <summary>One server's run: time to first response, memory, and its cells.</summary>
public sealed class ServerRun(string target, string description)
{
    public string Target { get; } = target;

    public string Description { get; } = description;

    public double FirstResponseSeconds { get; set; }

    public double RssAfterStartMb { get; set; }

    public double RssAfterLoadMb { get; set; }

    /// <summary>RSS after load split into anonymous, file-backed and shared memory (MB), for the analysis.</summary>
    public string RssAfterLoadDetail { get; set; } = "";

    public double PeakRssMb { get; set; }

    public string LoadBefore { get; set; } = "";

    public string LoadAfter { get; set; } = "";

    public List<CellResult> Cells { get; init; } = [];

    public SeedInfo? Seed { get; set; }

    public string? Failure { get; set; }

    /// <summary>Scrapes of the server's <c>/metrics</c> (issue 17) after its start and after each cell, outside the measured phases.</summary>
    public List<MetricsScrape> Scrapes { get; init; } = [];

    public CellResult? Cell(string scenario, int concurrency) => Cells.FirstOrDefault(c => c.Scenario == scenario && c.Concurrency == concurrency);

    public CellResult? Best(string scenario) => Cells.Where(c => c.Scenario == scenario && c.Errors == 0).MaxBy(c => c.OpsPerSecond);
}

/// <summary>
/// One scrape of an Onshi server's operations endpoint: <paramref name="After"/> names the moment (start, or a cell), and
/// <paramref name="Values"/> holds the sums of the series <see cref="MetricsScrape.Series"/> names.
/// </summary>
public sealed record MetricsScrape(string After, Dictionary<string, double> Values)
{
    /// <summary>The columns: a name and the metric plus the labels a sample must carry to count.</summary>
    public static readonly (string Name, string Metric, string[] Labels)[] Series =
    [
        ("logins ok", "onshi_logins_total", ["outcome=\"success\""]),
        ("initializations", "onshi_password_initializations_total", []),
        ("lookups", "onshi_lookups_total", []),
        ("audit commits", "onshi_audit_commit_duration_seconds_count", []),
        ("OQS requests", "http_server_request_duration_seconds_count", ["onshi_site=\"oqs\""]),
        ("portal requests", "http_server_request_duration_seconds_count", ["onshi_site=\"portal\""]),
    ];

    /// <summary>Fetches <c>/metrics</c> over plain HTTP and sums the <see cref="Series"/>.</summary>
    public static async Task<MetricsScrape> FetchAsync(string after, int port, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), ct);
        var values = Series.ToDictionary(x => x.Name, _ => 0.0, StringComparer.Ordinal);

        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var key = line[..space];
            foreach (var (name, metric, labels) in Series)
            {
                if ((key == metric || key.StartsWith(metric + "{", StringComparison.Ordinal)) && labels.All(l => key.Contains(l, StringComparison.Ordinal))
                    && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                {
                    values[name] += v;
                }
            }
        }

        return new MetricsScrape(after, values);
    }
}

/// <summary>Everything one run measured.</summary>
public sealed class BenchResults
{
    public DateTimeOffset Started { get; init; } = DateTimeOffset.Now;

    public DateTimeOffset Finished { get; set; }

    public string LoadBefore { get; init; } = ProcStat.LoadAverage();

    public string LoadAfter { get; set; } = "";

    public HashCeilingResult? Hash { get; set; }

    public List<ServerRun> Runs { get; init; } = [];

    public ServerRun? Run(string target) => Runs.FirstOrDefault(r => r.Target == target);
}

/// <summary>Runs every measurement in order on this machine and writes the report.</summary>
public sealed partial class Orchestrator(BenchOptions options)
{
    private const string PeerEmail = "bench@peer.invalid";
    private const string PeerPassword = "Synthetic-Load-2026!";

    private static readonly string[] Sites = ["oqs", "portal", "operator"];

    private readonly BenchResults _results = new();

    private CellLimits Limits => options.Quick
        ? new CellLimits(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5), 200_000)
        : new CellLimits(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), 1_000_000);

    private int[] Concurrencies(bool wide) => options.Quick ? (wide ? [1, 16] : [4]) : (wide ? [1, 4, 16, 64] : [1, 4, 16]);

    private List<DatabasePlan> Databases()
    {
        List<DatabasePlan> plans = options.Lookup
            ? options.Quick
                ? [new("sqlite-2k", "sqlite", 20, 1, 4, 2_000), new("sqlite-20k", "sqlite", 20, 1, 4, 20_000),
                   new("postgres-2k", "postgres", 20, 1, 4, 2_000), new("postgres-20k", "postgres", 20, 1, 4, 20_000)]
                : [new("sqlite-20k", "sqlite", 20, 1, 4, 20_000), new("sqlite-20M", "sqlite", 20, 1, 4, 20_000_000),
                   new("postgres-20k", "postgres", 20, 1, 4, 20_000), new("postgres-20M", "postgres", 20, 1, 4, 20_000_000)]
            : options.Quick
            ? [new("sqlite-tiny", "sqlite", 20, 1, 4), new("postgres-tiny", "postgres", 20, 1, 4)]
            : [new("sqlite-1k", "sqlite", 100, 1, 16), new("sqlite-2.5M", "sqlite", 250_000, 10, 16),
               new("postgres-1k", "postgres", 100, 1, 16), new("postgres-2.5M", "postgres", 250_000, 10, 16)];
        // The sites alone and the references (bare, peer) run on the first SQLite database's certificates: --only oqs-alone (or
        // bare, peer) still prepares that one.
        return [.. plans.Where(p => (p.Provider != "postgres" || options.PostgresUrl is not null)
            && (options.Only is null || options.Only.Contains(p.Name)
                || (options.Only.Any(o => o.EndsWith("-alone", StringComparison.Ordinal) || o is "bare" or "peer")
                    && p == plans.First(x => x.Provider == "sqlite"))))];
    }

    public async Task<BenchResults> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.Work);
        Say($"onshi-bench {(options.Quick ? "--quick " : "")}· work {options.Work} · load average {_results.LoadBefore}");

        if (!options.Lookup && (options.Only is null || options.Only.Contains("hash")))
        {
            Say("hash ceiling: Argon2id verifications, one thread per core …");
            _results.Hash = HashCeiling.Measure(options.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10), ct);
            Say($"  {_results.Hash.HashesPerSecond:F1} hashes/s on {_results.Hash.Threads} threads ({_results.Hash.MsPerHash:F1} ms each), other processes {_results.Hash.OtherCpuPercent:F0} % of the cores");
        }

        var first = true;
        var aloneDone = false;
        foreach (var plan in Databases())
        {
            var seed = await SeedAsync(plan, ct);
            if (first)
            {
                first = false;
                // The references run on the first database's server certificate, next to its Onshi run.
                var (pfx, password) = ExportServerCertificate(DataDirectory(plan));
                var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(DataDirectory(plan), "ca", "ca.crt"));
                var manifest = SeedManifest.Load(ManifestPath(plan));
                var terminal = manifest.RealCertificateInstitutions[0].Terminals[0];
                using var clientCertificate = X509CertificateLoader.LoadPkcs12FromFile(terminal.Pfx, terminal.Passphrase);
                if (options.Only is null || options.Only.Contains("bare"))
                {
                    await RunBareAsync(pfx, password, ca, clientCertificate, ct);
                }

                if (!options.Lookup && options.PeerDll is not null && (options.Only is null || options.Only.Contains("peer")))
                {
                    await RunPeerAsync(pfx, password, ca, ct);
                }
            }

            if (options.Lookup)
            {
                await RunLookupAsync(plan, seed, ct);
            }
            else
            {
                if (options.Only is null || options.Only.Contains(plan.Name))
                {
                    await RunOnshiAsync(plan, seed, ct);
                }

                if (!aloneDone && plan.Provider == "sqlite")
                {
                    aloneDone = true;
                    foreach (var site in Sites.Where(x => options.Only is null || options.Only.Contains(x + "-alone")))
                    {
                        await RunSiteAloneAsync(site, plan, seed, ct);
                    }
                }
            }
        }

        _results.Finished = DateTimeOffset.Now;
        _results.LoadAfter = ProcStat.LoadAverage();
        return _results;
    }

    private string DataDirectory(DatabasePlan plan) => Path.Combine(options.Work, "db", plan.Name);

    private string ManifestPath(DatabasePlan plan) => Path.Combine(DataDirectory(plan), "seed-scale", "manifest.json");

    private string ConnectionString(DatabasePlan plan) =>
        Regex.Replace(options.PostgresUrl!, "Database=[^;]*", "Database=onshi_bench_" + plan.Name.Replace('-', '_').Replace('.', '_'), RegexOptions.IgnoreCase);

    private List<string> DatabaseArguments(DatabasePlan plan) =>
        plan.Provider == "postgres" ? ["--db", "postgres", "--connection", ConnectionString(plan)] : [];

    /// <summary>
    /// <c>onshi seed-scale</c> into the plan's data directory: a database that is already complete is left as it is
    /// (the command is resumable and adds nothing then), so runs after the first start at once.
    /// </summary>
    private async Task<SeedInfo> SeedAsync(DatabasePlan plan, CancellationToken ct)
    {
        var dir = DataDirectory(plan);
        Directory.CreateDirectory(dir);
        List<string> args = [options.OnshiDll, "seed-scale", "--institutions", Inv(plan.Institutions), "--large-institutions", Inv(plan.Large),
            "--real-certificates", Inv(plan.RealCertificates), "--data", dir, .. DatabaseArguments(plan)];
        Say($"{plan.Name}: seed-scale --institutions {plan.Institutions} --large-institutions {plan.Large} --real-certificates {plan.RealCertificates} …");
        var log = Path.Combine(options.Work, "logs", $"seed-{plan.Name}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var clock = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await RunChildAsync(args, null, ct);
        var output = stdout + stderr;
        await File.WriteAllTextAsync(log, output, CancellationToken.None);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"seed-scale for {plan.Name} failed (exit {exitCode}); see {log}");
        }

        var manifest = SeedManifest.Load(ManifestPath(plan));
        if (!manifest.Complete)
        {
            throw new InvalidOperationException($"the manifest of {plan.Name} is not complete");
        }

        var added = SeedLine().Match(output);
        var size = DatabaseSize().Match(output);
        var sqliteFile = Path.Combine(dir, "onshi.db");
        var sizeText = size.Success ? size.Groups[1].Value
            : plan.Provider == "sqlite" && File.Exists(sqliteFile) ? string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(sqliteFile).Length / 1048576.0:F1} MiB")
            : "–";
        var newInstitutions = added.Success ? int.Parse(added.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)
            : output.Contains("nothing to do", StringComparison.Ordinal) ? 0 : -1;
        var info = new SeedInfo(plan.Name, plan.Provider, manifest.Institutions, manifest.Accounts, clock.Elapsed.TotalSeconds, newInstitutions, sizeText);
        Say($"  {info.Accounts:N0} accounts, {info.Size}, {info.NewInstitutions:N0} institutions added in {info.Seconds:F1} s");
        if (plan.Members > 0)
        {
            info = await SeedMembersAsync(plan, info, ct);
        }

        return info;
    }

    /// <summary>
    /// <c>onshi seed-insured --members N</c> into the same database (resumable: a complete population adds nothing); its summary
    /// line and time are kept for the report, and the database size is taken again.
    /// </summary>
    private async Task<SeedInfo> SeedMembersAsync(DatabasePlan plan, SeedInfo info, CancellationToken ct)
    {
        var dir = DataDirectory(plan);
        List<string> args = [options.OnshiDll, "seed-insured", "--members", plan.Members.ToString(CultureInfo.InvariantCulture), "--data", dir, .. DatabaseArguments(plan)];
        Say($"{plan.Name}: seed-insured --members {plan.Members:N0} …");
        var clock = Stopwatch.StartNew();
        var (exitCode, output, errors) = await RunChildAsync(args, null, ct);
        await File.WriteAllTextAsync(Path.Combine(options.Work, "logs", $"seed-insured-{plan.Name}.log"), output + errors, CancellationToken.None);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"seed-insured for {plan.Name} failed (exit {exitCode}); see the log");
        }

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var sqliteFile = Path.Combine(dir, "onshi.db");
        var size = plan.Provider == "sqlite" && File.Exists(sqliteFile)
            ? string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(sqliteFile).Length / 1048576.0:F1} MiB")
            : await PostgresSizeAsync(plan, ct) ?? info.Size;
        Say($"  {line} ({clock.Elapsed.TotalSeconds:F1} s); database {size}");
        return info with { Members = plan.Members, MembersSeed = line, MembersSeconds = clock.Elapsed.TotalSeconds, Size = size };
    }

    /// <summary>
    /// Runs <c>dotnet ARGS</c> (another onshi or onshi-bench command) to its end with extra <paramref name="environment"/>;
    /// its exit code and whole output. Cancelling kills it.
    /// </summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunChildAsync(List<string> args, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>pg_database_size of the plan's database, through psql (null when psql is not there).</summary>
    private async Task<string?> PostgresSizeAsync(DatabasePlan plan, CancellationToken ct)
    {
        var cs = ConnectionString(plan);
        string Part(string key) => Regex.Match(cs, key + "=([^;]*)", RegexOptions.IgnoreCase).Groups[1].Value;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("psql", ["-h", Part("Host"), "-p", Part("Port"), "-U", Part("Username"), "-d", Part("Database"), "-Atc",
                "select pg_size_pretty(pg_database_size(current_database()))"])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var text = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            return p.ExitCode == 0 ? text.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\(([\d,]+) new\)")]
    private static partial Regex SeedLine();

    [GeneratedRegex(@"database ([\d.,]+ [KMG]iB)")]
    private static partial Regex DatabaseSize();

    /// <summary>The OQS server certificate of a data directory (the same object Onshi serves), as a PKCS#12 for the references.</summary>
    private (string Path, string Password) ExportServerCertificate(string dataDirectory)
    {
        using var ca = CertificateAuthority.LoadOrCreate(dataDirectory, TimeProvider.System, MasterKey.Resolve(dataDirectory));
        using var certificate = ca.GetOrIssueServerCertificate([]);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = Path.Combine(options.Work, "tls", "server.pfx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return (path, password);
    }

    private async Task RunBareAsync(string pfx, string password, X509Certificate2 ca, X509Certificate2 clientCertificate, CancellationToken ct)
    {
        var port = FreePort();
        var uri = new Uri($"https://127.0.0.1:{port}/");
        var run = new ServerRun("bare", "bare Kestrel + Razor Pages, one form page with an antiforgery token; same server certificate, client certificate asked for (AllowCertificate) and sent");
        await WithServerAsync(run, ServerProcess.Start("bare-kestrel", Environment.ProcessPath!, [options.BareDll, "--port", Inv(port), "--pfx", pfx],
                new Dictionary<string, string> { ["BARE_PFX_PASSWORD"] = password }, Log("bare-kestrel"), Path.GetDirectoryName(options.BareDll)!),
            async (server, ct2) =>
            {
                run.FirstResponseSeconds = await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = new BenchUser(BenchHttp.CreateClient(uri, ca, clientCertificate));
                    return (await u.GetAsync("/", c)).Status == 200;
                }, TimeSpan.FromSeconds(60), ct2);
                var scenario = new BareFormScenario(uri, ca, clientCertificate);
                foreach (var c in Concurrencies(wide: true))
                {
                    await CellAsync(run, scenario, c, server, ct2);
                }

                // The Web API's baseline (issue 16): the same JSON request over the same mutual TLS.
                var json = new BareJsonScenario(uri, ca, clientCertificate, null);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, json, c, server, ct2);
                }
            }, ct);
    }

    private async Task RunPeerAsync(string pfx, string password, X509Certificate2 ca, CancellationToken ct)
    {
        var port = FreePort();
        var uri = new Uri($"https://127.0.0.1:{port}/");
        var peerDir = Path.Combine(options.Work, "peer");
        Directory.CreateDirectory(peerDir);
        var run = new ServerRun("peer", "`dotnet new webapp --auth Individual` (ASP.NET Core Identity, SQLite), published Release; one user; same server certificate; no client certificate asked for");
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Kestrel__Endpoints__Https__Url"] = uri.ToString().TrimEnd('/'),
            ["Kestrel__Endpoints__Https__Certificate__Path"] = pfx,
            ["Kestrel__Endpoints__Https__Certificate__Password"] = password,
            ["ConnectionStrings__DefaultConnection"] = $"DataSource={Path.Combine(peerDir, "peer.db")};Cache=Shared",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["PEER_USER"] = PeerEmail,
            ["PEER_PASSWORD"] = PeerPassword,
        };
        await WithServerAsync(run, ServerProcess.Start("peer", Environment.ProcessPath!, [options.PeerDll!], env, Log("peer"), Path.GetDirectoryName(options.PeerDll)!),
            async (server, ct2) =>
            {
                run.FirstResponseSeconds = await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = new BenchUser(BenchHttp.CreateClient(uri, ca, null));
                    return (await u.GetAsync("/Identity/Account/Login", c)).Status == 200;
                }, TimeSpan.FromSeconds(60), ct2);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new PeerScenario(uri, ca, PeerEmail, PeerPassword, login: true), c, server, ct2);
                }

                foreach (var c in Concurrencies(wide: true))
                {
                    await CellAsync(run, new PeerScenario(uri, ca, PeerEmail, PeerPassword, login: false), c, server, ct2);
                }
            }, ct);
    }

    private async Task RunOnshiAsync(DatabasePlan plan, SeedInfo seed, CancellationToken ct)
    {
        var dir = DataDirectory(plan);
        var (oqsPort, portalPort, operatorPort, opsPort) = (FreePort(), FreePort(), FreePort(), FreePort());
        var run = new ServerRun("onshi " + plan.Name, $"`onshi serve`, {plan.Provider}, {seed.Institutions:N0} institutions, {seed.Accounts:N0} accounts") { Seed = seed };
        var manifest = SeedManifest.Load(ManifestPath(plan));
        var target = new OnshiTarget(new Uri($"https://127.0.0.1:{oqsPort}/"), new Uri($"https://127.0.0.1:{portalPort}/"), manifest);
        List<string> args = [options.OnshiDll, "serve", "--data", dir, "--oqs-port", Inv(oqsPort), "--portal-port", Inv(portalPort),
            "--operator-port", Inv(operatorPort), "--ops-port", Inv(opsPort), .. DatabaseArguments(plan)];
        await WithServerAsync(run, ServerProcess.Start("onshi", Environment.ProcessPath!, args, OnshiEnvironment(), Log("onshi-" + plan.Name), options.Work),
            async (server, ct2) =>
            {
                var institution = manifest.RealCertificateInstitutions[0];
                run.FirstResponseSeconds = await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = target.UserAt(institution, 0);
                    return (await u.GetAsync("/Login", c)).Status == 200;
                }, TimeSpan.FromSeconds(120), ct2);
                await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = new BenchUser(BenchHttp.CreateClient(target.Portal, target.Ca, null));
                    return (await u.GetAsync("/Account/Login", c)).Status == 200;
                }, TimeSpan.FromSeconds(120), ct2);
                run.RssAfterStartMb = server.VmRssKb() / 1024.0;
                run.Scrapes.Add(await MetricsScrape.FetchAsync("start", opsPort, ct2));
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new OnshiLoginScenario(target), c, server, ct2, opsPort);
                }

                foreach (var c in Concurrencies(wide: true))
                {
                    await CellAsync(run, new OnshiSearchScenario(target, 0, "search"), c, server, ct2, opsPort);
                }

                await CellAsync(run, new OnshiSearchScenario(target, 4, "search-kind"), 16, server, ct2, opsPort);
                var init = new OnshiInitializeScenario(target);
                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, init, c, server, ct2, opsPort);
                }

                foreach (var c in Concurrencies(wide: false))
                {
                    await CellAsync(run, new PortalDocumentsScenario(target), c, server, ct2, opsPort);
                }

                if (options.TraceTool is not null)
                {
                    await TraceAsync(run, new OnshiSearchScenario(target, 0, "search"), 16, server, ct2);
                    await TraceAsync(run, new OnshiLoginScenario(target), Math.Min(16, manifest.RealCertificateInstitutions.Count * 2), server, ct2);
                }
            }, ct);
    }

    /// <summary>
    /// Each site alone (<c>onshi serve --site S</c>, issue 17) on the first SQLite database: first response, memory after
    /// start and after load, next to bare Kestrel's in the same run. The OQS: logins and the signed-in search at 16 users;
    /// the portal: its document list at 16 users; the console (no scenario of its own): its login page only.
    /// </summary>
    private async Task RunSiteAloneAsync(string site, DatabasePlan plan, SeedInfo seed, CancellationToken ct)
    {
        var dir = DataDirectory(plan);
        var (port, opsPort) = (FreePort(), FreePort());
        var run = new ServerRun($"{site}-alone {plan.Name}", $"`onshi serve --site {site}`, {plan.Provider}, {seed.Institutions:N0} institutions, {seed.Accounts:N0} accounts") { Seed = seed };
        var manifest = SeedManifest.Load(ManifestPath(plan));
        var siteUri = new Uri($"https://127.0.0.1:{port}/");
        var target = new OnshiTarget(siteUri, siteUri, manifest);
        var portArgument = site switch { "oqs" => "--oqs-port", "portal" => "--portal-port", _ => "--operator-port" };
        List<string> args = [options.OnshiDll, "serve", "--site", site, "--data", dir, portArgument, Inv(port), "--ops-port", Inv(opsPort),
            .. DatabaseArguments(plan)];
        await WithServerAsync(run, ServerProcess.Start("onshi", Environment.ProcessPath!, args, OnshiEnvironment(), Log($"{site}-alone-" + plan.Name), options.Work),
            async (server, ct2) =>
            {
                var institution = manifest.RealCertificateInstitutions[0];
                run.FirstResponseSeconds = await server.WaitForFirstResponseAsync(async c =>
                {
                    using var u = site == "oqs" ? target.UserAt(institution, 0) : new BenchUser(BenchHttp.CreateClient(siteUri, target.Ca, null));
                    return (await u.GetAsync(site == "portal" ? "/Account/Login" : "/Login", c)).Status == 200;
                }, TimeSpan.FromSeconds(120), ct2);
                run.RssAfterStartMb = server.VmRssKb() / 1024.0;
                run.Scrapes.Add(await MetricsScrape.FetchAsync("start", opsPort, ct2));
                if (site == "oqs")
                {
                    await CellAsync(run, new OnshiLoginScenario(target), 16, server, ct2, opsPort);
                    await CellAsync(run, new OnshiSearchScenario(target, 0, "search"), 16, server, ct2, opsPort);
                }
                else if (site == "portal")
                {
                    await CellAsync(run, new PortalDocumentsScenario(target), 16, server, ct2, opsPort);
                }
            }, ct);
    }

    private Dictionary<string, string> OnshiEnvironment()
    {
        // The load logs the same accounts in from many cookie jars at once (a login cell is fresh jars on the same accounts,
        // the page cells log the master in per worker): one live session per account (SPEC §4.8) would answer those with the
        // 強制ログイン question, so the servers allow concurrent sessions. --onshi-env can set it back.
        // The Web API's rate limits (20/s per token, 50/s per terminal certificate) are a policy for one clinic's software, not
        // the server's capacity: the load of 16 clients on one certificate would be refused with 429, so they are raised here.
        var env = new Dictionary<string, string>
        {
            ["Onshi__Sessions__OneLiveSessionPerAccount"] = "false",
            ["Onshi__WebApi__TokenRequestsPerSecond"] = "1000000",
            ["Onshi__WebApi__TokenBurst"] = "1000000",
            ["Onshi__WebApi__CertificateRequestsPerSecond"] = "1000000",
            ["Onshi__WebApi__CertificateBurst"] = "1000000",
        };
        foreach (var (key, value) in options.OnshiEnvironment)
        {
            env[key] = value;
        }

        if (options.TraceTool is not null)
        {
            env["DOTNET_PerfMapEnabled"] = "1";
            env["DOTNET_EnableWriteXorExecute"] = "0";
        }

        return env;
    }

    /// <summary>Starts nothing itself: runs <paramref name="body"/> against a started server, records memory, stops it by PID.</summary>
    private async Task WithServerAsync(ServerRun run, ServerProcess server, Func<ServerProcess, CancellationToken, Task> body, CancellationToken ct)
    {
        _results.Runs.Add(run);
        run.LoadBefore = ProcStat.LoadAverage();
        Say($"{run.Target}: started, PID {server.Pid} (log {server.LogPath})");
        try
        {
            await body(server, ct);
            Say($"  first response {run.FirstResponseSeconds:F2} s after start");
            // RSS after load: the server idle for 2 s after its last cell, nothing forced (no GC call from outside).
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            run.RssAfterLoadMb = server.VmRssKb() / 1024.0;
            run.RssAfterLoadDetail = server.RssBreakdown();
            run.PeakRssMb = server.PeakRssKb / 1024.0;
            Say($"  RSS after load {run.RssAfterLoadMb:F0} MB ({run.RssAfterLoadDetail}), peak {run.PeakRssMb:F0} MB");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.Failure = ex.Message;
            Say($"  FAILED: {ex.Message}");
        }
        finally
        {
            run.LoadAfter = ProcStat.LoadAverage();
            var pid = server.Pid;
            await server.DisposeAsync();
            // The JIT's symbol map of a profiled server (DOTNET_PerfMapEnabled) is only needed while perf reports.
            File.Delete($"/tmp/perf-{pid}.map");
        }
    }

    private async Task CellAsync(ServerRun run, IScenario scenario, int concurrency, ServerProcess server, CancellationToken ct, int? opsPort = null)
    {
        var cell = await LoadRunner.RunCellAsync(run.Target, scenario, concurrency, Limits, server, ct);
        run.Cells.Add(cell);
        if (opsPort is { } port)
        {
            // After the measured phase: the scrape itself is not in the cell's figures.
            run.Scrapes.Add(await MetricsScrape.FetchAsync($"{scenario.Name} c={concurrency}", port, ct));
        }

        Say($"  {scenario.Name,-17} c={concurrency,-3} {cell.OpsPerSecond,9:F1} ops/s {cell.RequestsPerSecond,9:F1} req/s  p50 {cell.P50Ms,7:F1} ms  p99 {cell.P99Ms,7:F1} ms  "
            + $"server {cell.ServerCpuPercent,3:F0} % client {cell.ClientCpuPercent,3:F0} % other {cell.OtherCpuPercent,3:F0} %  RSS {cell.ServerRssMb,4:F0} MB"
            + (cell.Errors > 0 ? $"  ERRORS {cell.Errors}: {cell.FirstError}" : ""));
    }

    /// <summary>
    /// An extra cell, not in the figures, with <c>perf record</c> sampling the server's CPU during the measured phase (the
    /// server runs with DOTNET_PerfMapEnabled=1 and W^X off so that JIT-compiled methods have names); the top symbols by own CPU
    /// and by CPU including callees go to WORK/traces/*.txt.
    /// </summary>
    private async Task TraceAsync(ServerRun run, IScenario scenario, int concurrency, ServerProcess server, CancellationToken ct)
    {
        var dir = Path.Combine(options.Work, "traces");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{run.Target.Replace(' ', '-')}-{scenario.Name}-c{concurrency}.perf.data");
        var seconds = (int)Math.Max(2, Limits.Duration.TotalSeconds);
        var limits = Limits with { Duration = TimeSpan.FromSeconds(seconds + 1) };
        var cell = await LoadRunner.RunCellAsync(run.Target, scenario, concurrency, limits, server, ct, async c =>
        {
            using var p = Process.Start(new ProcessStartInfo(options.TraceTool!, ["record", "-F", "499", "-g", "-p", Inv(server.Pid), "-o", file, "--", "sleep", Inv(seconds)])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            await p.StandardError.ReadToEndAsync(c);
            await p.WaitForExitAsync(c);
        });
        foreach (var (suffix, extra) in new[] { ("self", "--no-children"), ("children", "--children") })
        {
            using var p = Process.Start(new ProcessStartInfo(options.TraceTool!, ["report", "-i", file, "--stdio", extra, "-g", "none", "--sort", "dso,sym", "--percent-limit", "0.7"])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var text = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            await File.WriteAllTextAsync(Path.ChangeExtension(file, $".{suffix}.txt"), text, ct);
        }

        Say($"  profiled {scenario.Name} c={concurrency} ({cell.OpsPerSecond:F1} ops/s while sampled): {Path.ChangeExtension(file, ".self.txt")}");
    }

    private string Log(string name) => Path.Combine(options.Work, "logs", name + ".log");

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static void Say(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
