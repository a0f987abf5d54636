using System.CommandLine;

namespace Onshi.Cli.Commands;

/// <summary><c>onshi migrate</c>: creates or updates the schema.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var cmd = new Command("migrate", "データベースのスキーマを作成・更新します (create or update the schema)");
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            Console.WriteLine("スキーマは最新です (schema up to date).");
            return 0;
        });
        return cmd;
    }
}
