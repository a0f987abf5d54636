using System.Diagnostics.CodeAnalysis;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Qualifications;

/// <summary>Which scheme a 保険者番号 belongs to, as its shape and 法別番号 say.</summary>
public enum InsurerScheme
{
    /// <summary>被用者保険 (協会けんぽ, 組合, 共済, 船員, …): 8 digits.</summary>
    Employee,

    /// <summary>国民健康保険 (市町村, 国保組合): 6 digits.</summary>
    NationalHealthInsurance,

    /// <summary>後期高齢者医療 (法別番号 39): 8 digits.</summary>
    LateElderly,
}

/// <summary>
/// The 保険者番号 (SPEC §11.1): 8 digits = 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1), or 6 digits for
/// 国民健康保険 (都道府県 2 + 保険者別 3 + 検証 1), which clients may send padded to 8 with leading zeros or spaces. The
/// 検証番号 is <see cref="Luhn"/> over the other digits. The canonical form is 6 digits for 国保 and 8 for the others; it is
/// what is stored, indexed and echoed.
/// </summary>
public static class InsurerNumber
{
    public const string FieldName = "InsurerNumber";

    /// <summary>法別番号 of 後期高齢者医療.</summary>
    public const string LateElderlyLawNumber = "39";

    /// <summary>
    /// Parses <paramref name="input"/>: surrounding spaces (the padding of a 国保 number among them) are ignored, and 8
    /// digits that begin with "00" are a 国保 number padded with zeros (no 法別番号 is 00). The structure (digits, length, 都道府県番号) is checked before the
    /// 検証番号, so a check-digit error means only the last digit does not fit.
    /// </summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out string? number, out InsurerScheme scheme, out OnshiError? error)
    {
        number = null;
        scheme = default;
        error = null;
        var s = (input ?? "").Trim();
        if (s.Length == 0)
        {
            error = new("insurer_number.required", "保険者番号を入力してください。", FieldName);
            return false;
        }

        if (!s.All(char.IsAsciiDigit) || (s.Length != 6 && s.Length != 8))
        {
            error = new("insurer_number.format", "保険者番号は数字8桁（国民健康保険は6桁）で入力してください。", FieldName);
            return false;
        }

        if (s.Length == 8 && s.StartsWith("00", StringComparison.Ordinal))
        {
            s = s[2..];
        }

        var prefecture = s.Length == 6 ? s[..2] : s[2..4];
        if (int.Parse(prefecture, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > 47)
        {
            error = new("insurer_number.prefecture",
                $"保険者番号の都道府県番号（{(s.Length == 6 ? "1〜2" : "3〜4")}桁目）は01〜47です。入力された番号をお確かめください。", FieldName);
            return false;
        }

        if (!Luhn.IsValid(s))
        {
            error = new("insurer_number.check_digit",
                "保険者番号の検証番号（末尾の1桁）が正しくありません。被保険者証などの番号をもう一度お確かめください。", FieldName);
            return false;
        }

        number = s;
        scheme = s.Length == 6 ? InsurerScheme.NationalHealthInsurance
            : s.StartsWith(LateElderlyLawNumber, StringComparison.Ordinal) ? InsurerScheme.LateElderly
            : InsurerScheme.Employee;
        return true;
    }

    public static bool IsValid(string? input) => TryParse(input, out _, out _, out _);

    /// <summary>The number made of <paramref name="withoutCheck"/> (5 or 7 digits) and its 検証番号.</summary>
    public static string WithCheckDigit(string withoutCheck) => withoutCheck + Luhn.CheckDigit(withoutCheck);

    /// <summary>国保's 6-digit number padded to 8 with zeros, as fixed-width files carry it; others unchanged.</summary>
    public static string PaddedToEight(string canonical) => canonical.Length == 6 ? "00" + canonical : canonical;
}
