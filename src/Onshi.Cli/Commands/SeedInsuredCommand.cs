using System.CommandLine;
using System.Globalization;
using Onshi.Cli.Seeding;
using Onshi.Core.Common;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi seed-insured --members N</c>: fills the simulated 中間サーバー with N synthetic members
/// (<see cref="InsuredSeeder"/>, docs/qualification.md). Deterministic (same --seed and --as-of, same data) and resumable.
/// </summary>
internal static class SeedInsuredCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var members = new Option<long>("--members") { Description = "合成加入者の数（合計） (total synthetic members)", Required = true };
        var seed = new Option<long>("--seed") { Description = "乱数の種 (same seed, same data)", DefaultValueFactory = _ => 1 };
        var asOf = new Option<string?>("--as-of")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"データの基準日 (ages and histories count from it; default {InsuredGenerator.DefaultAsOf:yyyy-MM-dd})"),
        };
        var force = new Option<bool>("--force") { Description = "取込みによる加入者データがあっても実行する" };
        var cmd = new Command("seed-insured", "資格確認用の合成加入者データを作成します (synthetic members of the simulated 中間サーバー; docs/qualification.md)")
        {
            members, seed, asOf, force,
        };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            // Mostly synchronous work (SQLite): yield so that Ctrl+C handling waits for the task (see seed-scale).
            await Task.Yield();
            var date = InsuredGenerator.DefaultAsOf;
            if (r.GetValue(asOf) is { } text && !DateInput.TryParse(text, out date))
            {
                await Console.Error.WriteLineAsync("--as-of は 2026-12-01 の形で指定してください。");
                return 2;
            }

            var options = new SeedInsuredOptions { Members = r.GetValue(members), Seed = r.GetValue(seed), AsOf = date, Force = r.GetValue(force) };
            var (code, message) = await InsuredSeeder.RunAsync(common.Settings(r), options, Console.Error, interactive: !Console.IsErrorRedirected, ct);
            await (code == 0 ? Console.Out : Console.Error).WriteLineAsync(message);
            return code;
        });
        return cmd;
    }
}
