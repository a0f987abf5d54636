using System.Diagnostics.CodeAnalysis;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Institutions;

/// <summary>点数表 code, the third digit of a 医療機関等コード.</summary>
public enum InstitutionKind
{
    /// <summary>医科 (1).</summary>
    Medical = 1,

    /// <summary>歯科 (3).</summary>
    Dental = 3,

    /// <summary>調剤 (4).</summary>
    Pharmacy = 4,

    /// <summary>訪問看護 (6).</summary>
    HomeVisitNursing = 6,
}

/// <summary>
/// The 10-digit 医療機関等コード (SPEC §2): prefecture 01–47, 点数表 1/3/4/6, 7-digit institution number whose last digit
/// is the 検証番号 (check digit): Luhn over all 10 digits, except in prefectures 11 埼玉, 12 千葉, 13 東京 and 14 神奈川,
/// where it is Luhn over the 7-digit institution number only (docs/decisions.md#institution-codes).
/// </summary>
public static class InstitutionCode
{
    public const string FieldName = "InstitutionCode";

    /// <summary>
    /// Parses <paramref name="input"/> (surrounding spaces ignored). Full-width digits and hyphen look-alikes are read as typed half-width (<see cref="TextInput.NormalizeCode"/>). The structure
    /// (length, digits, prefecture, 点数表) is checked first, so a check-digit error means only the 検証番号 does not fit.
    /// </summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out string? code, out InstitutionKind kind, out OnshiError? error)
    {
        code = null;
        kind = default;
        error = null;
        var s = TextInput.NormalizeCode(input)?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = new("institution_code.required", "医療機関等コードを入力してください。", FieldName);
            return false;
        }

        if (s.Length != 10 || !s.All(char.IsAsciiDigit))
        {
            error = new("institution_code.format", "医療機関等コードは半角数字10桁で入力してください。", FieldName);
            return false;
        }

        var prefecture = (s[0] - '0') * 10 + (s[1] - '0');
        if (prefecture is < 1 or > 47)
        {
            error = new("institution_code.prefecture", "医療機関等コードの先頭2桁（都道府県番号）は01～47です。", FieldName);
            return false;
        }

        switch (s[2])
        {
            case '1': kind = InstitutionKind.Medical; break;
            case '3': kind = InstitutionKind.Dental; break;
            case '4': kind = InstitutionKind.Pharmacy; break;
            case '6': kind = InstitutionKind.HomeVisitNursing; break;
            default:
                error = new("institution_code.kind", "医療機関等コードの3桁目（点数表番号）は 1（医科）、3（歯科）、4（調剤）、6（訪問看護）のいずれかです。", FieldName);
                return false;
        }

        if (s[9] != CheckDigit(s.AsSpan(0, 9)))
        {
            kind = default;
            error = new("institution_code.check_digit", "医療機関等コードの検証番号（末尾の1桁）が正しくありません。コードをもう一度ご確認ください。", FieldName);
            return false;
        }

        code = s;
        return true;
    }

    /// <summary>
    /// The 検証番号 (the tenth digit) of the code that starts with the nine digits <paramref name="first9"/>: the Luhn check
    /// digit of all nine, or of their last six (the institution number without its check digit) in prefectures 11–14.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="first9"/> is not nine ASCII digits.</exception>
    public static char CheckDigit(string first9)
    {
        ArgumentNullException.ThrowIfNull(first9);
        if (first9.Length != 9 || !first9.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("The first nine digits of a 医療機関等コード are nine ASCII digits.", nameof(first9));
        }

        return CheckDigit(first9.AsSpan());
    }

    /// <summary>The code made of the nine digits <paramref name="first9"/> and their <see cref="CheckDigit(string)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="first9"/> is not nine ASCII digits.</exception>
    public static string WithCheckDigit(string first9) => first9 + CheckDigit(first9);

    /// <summary>True for the prefectures (11 埼玉, 12 千葉, 13 東京, 14 神奈川) whose 検証番号 covers the 7-digit part only.</summary>
    public static bool IsSevenDigitRulePrefecture(int prefecture) => prefecture is >= 11 and <= 14;

    private static char CheckDigit(ReadOnlySpan<char> first9)
    {
        var prefecture = (first9[0] - '0') * 10 + (first9[1] - '0');
        return Luhn.CheckDigit(IsSevenDigitRulePrefecture(prefecture) ? first9[3..] : first9);
    }

    public static bool IsValid(string? input) => TryParse(input, out _, out _, out _);

    /// <summary>The Japanese name of the 点数表 kind.</summary>
    public static string KindLabel(InstitutionKind kind) => kind switch
    {
        InstitutionKind.Medical => "医科",
        InstitutionKind.Dental => "歯科",
        InstitutionKind.Pharmacy => "調剤",
        InstitutionKind.HomeVisitNursing => "訪問看護",
        _ => "",
    };

    /// <summary>
    /// The codes starting with the digits <paramref name="prefix"/> as a range <c>[From, To)</c> on the code column, so that a
    /// prefix search is an index range scan on both providers (a <c>LIKE 'p%'</c> is not: SQLite's LIKE is case-insensitive
    /// and PostgreSQL's needs a C collation or <c>text_pattern_ops</c>). <c>To</c> is the prefix with its last digit raised
    /// (with carry: <c>19</c> → <c>2</c>), digits only, so it compares right under any collation; null when the prefix is
    /// all nines (no upper bound). An empty prefix gives <c>("", null)</c>: every code.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix holds something other than ASCII digits.</exception>
    public static (string From, string? To) PrefixRange(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!prefix.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("A code prefix is ASCII digits only.", nameof(prefix));
        }

        var end = prefix.TrimEnd('9');
        if (end.Length == 0)
        {
            return (prefix, null);
        }

        return (prefix, end[..^1] + (char)(end[^1] + 1));
    }
}
