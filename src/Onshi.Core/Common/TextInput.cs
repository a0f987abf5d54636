using System.Text;

namespace Onshi.Core.Common;

/// <summary>
/// Characters no stored text may hold: control characters (C0, DEL, C1) and U+FFFD, which is what the form decoder makes of
/// bytes that are not UTF-8 — storing it would silently keep a value the user never typed.
/// </summary>
public static class TextInput
{
    /// <summary>The replacement character the UTF-8 decoder writes for invalid bytes.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Whether <paramref name="c"/> may not appear in a single-line field.</summary>
    public static bool IsForbidden(char c) => char.IsControl(c) || c == Replacement;

    /// <summary>Whether <paramref name="c"/> may not appear in a multi-line field (tab and line breaks allowed).</summary>
    public static bool IsForbiddenMultiline(char c) => c is not '\n' and not '\r' and not '\t' && IsForbidden(c);

    /// <summary>
    /// What an IME types into a code or number field, made what the field means: NFKC (full-width digits, letters,
    /// comma, space → half-width; half-width katakana ｰ → ー) and then every hyphen look-alike (<see cref="IsHyphenLike"/>,
    /// the long vowel mark 「ー」 included) → ASCII "-". For 医療機関等コード, ユーザID, 電話番号, 郵便番号, amounts, 端末名 and
    /// 秘密の番号 only: never for names and addresses, where 「ー」 is a letter of a katakana word, and never for passwords,
    /// which are compared exactly (docs/decisions-issue14-text.md). <c>null</c> stays <c>null</c>; nothing is trimmed.
    /// </summary>
    public static string? NormalizeCode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var folded = value.IsNormalized(NormalizationForm.FormKC) ? value : value.Normalize(NormalizationForm.FormKC);
        return folded.Any(IsHyphenLike)
            ? string.Create(folded.Length, folded, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = IsHyphenLike(source[i]) ? '-' : source[i];
                }
            })
            : folded;
    }

    /// <summary>
    /// The characters people type for a hyphen in a code or telephone number (after NFKC): ‐ ‑ ‒ – — ― (U+2010–2015),
    /// ⁃ (U+2043), − (U+2212), ー (U+30FC, the long vowel mark an IME gives for the "-" key in kana mode), ｰ is NFKC's ー,
    /// ﹘ (U+FE58) and ⸺ ⸻ (U+2E3A/2E3B). 「－」 (U+FF0D) and ﹣ (U+FE63) are already "-" after NFKC.
    /// </summary>
    public static bool IsHyphenLike(char c) => c is '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015'
        or '\u2043' or '\u2212' or '\u30FC' or '\uFE58' or '\u2E3A' or '\u2E3B';
}
