using System.CommandLine;
using Onshi.Core.Features.Secrets;

namespace Onshi.Cli.Commands;

/// <summary><c>onshi master-key new --out FILE</c>: a new random master key in a 0600 file (keep it outside the data directory).</summary>
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
        return new Command("master-key", "マスター鍵 (the key-encryption key of the secrets at rest)") { create };
    }
}
