using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Operators;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi operator add</c>: creates an operator of the console from the command line — the only way to create the
/// first one on a new system (later ones too, for now). The temporary password is printed once, to standard output,
/// and must be changed at the first login; it is never logged.
/// </summary>
internal static class OperatorCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var userId = new Option<string>("--user-id") { Description = "ログインID (4–32 characters: letters, digits, _ - .)", Required = true };
        var name = new Option<string>("--name") { Description = "氏名 (display name)", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "supervisor (管理), reviewer (審査) or callcenter (コールセンター)",
            DefaultValueFactory = _ => "supervisor",
        };
        var add = new Command("add", "運用者アカウントを作成します (create an operator; prints the temporary password once)") { userId, name, role };
        common.AddTo(add);
        add.SetAction(async (r, ct) =>
        {
            OperatorRole? parsed = (r.GetValue(role) ?? "").Trim().ToUpperInvariant() switch
            {
                "SUPERVISOR" or "管理" => OperatorRole.Supervisor,
                "REVIEWER" or "審査" => OperatorRole.Reviewer,
                "CALLCENTER" or "CALL-CENTER" or "コールセンター" => OperatorRole.CallCenter,
                _ => null,
            };
            if (parsed is not { } operatorRole)
            {
                await Console.Error.WriteLineAsync("エラー: --role には supervisor、reviewer、callcenter のいずれかを指定してください。");
                return 2;
            }

            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = sp.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>()
                .CreateAsync(r.GetValue(userId), r.GetValue(name), operatorRole, "cli", ct);
            if (!created.Succeeded)
            {
                foreach (var error in created.Errors)
                {
                    await Console.Error.WriteLineAsync("エラー: " + error.Message);
                }

                return 2;
            }

            Console.WriteLine($"運用者 {r.GetValue(userId)!.Trim()} を作成しました。初回ログイン時にパスワードの変更が必要です。");
            Console.WriteLine($"仮パスワード (temporary password): {created.Value}");
            return 0;
        });
        return new Command("operator", "運用者アカウント (operator accounts of the console)") { add };
    }
}
