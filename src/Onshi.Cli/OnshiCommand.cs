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
            BackupCommand.Create(),
            BackupCommand.CreateRestore(),
            MasterKeyCommand.Create(),
            SeedScaleCommand.Create(),
            SeedInsuredCommand.Create(),
            LinkCommand.Create(),
        };
        try
        {
            var parsed = root.Parse(args);
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,

                // serve's sites take the stop signals themselves: they drain first (DrainingLifetime, docs/operations.md).
                ProcessTerminationTimeout = parsed.CommandResult.Command.Name == "serve" ? null : new InvocationConfiguration().ProcessTerminationTimeout,
            });
        }
        catch (Exception ex) when (Onshi.Core.Features.Secrets.OnshiStartupException.Find(ex) is { } startup)
        {
            // A problem the operator fixes (master key, CA files, a port taken): its message, never a stack trace.
            await Console.Error.WriteLineAsync(startup.Message);
            return 3;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception ex)
        {
            // What System.CommandLine's default handler printed: anything else is a bug worth its stack trace.
            await Console.Error.WriteLineAsync(ex.ToString());
            return 1;
        }
    }
}
