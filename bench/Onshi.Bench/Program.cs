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

if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: onshi-bench run [--quick] --work DIR --out FILE --onshi DLL --bare DLL [--peer DLL] [--pg CONNECTION] | onshi-bench hash [SECONDS]");
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
    var analysis = options.Analysis is { } a && File.Exists(a) ? await File.ReadAllTextAsync(a) : null;
    await File.WriteAllTextAsync(options.Out, Report.Markdown(results, options, analysis));
    Console.WriteLine();
    Console.WriteLine(Report.ConsoleTable(results));
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
