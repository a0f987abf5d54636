using System.Diagnostics;
using System.Text.Json;
using Onshi.Cli.Commands;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Api;

/// <summary>
/// The README's レセコン walk (<c>scripts/recekon.sh</c>, curl + jq + iconv, and <c>onshi link</c>) against the real OQS: it
/// authenticates, looks up every demo patient, sends a 一括照会 and fetches its result, then has request files in UTF-8 and
/// Shift_JIS answered — as a reception system written for the real interface would.
/// </summary>
public sealed class RecekonScriptTests
{
    [Fact]
    public async Task TheReadmesReceptionSystemScript_RunsAgainstTheOqs()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);
        var demoJson = Path.Combine(server.DataDirectory, "demo.json");
        await File.WriteAllTextAsync(demoJson, JsonSerializer.Serialize(server.Demo, DemoCommand.Json), TestContext.Current.CancellationToken);
        var work = Directory.CreateTempSubdirectory("onshi-recekon-").FullName;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Onshi.slnx")))
        {
            root = root.Parent!;
        }

        var start = new ProcessStartInfo("bash", ["scripts/recekon.sh", demoJson])
        {
            WorkingDirectory = root.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ONSHI_RECEKON_WORK"] = work;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output + await error;
        process.ExitCode.ShouldBe(0, text);
        var validities = string.Join(",", server.Demo.Insured.Select(e => e.Validity));
        text.ShouldContain($"件数 {server.Demo.Insured.Count} 正常 {server.Demo.Insured.Count} エラー 0; 資格有効性 {validities}", Case.Sensitive, text);
        text.ShouldContain("OQSsiquc01res_RECEKONSJIS1.xml: encoding Shift_JIS, SegmentOfResult 1", Case.Sensitive, text);
        text.ShouldContain("OQSsiquc01res_RECEKONUTF08.xml: encoding UTF-8, SegmentOfResult 1", Case.Sensitive, text);
        text.ShouldNotContain(server.Account("webapi").Password);
        Directory.Delete(work, recursive: true);
    }
}
