using Onshi.Bench;

// onshi-bench run [--quick] --work DIR --out FILE --onshi onshi.dll --bare bare-kestrel.dll [--peer Peer.dll] [--pg CS] ...
// (bench/run.sh builds everything and passes these); onshi-bench hash [SECONDS] measures the hash ceiling alone.
if (args.Length > 0 && args[0] == "hash")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
    var h = HashCeiling.Measure(TimeSpan.FromSeconds(seconds), CancellationToken.None);
    Console.WriteLine($"{h.HashesPerSecond:F1} hashes/s on {h.Threads} threads ({h.Parameters}), {h.MsPerHash:F1} ms each");
    return 0;
}

if (args.Length > 0 && args[0] == "lookup-service")
{
    // One lookup-service cell of the 資格確認 benchmark, in a process of its own (started by `onshi-bench run --lookup`).
    return await ServiceLookupCommand.RunAsync(args[1..], CancellationToken.None);
}

if (args.Length >= 2 && args[0] == "report")
{
    // Re-renders a saved run (WORK/results-latest.json) with the current report code and analysis text.
    var saved = SavedRun.Load(args[1]);
    var rest = BenchOptions.Parse(args[2..]);
    var text = rest.Analysis is { } path && File.Exists(path) ? await File.ReadAllTextAsync(path) : null;
    saved.Options.Analysis = rest.Analysis;
    await ReportFile.WriteAsync(rest.Out, saved.Results, saved.Options, text);
    Console.WriteLine(Report.ConsoleTable(saved.Results, saved.Options.ReadyToRun));
    Console.WriteLine($"written: {rest.Out}");
    return 0;
}

if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: onshi-bench run [--quick] --work DIR --out FILE --onshi DLL --bare DLL [--peer DLL] [--pg CONNECTION] ... | onshi-bench report RESULTS.json --out FILE [--analysis FILE] | onshi-bench hash [SECONDS]");
    return 2;
}

var options = BenchOptions.Parse(args[1..]);
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => ServerProcess.StopAll();
try
{
    var results = await new Orchestrator(options).RunAsync(cts.Token);
    SavedRun.Save(new SavedRun(options, results), options.Work);
    var analysis = options.Analysis is { } a && File.Exists(a) ? await File.ReadAllTextAsync(a) : null;
    await ReportFile.WriteAsync(options.Out, results, options, analysis);
    Console.WriteLine();
    Console.WriteLine(Report.ConsoleTable(results, options.ReadyToRun));
    if (options.Lookup)
    {
        Console.WriteLine(LookupReport.ConsoleTargets(results));
    }

    Console.WriteLine($"written: {options.Out}");
    return results.Runs.Any(r => r.Failure is not null) ? 1 : 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("onshi-bench: interrupted; servers stopped");
    return 130;
}
finally
{
    ServerProcess.StopAll();
}

/// <summary>A run's options and figures as JSON in the work directory, so that the report can be written again.</summary>
internal sealed record SavedRun(BenchOptions Options, BenchResults Results)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
    };

    public static void Save(SavedRun run, string work)
    {
        var text = System.Text.Json.JsonSerializer.Serialize(run, Json);
        var kind = (run.Options.Lookup ? "lookup-" : "") + (run.Options.Quick ? "quick-" : run.Options.Only is not null ? "partial-" : "");
        File.WriteAllText(Path.Combine(work, $"results-{kind}{run.Results.Started:yyyyMMdd-HHmmss}.json"), text);
        // A --quick or --only run never replaces the full run's figures that --report-only renders.
        File.WriteAllText(Path.Combine(work, $"results-{kind}latest.json"), text);
    }

    public static SavedRun Load(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<SavedRun>(File.ReadAllText(path), Json) ?? throw new InvalidOperationException($"empty {path}");
}
