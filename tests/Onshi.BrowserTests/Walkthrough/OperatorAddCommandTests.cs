using System.Text;
using System.Text.RegularExpressions;
using Shouldly;

namespace Onshi.BrowserTests.Walkthrough;

/// <summary><c>onshi operator add</c> as a real process: the first operator of a new system, and bad input refused in Japanese.</summary>
public sealed partial class OperatorAddCommandTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("onshi-opadd-").FullName;

    public void Dispose()
    {
        Directory.Delete(data, recursive: true);
        File.Delete(data + ".master-key");
    }

    [Fact]
    public async Task OperatorAdd_BadInputRefusedInJapanese_ThenCreatesOnce_PasswordNotStoredInPlainText()
    {
        var badRole = await OnshiProcess.RunAsync(data, "operator", "add", "--user-id", "sv-first", "--name", "運用 一郎", "--role", "root");
        badRole.ExitCode.ShouldBe(2);
        badRole.Output.ShouldContain("--role には supervisor、reviewer、callcenter のいずれかを指定してください。");

        var badId = await OnshiProcess.RunAsync(data, "operator", "add", "--user-id", "x'; DROP", "--name", "", "--role", "callcenter");
        badId.ExitCode.ShouldBe(2);
        badId.Output.ShouldContain("ユーザIDは4～32文字の半角英数字・「_」「-」「.」で入力してください。");
        badId.Output.ShouldContain("氏名は1～50文字で入力してください。");
        badId.Output.ShouldNotContain("Exception");

        // Nothing was written by the refusals: the ID is still free.
        var created = await OnshiProcess.RunAsync(data, "operator", "add", "--user-id", "sv-first", "--name", "運用 一郎");
        created.ExitCode.ShouldBe(0, created.Output);
        var password = Temporary().Match(created.Output).Groups[1].Value;
        password.Length.ShouldBeGreaterThanOrEqualTo(8);

        var again = await OnshiProcess.RunAsync(data, "operator", "add", "--user-id", "SV-FIRST", "--name", "運用 二郎");
        again.ExitCode.ShouldBe(2);
        again.Output.ShouldContain("このユーザIDは既に使われています。");

        // The temporary password is only on standard output: no file of the data directory holds it.
        foreach (var file in Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Encoding.UTF8.GetString(bytes).ShouldNotContain(password, customMessage: file);
        }
    }

    [GeneratedRegex(@"仮パスワード \(temporary password\): (\S+)")]
    private static partial Regex Temporary();
}
