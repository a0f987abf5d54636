using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Onshi.Bench;

/// <summary>One target of issue 6 and how this run did against it.</summary>
public sealed record TargetRow(string Target, string Measured, bool? Reached, string Note);

/// <summary>Writes the run as docs/performance.md and as a plain table on the console.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<TargetRow> Targets(BenchResults r, bool readyToRun = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        var rows = new List<TargetRow>();
        var onshi = r.Runs.Where(x => x.Target.StartsWith("onshi ", StringComparison.Ordinal)).ToList();
        var bare = r.Run("bare");
        var peer = r.Run("peer");
        var hash = r.Hash;

        foreach (var run in onshi)
        {
            var login = run.Best("login");
            if (hash is null || login is null)
            {
                continue;
            }

            var ratio = login.OpsPerSecond / hash.HashesPerSecond;
            var rest = login.ServerCpuMsPerOp - hash.CpuMsPerHash;
            // The hash's share of a login's server CPU = logins/s ÷ hashes/s on cores each has to itself.
            var perCpu = hash.CpuMsPerHash / login.ServerCpuMsPerOp;
            rows.Add(new(Name(run, "logins/s ≥ 90 % of the hash ceiling"), F($"{login.OpsPerSecond:F1}/s (c={login.Concurrency}) = {ratio:P0} of {hash.HashesPerSecond:F1}; by CPU per login {perCpu:P0}"), ratio >= 0.9,
                F($"server CPU per login {login.ServerCpuMsPerOp:F1} ms, of which the Argon2id verification ≈ {hash.CpuMsPerHash:F1} ms ({perCpu:P0}), the rest {rest:F1} ms (3 requests: TLS records, antiforgery, Razor, EF queries, session and audit rows in one commit); the load client took {login.ClientCpuPercent:F0} % of the cores, other processes {login.OtherCpuPercent:F0} %, the server {login.ServerCpuPercent:F0} %")));
        }

        var primary = onshi.FirstOrDefault();
        var search16 = primary?.Cell("search", 16);
        if (primary is not null && search16 is not null)
        {
            if (bare?.Cell("form-page", 16) is { } b)
            {
                var ratio = search16.RequestsPerSecond / b.RequestsPerSecond;
                rows.Add(new(Name(primary, "search ≥ 40 % of bare Kestrel's form page (c=16)"), F($"{search16.RequestsPerSecond:F0} vs {b.RequestsPerSecond:F0} req/s = {ratio:P0}; by CPU per request {b.ServerCpuMsPerOp / search16.ServerCpuMsPerOp:P0}"), ratio >= 0.4 && search16.Errors == 0,
                    F($"server CPU per request: Onshi {search16.ServerCpuMsPerOp:F2} ms, bare {b.ServerCpuMsPerOp:F2} ms — Onshi's extra is two database queries (the search's count and page; the terminal certificate and the session come from memory since issue 17), the layout, the security headers and the middleware (see the analysis); load client {search16.ClientCpuPercent:F0} % / {b.ClientCpuPercent:F0} % of the cores, other processes {search16.OtherCpuPercent:F0} % / {b.OtherCpuPercent:F0} %")));
            }

            if (peer?.Cell("manage-page", 16) is { } p)
            {
                // Issue 17: the signed-in page costs the server no more CPU than the peer's authenticated page.
                rows.Add(new(Name(primary, "search: server CPU per request ≤ the peer's authenticated page (c=16)"),
                    F($"Onshi {search16.ServerCpuMsPerOp:F2} ms vs peer {p.ServerCpuMsPerOp:F2} ms = {search16.ServerCpuMsPerOp / p.ServerCpuMsPerOp:F2}× ({search16.RequestsPerSecond:F0} vs {p.RequestsPerSecond:F0} req/s)"),
                    search16.ServerCpuMsPerOp <= p.ServerCpuMsPerOp && search16.Errors == 0,
                    F($"Onshi's page does more: two queries (the count and a page of 20 rows of 200, each prepared anew by SQLite), the terminal certificate and the session (from memory), a bigger layout; the peer reads its user once (see the analysis)")));
            }

            rows.Add(new(Name(primary, "search p99 ≤ 10 ms at 16 users"), F($"p99 {search16.P99Ms:F1} ms (p50 {search16.P50Ms:F1})"), search16.P99Ms <= 10 && search16.Errors == 0,
                F($"with 16 users on {Environment.ProcessorCount} cores a request waits for ~{16.0 / Environment.ProcessorCount:F0} others: p99 ≈ queue × service time ({search16.ServerCpuMsPerOp:F2} ms CPU per request); the load client takes {search16.ClientCpuPercent:F0} % of the same cores, other processes {search16.OtherCpuPercent:F0} %")));
        }

        foreach (var provider in new[] { "sqlite", "postgres" })
        {
            var small = onshi.FirstOrDefault(x => x.Seed?.Provider == provider && x.Seed.Accounts < 100_000);
            var large = onshi.FirstOrDefault(x => x.Seed?.Provider == provider && x.Seed.Accounts >= 1_000_000);
            if (small is null || large is null)
            {
                continue;
            }

            foreach (var scenario in new[] { "search", "search-kind" })
            {
                if (small.Cell(scenario, 16) is { } s && large.Cell(scenario, 16) is { } l)
                {
                    var ratio = l.P99Ms / s.P99Ms;
                    rows.Add(new(F($"{provider}: {scenario} p99 at {large.Seed!.Accounts:N0} accounts ≤ 1.2× p99 at {small.Seed!.Accounts:N0}"),
                        F($"{l.P99Ms:F1} vs {s.P99Ms:F1} ms = {ratio:F2}×"), ratio <= 1.2 && l.Errors == 0,
                        F($"server CPU per request {l.ServerCpuMsPerOp:F2} vs {s.ServerCpuMsPerOp:F2} ms; other processes {l.OtherCpuPercent:F0} % vs {s.OtherCpuPercent:F0} % of the cores")));
                }
            }
        }

        // Issue 17: logins ≥ 2× the peer's (each its best cell), with the hash's share of a login as before.
        if (peer?.Best("login") is { } peerLogin)
        {
            foreach (var run in onshi)
            {
                if (run.Best("login") is { } login)
                {
                    var ratio = login.OpsPerSecond / peerLogin.OpsPerSecond;
                    var share = hash is null ? "" : F($"; the Argon2id verification is {hash.CpuMsPerHash / login.ServerCpuMsPerOp:P0} of Onshi's CPU per login");
                    rows.Add(new(Name(run, "logins/s ≥ 2× the peer's"), F($"{login.OpsPerSecond:F1} vs {peerLogin.OpsPerSecond:F1}/s = {ratio:F2}× (CPU per login {login.ServerCpuMsPerOp:F1} vs {peerLogin.ServerCpuMsPerOp:F1} ms){share}"),
                        ratio >= 2 && login.Errors == 0, "a login is one password verification on each side: Argon2id here, PBKDF2 100,000 iterations in the peer"));
                }
            }
        }

        // Issue 17: the OQS alone (onshi serve --site oqs) next to bare Kestrel in the same run (the portal and the console alone are in the servers' table).
        if (r.Runs.FirstOrDefault(x => x.Target.StartsWith("oqs-alone ", StringComparison.Ordinal)) is { Failure: null } alone)
        {
            if (bare is { Failure: null, RssAfterLoadMb: > 0 })
            {
                var ratio = alone.RssAfterLoadMb / bare.RssAfterLoadMb;
                rows.Add(new(Name(alone, "RSS after load ≤ 1.2× bare Kestrel's"), F($"{alone.RssAfterLoadMb:F0} vs {bare.RssAfterLoadMb:F0} MB = {ratio:F2}× (after start {alone.RssAfterStartMb:F0} MB, peak {alone.PeakRssMb:F0} MB)"),
                    ratio <= 1.2, "the OQS alone still maps EF Core, both providers, Razor, Data Protection and OpenTelemetry, and holds the EF model and the JIT's code for them (see the analysis); the peak includes the Argon2id regions (19 MiB per core, kept while logins come)"));
            }

            rows.Add(new(Name(alone, "first response ≤ 1.0 s after start"), F($"{alone.FirstResponseSeconds:F2} s{(readyToRun ? " (ReadyToRun)" : " (JIT; bench/run.sh --ready-to-run)")}"), alone.FirstResponseSeconds <= 1.0,
                "process start → first 200 of GET /Login over mutual TLS: runtime start, the operations endpoint (beside the site), one web application built, the EF Core model built (~0.3 s), migration check, key ring, then the first request's handshake and first-use JIT (phases: docs/decisions.md)"));
        }

        foreach (var run in onshi.Where(x => x.Failure is null))
        {
            rows.Add(new(Name(run, "RSS after load ≤ 150 MB"), F($"{run.RssAfterLoadMb:F0} MB (peak {run.PeakRssMb:F0}, after start {run.RssAfterStartMb:F0})"), run.RssAfterLoadMb <= 150,
                "one process serves three sites: ~90 MB of mapped assemblies, ~50 MB of shared memory holding the JIT-compiled code (W^X; turning W^X off moved it, not shrank it: measured), the rest GC heap and native memory (see the analysis); the peak includes the Argon2id regions (19 MiB per core, kept while logins come, given back 5 s after the last)"));
            rows.Add(new(Name(run, "first response ≤ 1.5 s after start"), F($"{run.FirstResponseSeconds:F2} s"), run.FirstResponseSeconds <= 1.5,
                "process start → first 200 of GET /Login over mutual TLS: runtime start, migration check, key ring, CA and server certificate, three web applications built, " +
                (readyToRun
                    ? "Onshi's assemblies, EF Core and Npgsql precompiled (ReadyToRun); the three sites' start competes with the first request for the cores"
                    : "Onshi's assemblies, EF Core and Npgsql JIT-compiled (no ReadyToRun; bench/run.sh --ready-to-run)")));
        }

        return rows;
    }

    private static string Name(ServerRun run, string what) => $"{run.Target.Replace("onshi ", "", StringComparison.Ordinal)}: {what}";

    private static string F(FormattableString s) => s.ToString(Inv);

    public static string Markdown(BenchResults r, BenchOptions o, string? analysis)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(o);
        var md = new StringBuilder();
        void L(FormattableString s) => md.AppendLine(s.ToString(Inv));

        L($"# Performance");
        L($"");
        L($"Written by `bash bench/run.sh{(o.Quick ? " --quick" : "")}` on {r.Started:yyyy-MM-dd HH:mm zzz} (commit `{o.Commit}`); the whole file is rewritten by every run. The code is in `bench/` (load client, hash ceiling, bare Kestrel, the peer's script, the orchestration); the hand-written analysis at the end comes from `bench/analysis.md`.");
        if (o.Quick)
        {
            L($"");
            L($"**`--quick` run: tiny databases and short cells — a smoke check, not figures to quote.**");
        }

        L($"");
        L($"## Conditions");
        L($"");
        L($"| | |");
        L($"|---|---|");
        L($"| machine | {CpuModel()}, {Environment.ProcessorCount} cores, {MemTotalGb():F1} GB RAM; {KernelVersion()} |");
        L($"| load average (1, 5, 15 min) | before {r.LoadBefore}, after {r.LoadAfter}; per server below. **The cores are shared with the load client and with whatever else runs** (the *other* column: CPU used by processes other than the server and the load client) |");
        L($"| .NET | {RuntimeInformation.FrameworkDescription}, SDK {o.SdkVersion}; Release builds{(o.ReadyToRun ? " (onshi: **published ReadyToRun**, `dotnet publish -r linux-x64 --self-contained false -p:PublishReadyToRun=true`)" : "")}; onshi and bare Kestrel with workstation concurrent GC, the peer with its template default (server GC) |");
        L($"| PostgreSQL | {(string.IsNullOrEmpty(o.PostgresNote) ? "not run" : o.PostgresNote)} |");
        if (o.OnshiEnvironment.Count > 0 || o.TraceTool is not null)
        {
            L($"| onshi environment | {string.Join(", ", o.OnshiEnvironment.Select(kv => $"`{kv.Key}={kv.Value}`"))}{(o.TraceTool is null ? "" : " + perf profiling (`DOTNET_PerfMapEnabled=1`, `DOTNET_EnableWriteXorExecute=0`)")} — **not the default runtime settings** |");
        }

        L($"| cells | warm-up {(o.Quick ? "0.5" : "2")} s (discarded), then {(o.Quick ? "1.5" : "8")} s measured or the request cap, whichever first; every server is a child process on 127.0.0.1, started once for all its cells |");
        L($"| duration | {(r.Finished - r.Started).TotalMinutes:F1} min |");
        L($"");
        L($"**The load client** (`bench/Onshi.Bench`): N concurrent workers, each one HttpClient/SocketsHttpHandler = one keep-alive HTTP/1.1 connection and its own cookie jar, like N browsers; terminal certificate from the seed manifest, server certificate checked against our CA only, connections to 127.0.0.1 only. An *operation* is what the row says (a login = GET /Login + POST + GET /Menu); latencies are per operation, every successful operation recorded, sorted, nearest-rank p50/p99. An operation that does not get the expected answer counts as an error and the cell is marked. *server CPU/op* = the server's CPU time during the cell (from /proc/PID/stat) divided by the operations; *server %*, *client %* and *other %* split the cores' busy time during the cell between the server process, the load client and everything else (on PostgreSQL, *other* includes the PostgreSQL backends). The hash ceiling is measured at its own moment, before the servers; compare it with the logins by CPU as well.");
        L($"");

        L($"## Targets");
        L($"");
        L($"Each ratio is given twice: as measured (throughput, which depends on how much of the cores the other processes took during each cell) and *by CPU* (the server's own CPU time per operation, compared: what the ratio would be on cores each server had to itself). *Reached* is judged on the measured figure.");
        L($"");
        L($"| target | measured | reached | what holds it back / the figures behind it |");
        L($"|---|---|---|---|");
        foreach (var t in Targets(r, o.ReadyToRun))
        {
            L($"| {t.Target} | {t.Measured} | {(t.Reached is true ? "✓ reached" : t.Reached is false ? "✗ not reached" : "–")} | {(t.Reached is true ? "" : t.Note)} |");
        }

        L($"");
        if (r.Hash is { } h)
        {
            L($"## Hash ceiling");
            L($"");
            L($"`Argon2idPasswordHasher` (Onshi.Core: on x64 with AVX2 its own memory filling over memory kept between hashes, Blake2b from libsodium; elsewhere libsodium via NSec; docs/security.md, Argon2id: the memory filling) with our parameters ({h.Parameters}) verifying a password on {h.Threads} threads (one per core) for {h.Seconds:F0} s: **{h.HashesPerSecond:F1} hashes/s** ({h.Hashes} verifications, {h.MsPerHash:F1} ms each on one thread, {h.CpuMsPerHash:F1} ms of CPU each{(h.OwnCpuSeconds > 0 ? "" : ", estimated from the other processes' share: this run predates recording it")}); other processes used {h.OtherCpuPercent:F0} % of the cores meanwhile, so on idle cores the ceiling is ≈ {h.Threads * 1000 / h.CpuMsPerHash:F0} hashes/s. A login costs exactly one verification, so this is the most logins/s these cores can do.");
            L($"");
        }

        L($"## Servers");
        L($"");
        L($"| server | what | first response | RSS after start | peak RSS | RSS after load | load average before → after |");
        L($"|---|---|---|---|---|---|---|");
        foreach (var run in r.Runs)
        {
            L($"| {run.Target} | {run.Description}{(run.Failure is null ? "" : " — **failed: " + run.Failure + "**")} | {run.FirstResponseSeconds:F2} s | {(run.RssAfterStartMb > 0 ? run.RssAfterStartMb.ToString("F0", Inv) + " MB" : "–")} | {run.PeakRssMb:F0} MB | {run.RssAfterLoadMb:F0} MB{(run.RssAfterLoadDetail.Length == 0 ? "" : " (" + run.RssAfterLoadDetail + ")")} | {run.LoadBefore} → {run.LoadAfter} |");
        }

        L($"");
        L($"## Figures");
        L($"");
        L($"| server | scenario | users | ops/s | req/s | p50 ms | p99 ms | max ms | server CPU/op ms | server % | client % | other % | RSS MB | errors |");
        L($"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in r.Runs)
        {
            foreach (var c in run.Cells)
            {
                L($"| {run.Target} | {Describe(c.Scenario)} | {c.Concurrency} | {c.OpsPerSecond:F1} | {c.RequestsPerSecond:F0} | {c.P50Ms:F1} | {c.P99Ms:F1} | {c.MaxMs:F0} | {c.ServerCpuMsPerOp:F2} | {c.ServerCpuPercent:F0} | {c.ClientCpuPercent:F0} | {c.OtherCpuPercent:F0} | {c.ServerRssMb:F0} | {(c.Errors == 0 ? "0" : $"**{c.Errors}** ({c.FirstError})")} |");
            }
        }

        L($"");
        L($"Scenarios: {string.Join("; ", ScenarioNotes.Select(kv => $"*{kv.Key}* — {kv.Value}"))}.");
        L($"");
        if (r.Runs.Any(x => x.Scrapes.Count > 1))
        {
            L($"## Metrics scraped during the run (issue 17)");
            L($"");
            L($"Each Onshi server's operations endpoint (`/metrics`, Prometheus text, docs/operations.md) scraped after its start and after each cell (outside the measured phase): how much each counter moved during that cell.");
            L($"");
            L($"| server | cell | {string.Join(" | ", MetricsScrape.Series.Select(x => x.Name))} |");
            L($"|---|---|{string.Concat(MetricsScrape.Series.Select(_ => "---|"))}");
            foreach (var run in r.Runs.Where(x => x.Scrapes.Count > 1))
            {
                for (var i = 1; i < run.Scrapes.Count; i++)
                {
                    var (before, after) = (run.Scrapes[i - 1], run.Scrapes[i]);
                    L($"| {run.Target} | {after.After} | {string.Join(" | ", MetricsScrape.Series.Select(x => "+" + (after.Values[x.Name] - before.Values[x.Name]).ToString("N0", Inv)))} |");
                }
            }

            L($"");
        }

        var seeds = r.Runs.Where(x => x.Seed is not null).Select(x => x.Seed!).ToList();
        if (seeds.Count > 0)
        {
            L($"## Databases");
            L($"");
            L($"| database | provider | institutions | accounts | size | seed-scale this run |");
            L($"|---|---|---|---|---|---|");
            foreach (var s in seeds)
            {
                L($"| {s.Name} | {s.Provider} | {s.Institutions:N0} | {s.Accounts:N0} | {s.Size} | {(s.NewInstitutions == 0 ? "already seeded (cached), checked in " : $"{s.NewInstitutions:N0} institutions added in ")}{s.Seconds:F1} s |");
            }

            L($"");
            L($"`onshi seed-scale --institutions N --large-institutions L --real-certificates 16` (docs/scaling.md): institution 0 has 200 accounts; the first 16 have real terminal certificates. The databases are kept in the bench work directory between runs; logins and パスワード初期化 of earlier runs stay in them (sessions, audit rows, changed passwords of general accounts of institution 0).");
            L($"");
        }

        if (!string.IsNullOrWhiteSpace(analysis))
        {
            L($"## Analysis (hand-written, `bench/analysis.md`)");
            L($"");
            md.AppendLine(analysis.Trim());
        }

        return md.ToString();
    }

    private static readonly Dictionary<string, string> ScenarioNotes = new()
    {
        ["login"] = "fresh cookie jar, GET the login form, POST user ID + password, GET the landing page (Onshi /Menu, peer /): one password verification",
        ["search"] = "アカウント管理（更新） `/Accounts?search=1&Kind=0` (全て) as the マスタ of the 200-account institution: 20 rows of 200",
        ["search-kind"] = "the same with a 権限区分 (`Kind=4`, 一般): 20 rows of 141",
        ["password-init"] = "GET account detail, GET the confirmation, POST パスワード初期化 (new temporary password: one Argon2id hash, sessions ended, audit row), GET the result dialog",
        ["portal-documents"] = "the portal's マスタアカウント情報 list as the institution's contact",
        ["form-page"] = "bare Kestrel: GET one Razor page with a form and its antiforgery token",
        ["manage-page"] = "the peer's authenticated /Identity/Account/Manage",
    };

    private static string Describe(string scenario) => scenario;

    public static string ConsoleTable(BenchResults r, bool readyToRun = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"load average before {r.LoadBefore}, after {r.LoadAfter}");
        if (r.Hash is { } h)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"hash ceiling: {h.HashesPerSecond:F1} Argon2id hashes/s on {h.Threads} threads");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"{"server",-20} {"scenario",-17} {"users",5} {"ops/s",9} {"req/s",8} {"p50",7} {"p99",7} {"cpu/op",7} {"errors",6}");
        foreach (var run in r.Runs)
        {
            foreach (var c in run.Cells)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"{run.Target,-20} {c.Scenario,-17} {c.Concurrency,5} {c.OpsPerSecond,9:F1} {c.RequestsPerSecond,8:F0} {c.P50Ms,7:F1} {c.P99Ms,7:F1} {c.ServerCpuMsPerOp,7:F2} {c.Errors,6}");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"{"",-20} first response {run.FirstResponseSeconds:F2} s, RSS after load {run.RssAfterLoadMb:F0} MB, peak {run.PeakRssMb:F0} MB{(run.Failure is null ? "" : ", FAILED: " + run.Failure)}");
        }

        sb.AppendLine("targets:");
        foreach (var t in Targets(r, readyToRun))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  [{(t.Reached is true ? "✓" : t.Reached is false ? "✗" : "–")}] {t.Target}: {t.Measured}");
        }

        return sb.ToString();
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static double MemTotalGb()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0 / 1024.0;
    }

    private static string KernelVersion() => "Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
}
