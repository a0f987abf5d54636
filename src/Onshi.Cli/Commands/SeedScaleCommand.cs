using System.CommandLine;
using Onshi.Cli.Seeding;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi seed-scale --institutions N</c>: fills the database with N synthetic institutions for load tests
/// (<see cref="ScaleSeeder"/>, docs/scaling.md). Synthetic test data only: every synthetic account shares one documented password.
/// </summary>
internal static class SeedScaleCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var institutions = new Option<int>("--institutions") { Description = "合成医療機関等の数（合計） (total synthetic institutions)", Required = true };
        var seed = new Option<long>("--seed") { Description = "乱数の種 (same seed, same data)", DefaultValueFactory = _ => 1 };
        var real = new Option<int>("--real-certificates") { Description = "先頭 K 医療機関等の端末に本物の証明書を発行 (PKCS#12 + manifest)", DefaultValueFactory = _ => 0 };
        var large = new Option<int>("--large-institutions") { Description = "先頭 L 医療機関等のアカウントを 200 件に", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "manifest.json と PKCS#12 の出力先 (default: DATA/seed-scale)" };
        var batch = new Option<int>("--batch") { Description = "1 トランザクションの医療機関等数", DefaultValueFactory = _ => 2_000 };
        var force = new Option<bool>("--force") { Description = "合成データではない医療機関等があっても実行する" };
        var cmd = new Command("seed-scale", "負荷試験用の合成データを作成します (synthetic institutions for load tests; docs/scaling.md)")
        {
            institutions, seed, real, large, output, batch, force,
        };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            // The load runs mostly synchronously (SQLite); yield first so that the invocation's task exists at once and
            // System.CommandLine's Ctrl+C handling waits for it (else it reports a forced termination and crashes on exit).
            await Task.Yield();
            var options = new SeedScaleOptions
            {
                Institutions = r.GetValue(institutions),
                Seed = r.GetValue(seed),
                RealCertificates = r.GetValue(real),
                LargeInstitutions = r.GetValue(large),
                OutDirectory = r.GetValue(output),
                BatchSize = r.GetValue(batch),
                Force = r.GetValue(force),
            };
            var result = await ScaleSeeder.RunAsync(common.Settings(r), options, Console.Error, interactive: !Console.IsErrorRedirected, ct);
            if (result.Code != 0)
            {
                await Console.Error.WriteLineAsync(result.Message);
                return result.Code;
            }

            Console.WriteLine(result.Message);
            Console.WriteLine($"manifest: {result.ManifestPath}");
            return 0;
        });
        return cmd;
    }
}
