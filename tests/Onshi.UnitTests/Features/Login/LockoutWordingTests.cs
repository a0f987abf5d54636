using Onshi.Core.Features.Login;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Login;

public sealed class LockoutWordingTests
{
    [Theory]
    [InlineData(30 * 60, "30分間")]
    [InlineData(60 * 60, "1時間")]
    [InlineData(90 * 60, "1時間30分間")]
    [InlineData(45, "45秒間")]
    public void Duration_InJapanese(int seconds, string expected) =>
        LockoutWording.Duration(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);

    [Fact]
    public void Failure_NamesEveryCase_AndTheLockFromTheOptions()
    {
        var message = LockoutWording.Failure(new LoginOptions { MaxFailedAccessAttempts = 7, LockoutDuration = TimeSpan.FromHours(2) }, "ユーザID", "");

        message.ShouldBe("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。"
            + "パスワードを7回続けて誤るとアカウントは2時間ロックされ、その間は正しいパスワードでもログインできません。");
    }
}
