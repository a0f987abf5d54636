using System.Globalization;
using Onshi.Core.Features.Passwords;

namespace Onshi.Portal.Hosting;

/// <summary>The password rules as shown beside a new-password field.</summary>
public static class PasswordRules
{
    public static string Text(PasswordOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return string.Create(CultureInfo.InvariantCulture,
            $"{o.MinLength}文字以上{o.MaxLength}文字以内の半角で、英字・数字・記号をそれぞれ1文字以上含めてください。メールアドレスやこのシステム・運営機関の名称（ローマ字を含む）を含むもの、よく使われるものは使えません。");
    }
}
