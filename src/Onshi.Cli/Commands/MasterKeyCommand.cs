using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Secrets;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi master-key new --out FILE</c>: a new random master key in a 0600 file (keep it outside the data directory).
/// <c>onshi master-key rotate --new-key-file FILE</c>: re-encrypts the data directory's secrets under a new key.
/// </summary>
internal static class MasterKeyCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "鍵ファイルの出力先 (データディレクトリの外に置いてください)", Required = true };
        var create = new Command("new", "新しいマスター鍵を作成します (never overwrites)") { output };
        create.SetAction(r =>
        {
            var path = Path.GetFullPath(r.GetValue(output)!);
            if (File.Exists(path))
            {
                Console.Error.WriteLine($"{path} は既にあります。上書きしません。 / {path} already exists; not overwritten.");
                return 2;
            }

            var key = MasterKey.CreateKeyFile(path);
            Console.WriteLine($"マスター鍵を作成しました: {path} (鍵 ID {key.KeyId}, mode 0600)。{MasterKey.FileEnvironmentVariable}={path} か --master-key-file で指定してください。");
            return 0;
        });
        return new Command("master-key", "マスター鍵 (the key-encryption key of the secrets at rest)") { create, CreateRotate() };
    }

    private static Command CreateRotate()
    {
        var common = new CommonOptions();
        var newKey = new Option<string>("--new-key-file")
        {
            Description = "新しいマスター鍵のファイル (なければ作成します。データディレクトリの外に置いてください)",
            Required = true,
        };
        var rotate = new Command("rotate",
            "秘密情報 (CA の秘密鍵、サーバ証明書、Data Protection の鍵) を新しいマスター鍵で暗号化し直します (stop every site first)") { newKey };
        common.AddTo(rotate);
        rotate.SetAction(async (r, ct) =>
        {
            var data = Path.GetFullPath(r.GetValue(common.Data) ?? "data");
            var newPath = Path.GetFullPath(r.GetValue(newKey)!);
            if (MasterKey.ReadMarker(data) is null)
            {
                Console.Error.WriteLine($"{data} は暗号化されたデータディレクトリではありません (master-key.id がありません)。 / {data} is not an encrypted data directory.");
                return 2;
            }

            if (newPath.StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"新しい鍵はデータディレクトリの外に置いてください ({newPath})。 / Keep the new key outside the data directory: it would go into every backup.");
                return 2;
            }

            if (File.Exists(newPath) && MasterKey.ReadKeyFile(newPath).KeyId == MasterKey.ReadMarker(data))
            {
                Console.WriteLine($"{data} は既に新しい鍵 (鍵 ID {MasterKey.ReadMarker(data)}) で暗号化されています。 / Already rotated to {newPath}.");
                return 0;
            }

            // The current key must open the directory (a wrong or missing one is exit 3, before anything is written).
            var current = MasterKey.Resolve(data, r.GetValue(common.MasterKeyFile));
            var created = !File.Exists(newPath);
            var next = created ? MasterKey.CreateKeyFile(newPath) : MasterKey.ReadKeyFile(newPath);
            if (next.KeyId == current.KeyId)
            {
                Console.Error.WriteLine($"新しい鍵が今の鍵と同じです (鍵 ID {next.KeyId})。何も変更していません。 / The new key is the current one; nothing was changed.");
                return 2;
            }

            // The shared key ring is in the database: its rows are re-wrapped in the same run (one transaction, before the files).
            await using var services = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = services.CreateAsyncScope();
            var result = await MasterKeyRotation.RotateAsync(data, current, next, scope.ServiceProvider.GetRequiredService<OnshiDbContext>(), ct);
            Console.WriteLine(result.AlreadyDone
                ? $"{data} は既に鍵 ID {result.NewKeyId} で暗号化されています。 / Already under master key id {result.NewKeyId}."
                : $"マスター鍵を更新しました: 鍵 ID {result.OldKeyId} → {result.NewKeyId} ({result.Files} ファイルとデータベースの鍵 {result.KeyRows} 件を暗号化し直しました)。" +
                  $" / Rotated master key {result.OldKeyId} → {result.NewKeyId} ({result.Files} files and {result.KeyRows} database keys re-encrypted).");
            Console.WriteLine($"  新しい鍵: {newPath}{(created ? " (作成しました, mode 0600)" : "")}");
            Console.WriteLine($"  次回から {MasterKey.FileEnvironmentVariable}={newPath} か --master-key-file {newPath} で起動してください。今までの鍵ではもう起動できません。");
            Console.WriteLine("  今までの鍵は、それ以前に取ったバックアップの復元にだけ必要です (keep the old key only for backups taken before this).");
            if (current.Source == MasterKey.DefaultKeyFilePath(data))
            {
                // The demo default is found without any option; it still holds the old key.
                Console.WriteLine($"  デモの既定の鍵ファイル {current.Source} は今までの鍵のままです: 新しい鍵で置き換えてください (mv {newPath} {current.Source})。");
            }

            return 0;
        });
        return rotate;
    }
}
