using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Cli.Commands;

/// <summary><c>onshi audit verify</c>: walks the hash chain of the 操作ログ.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var verify = new Command("verify", "操作ログの改ざん検知 (verify the audit hash chain)");
        common.AddTo(verify);
        verify.SetAction(async (r, ct) =>
        {
            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = sp.CreateAsyncScope();
            var broken = await AuditLog.VerifyAsync(scope.ServiceProvider.GetRequiredService<OnshiDbContext>(), ct);
            if (broken is { } id)
            {
                Console.WriteLine($"NG: 操作ログの連鎖が ID {id} で途切れています (chain broken at row {id}).");
                return 1;
            }

            Console.WriteLine("OK: 操作ログの連鎖は正常です (audit chain intact).");
            return 0;
        });
        return new Command("audit", "操作ログ (audit log)") { verify };
    }
}
