using System.CommandLine;
using Onshi.Cli.Commands;

namespace Onshi.Cli;

/// <summary>The <c>onshi</c> command: one class per subcommand under <c>Commands/</c>.</summary>
internal static class OnshiCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Onshi — オンライン資格確認等システム (accounts, login, administration)")
        {
            ServeCommand.Create(),
            DemoCommand.Create(),
            MigrateCommand.Create(),
            CertCommand.Create(),
            AuditCommand.Create(),
            OperatorCommand.Create(),
        };
        return await root.Parse(args).InvokeAsync();
    }
}
