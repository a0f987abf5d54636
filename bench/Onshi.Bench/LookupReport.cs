using System.Globalization;
using System.Text;

namespace Onshi.Bench;

/// <summary>
/// The 資格確認 benchmark's part of docs/performance.md (issue 15): one block between markers, replaced by every
/// <c>run.sh --lookup</c> and carried over unchanged when issue 6's run rewrites the rest of the file (and the other way round).
/// </summary>
public static class ReportFile
{
    public const string Begin = "<!-- bench:lookup -->";
    public const string End = "<!-- /bench:lookup -->";

    public static async Task WriteAsync(string path, BenchResults results, BenchOptions options, string? analysis)
    {
        ArgumentNullException.ThrowIfNull(options);
        var existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
        var (main, block) = Split(existing);
        string text;
        if (options.Lookup)
        {
            var mine = LookupReport.Markdown(results, options, analysis);
            // A --quick run writes its own file (artifacts/), whole.
            text = options.Quick || main.Length == 0 ? mine : main.TrimEnd() + "\n\n" + mine;
        }
        else
        {
            var mine = Report.Markdown(results, options, analysis);
            text = block is null ? mine : mine.TrimEnd() + "\n\n" + block;
        }

        await File.WriteAllTextAsync(path, text);
    }

    /// <summary>The file without the lookup block, and the block (markers included) if there is one.</summary>
    public static (string Main, string? Block) Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var b = text.IndexOf(Begin, StringComparison.Ordinal);
        var e = text.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b)
        {
            return (text, null);
        }

        var block = text[b..(e + End.Length)] + "\n";
        return (text[..b] + text[(e + End.Length)..].TrimStart('\n'), block);
    }
}

