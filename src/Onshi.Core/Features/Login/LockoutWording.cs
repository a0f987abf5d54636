using System.Globalization;

namespace Onshi.Core.Features.Login;

/// <summary>
/// The one place the login failure and lockout are put into words (issue 14, item 4): a failed login gets one answer
/// whatever went wrong (no oracle), so the answer names every case it may be — a wrong ID or password, or an account that
/// is locked or disabled — and how long a lock lasts, read from <see cref="LoginOptions"/> (never a literal).
/// </summary>
public static class LockoutWording
{
    /// <summary>A duration in Japanese: 「30分間」, 「1時間」, 「1時間30分間」, 「45秒間」.</summary>
    public static string Duration(TimeSpan duration)
    {
        var inv = CultureInfo.InvariantCulture;
        if (duration < TimeSpan.FromMinutes(1))
        {
            return string.Create(inv, $"{Math.Max(0, (int)duration.TotalSeconds)}秒間");
        }

        var hours = (int)duration.TotalHours;
        var minutes = duration.Minutes;
        return hours == 0 ? string.Create(inv, $"{minutes}分間")
            : minutes == 0 ? string.Create(inv, $"{hours}時間")
            : string.Create(inv, $"{hours}時間{minutes}分間");
    }

    /// <summary>「パスワードを5回続けて誤るとアカウントは30分間ロックされ、その間は正しいパスワードでもログインできません。」</summary>
    public static string Rule(LoginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"パスワードを{options.MaxFailedAccessAttempts}回続けて誤るとアカウントは{Duration(options.LockoutDuration)}ロックされ、その間は正しいパスワードでもログインできません。");
    }

    /// <summary>
    /// The one answer to every failed login of a site: <paramref name="idWord"/> (ユーザID / ユーザーID) or the password is
    /// wrong, or the account is locked or disabled; the lockout rule; then <paramref name="whatToDo"/>.
    /// </summary>
    public static string Failure(LoginOptions options, string idWord, string whatToDo) =>
        $"{idWord}またはパスワードが正しくないか、アカウントがロックされているか無効になっています。{Rule(options)}{whatToDo}";
}