/// <summary>The lookup block: conditions, targets, figures, databases, analysis (bench/analysis-lookup.md).</summary>
public static class LookupReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(FormattableString s) => s.ToString(Inv);

    private static string Short(ServerRun run) => run.Target.Replace("onshi ", "", StringComparison.Ordinal);

    public static List<TargetRow> Targets(BenchResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var rows = new List<TargetRow>();
        var onshi = r.Runs.Where(x => x.Seed?.Members > 0).ToList();
        foreach (var provider in new[] { "sqlite", "postgres" })
        {
            var small = onshi.FirstOrDefault(x => x.Seed!.Provider == provider && x.Seed.Members < 1_000_000);
            var large = onshi.Where(x => x.Seed!.Provider == provider && x != small).MaxBy(x => x.Seed!.Members);
            if (small is null || large is null)
            {
                continue;
            }

            foreach (var scenario in new[] { "lookup", "lookup-service" })
            {
                if (small.Cell(scenario, 16) is { } s && large.Cell(scenario, 16) is { } l)
                {
                    var ratio = l.P99Ms / s.P99Ms;
                    rows.Add(new(F($"{provider}: {scenario} p99 at {large.Seed!.Members:N0} members ≤ 1.2× p99 at {small.Seed!.Members:N0} (16 users)"),
                        F($"{l.P99Ms:F1} vs {s.P99Ms:F1} ms = {ratio:F2}×"), ratio <= 1.2 && l.Errors == 0 && s.Errors == 0,
                        F($"CPU per lookup {l.ServerCpuMsPerOp:F2} vs {s.ServerCpuMsPerOp:F2} ms; p50 {l.P50Ms:F1} vs {s.P50Ms:F1} ms; other processes {l.OtherCpuPercent:F0} % vs {s.OtherCpuPercent:F0} % of the cores")));
                }
            }
        }

        foreach (var run in onshi)
        {
            if (run.Cell("lookup", 16) is { } l && run.Cell("search", 16) is { } s)
            {
                var ratio = l.ServerCpuMsPerOp / s.ServerCpuMsPerOp;
                rows.Add(new(F($"{Short(run)}: CPU per lookup on the screen ≤ 1.5× the signed-in search page's (16 users)"),
                    F($"{l.ServerCpuMsPerOp:F2} vs {s.ServerCpuMsPerOp:F2} ms = {ratio:F2}×"), ratio <= 1.5 && l.Errors == 0,
                    F($"one request each; the lookup writes two rows (its 資格確認結果 and its audit row) where the search only reads; the service alone (no HTTP) {run.Cell("lookup-service", 16)?.ServerCpuMsPerOp ?? 0:F2} ms per lookup")));
            }

            // Issue 16: the Web API against bare Kestrel's JSON POST over the same mutual TLS, by CPU per request.
            if (run.Cell("api-lookup", 16) is { } api && r.Run("bare")?.Cell("json-post", 16) is { } bare)
            {
                var ratio = bare.ServerCpuMsPerOp / api.ServerCpuMsPerOp;
                rows.Add(new(F($"{Short(run)}: Web API lookups ≥ 40 % of bare Kestrel's JSON POST by CPU per request (16 clients)"),
                    F($"{api.ServerCpuMsPerOp:F2} vs {bare.ServerCpuMsPerOp:F2} ms = {ratio:P0}; {api.RequestsPerSecond:F0} vs {bare.RequestsPerSecond:F0} req/s, p99 {api.P99Ms:F1} ms"),
                    ratio >= 0.4 && api.Errors == 0,
                    F($"the lookup behind the request: the service alone {run.Cell("lookup-service", 16)?.ServerCpuMsPerOp ?? 0:F2} ms (its index seek, the rules, the 資格確認結果 and audit row in one commit); the rest is the certificate's row, the token's session row and the JSON")));
            }

            if (run.Cells.FirstOrDefault(c => c.Scenario.StartsWith("bulk-", StringComparison.Ordinal)) is { } bulk)
            {
                var sqlite = run.Seed?.Provider == "sqlite";
                rows.Add(new(F($"{Short(run)}: a 一括照会 of {bulk.Operations:N0} patients{(sqlite ? " ≥ 1,000 patients/s" : "")} (request to fetched result)"),
                    F($"{bulk.Seconds:F1} s = {bulk.OpsPerSecond:F0} patients/s (accepted in {bulk.P50Ms:F0} ms)"), sqlite ? bulk.OpsPerSecond >= 1000 && bulk.Errors == 0 : null,
                    F($"batches of 500 patients, each one commit of its 資格確認結果, items and one audit row; the server used {bulk.ServerCpuPercent:F0} % of the cores{(bulk.Errors > 0 ? "; ERROR " + bulk.FirstError : "")}")));
            }
        }

        return rows;
    }

    public static string Markdown(BenchResults r, BenchOptions o, string? analysis)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(o);
        var md = new StringBuilder();
        void L(FormattableString s) => md.AppendLine(s.ToString(Inv));
        L($"{ReportFile.Begin}");
        L($"## 資格確認: lookups at 20 thousand and 20 million members (issue 15)");
        L($"");
        L($"Written by `bash bench/run.sh --lookup{(o.Quick ? " --quick" : "")}` on {r.Started:yyyy-MM-dd HH:mm zzz} (commit `{o.Commit}`); this section is replaced by every `--lookup` run and kept as it is by the other runs (and the other way round). Code: `bench/Onshi.Bench/LookupBench.cs`, `LookupReport.cs`; the analysis comes from `bench/analysis-lookup.md`.");
        if (o.Quick)
        {
            L($"");
            L($"**`--quick` run: small databases and short cells — a smoke check, not figures to quote.**");
        }

        L($"");
        L($"| | |");
        L($"|---|---|");
        L($"| machine | {Environment.ProcessorCount} cores; load average before {r.LoadBefore}, after {r.LoadAfter} (per server below); **the cores are shared with the load client and whatever else runs** (*other*) |");
        L($"| PostgreSQL | {(string.IsNullOrEmpty(o.PostgresNote) ? "not run" : o.PostgresNote)} |");
        L($"| cells | a discarded {(o.Quick ? "2" : "10")} s warm-up per scenario and process (the JIT's tiers settle on the whole path), then per cell warm-up {(o.Quick ? "0.5" : "2")} s (discarded) and {(o.Quick ? "1.5" : "8")} s measured or the request cap; the same load client, server process and TLS set-up as the section above |");
        L($"| duration | {(r.Finished - r.Started).TotalMinutes:F1} min |");
        L($"");
        L($"*lookup* — 資格情報照会 on the screen as a receptionist: an 管理者 account of the 200-account institution at its terminal (mutual TLS, signed in) POSTs the form (保険者番号, 記号, 番号, 枝番, 生年月日; 確認日 = today) and reads the answer in the response (the browser's address becomes `/Qualifications?r=照会番号`): one request, one lookup, which writes its 資格確認結果 and audit row. Keys: `DATA/seed-insured-sample.json` (1,000 members spread evenly over the population by row id; worker w of N takes keys w, w+N, …). *lookup-service* — the same lookups through `QualificationLookupService` in a process of its own with the server stopped (no HTTP, TLS, session, Razor; one DI scope per lookup): its CPU is the process's own. *search* — アカウント管理（更新） as the マスタ of the same institution, the reference page of the same run. *api-lookup* — the same lookups through the Web API (issue 16): a Web API用 account of that institution authenticates once per worker at its terminal and POSTs `search` with one patient as JSON (§11.3); the rate limits are raised for the load. *json-post* (bare Kestrel) — the same JSON request over the same mutual TLS, parsed and answered with a JSON body of the answer's size. *bulk-10k* — one 一括照会 of 10,000 of the sample's patients through the Web API, from the request to the fetched result (polled every 50 ms).");
        L($"");
        L($"### Targets");
        L($"");
        L($"| target | measured | reached | what holds it back / the figures behind it |");
        L($"|---|---|---|---|");
        foreach (var t in Targets(r))
        {
            L($"| {t.Target} | {t.Measured} | {(t.Reached is true ? "✓ reached" : t.Reached is false ? "✗ not reached" : "–")} | {t.Note} |");
        }

        L($"");
        L($"### Figures");
        L($"");
        L($"| server | scenario | users | lookups or pages/s | p50 ms | p99 ms | max ms | CPU/op ms | server % | client % | other % | RSS MB | errors |");
        L($"|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in r.Runs)
        {
            foreach (var c in run.Cells)
            {
                L($"| {run.Target} | {c.Scenario} | {c.Concurrency} | {c.OpsPerSecond:F1} | {c.P50Ms:F2} | {c.P99Ms:F2} | {c.MaxMs:F0} | {c.ServerCpuMsPerOp:F2} | {c.ServerCpuPercent:F0} | {c.ClientCpuPercent:F0} | {c.OtherCpuPercent:F0} | {(c.ServerRssMb > 0 ? c.ServerRssMb.ToString("F0", Inv) : "–")} | {(c.Errors == 0 ? "0" : $"**{c.Errors}** ({c.FirstError})")} |");
            }

            if (run.Failure is not null)
            {
                L($"| {run.Target} | **failed: {run.Failure}** | | | | | | | | | | | |");
            }
        }

        L($"");
        L($"### Databases");
        L($"");
        L($"| database | provider | members | accounts | size | seed-insured this run |");
        L($"|---|---|---|---|---|---|");
        foreach (var s in r.Runs.Where(x => x.Seed is not null).Select(x => x.Seed!))
        {
            L($"| {s.Name} | {s.Provider} | {s.Members:N0} | {s.Accounts:N0} | {s.Size} | {s.MembersSeed} ({s.MembersSeconds:F1} s with the process start) |");
        }

        L($"");
        L($"`onshi seed-scale --institutions 20 --large-institutions 1 --real-certificates 4`, then `onshi seed-insured --members N` (docs/qualification.md) into the same database; kept in the bench work directory between runs (a complete population is only checked). The 資格確認結果 and audit rows of earlier runs stay in them.");
        if (!string.IsNullOrWhiteSpace(analysis))
        {
            L($"");
            L($"### Analysis (hand-written, `bench/analysis-lookup.md`)");
            L($"");
            md.AppendLine(analysis.Trim());
        }

        L($"{ReportFile.End}");
        return md.ToString();
    }

    public static string ConsoleTargets(BenchResults r)
    {
        var sb = new StringBuilder("lookup targets:\n");
        foreach (var t in Targets(r))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  [{(t.Reached is true ? "✓" : t.Reached is false ? "✗" : "–")}] {t.Target}: {t.Measured}");
        }

        return sb.ToString();
    }
}
