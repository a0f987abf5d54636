using System.Globalization;
using System.Text;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The context-specific words a password may not contain (ASVS 6.1.2, 6.2.11), besides the user ID: the product and
/// organisation words of this system (<see cref="ProductWords"/>, plus <see cref="PasswordOptions.ContextWords"/> of the
/// deployment) and the words of the account itself — the institution's 医療機関等コード and the Latin-letter parts of its
/// 医療機関等名 (OQS accounts), the local part of the e-mail address (portal users), the Latin-letter parts of the person's
/// name. Passwords are half-width ASCII, so only ASCII words can occur in one: a name written in kana and kanji has none.
/// Words shorter than <see cref="MinWordLength"/> are not used (too many innocent hits). See docs/passwords.md.
/// </summary>
public sealed record PasswordContext
{
    /// <summary>A context word shorter than this is not looked for.</summary>
    public const int MinWordLength = 4;

    /// <summary>
    /// This system's own words, in the romanisations people type: オン資 / オンライン資格確認 (onshi, shikaku, kakunin), 医療機関,
    /// 保険証 and マイナ保険証, 厚生労働省, 社会保険診療報酬支払基金 and 国保中央会 (the bodies that run it), and the portal.
    /// </summary>
    public static IReadOnlyList<string> ProductWords { get; } =
    [
        "onshi", "shikaku", "kakunin", "iryokikan", "iryoukikan", "hokensho", "myna", "mynumber", "mhlw", "kouroushou", "kourousho",
        "koroshou", "shiharaikikin", "kokuhoren", "portal",
    ];

    /// <summary>
    /// Word endings that hold a product word but are not about this system: "onshi" at the end of "championship",
    /// "relationship", "sponsorship" … is not refused (but "OnshiPass" is).
    /// </summary>
    private static readonly IReadOnlyList<string> InnocentWords = ["onship"];

    /// <summary>No words of the account's own (product words only).</summary>
    public static PasswordContext None { get; } = new([]);

    /// <summary>The account's own words, normalised (lower-case ASCII letters and digits).</summary>
    public IReadOnlyList<string> Words { get; }

    private PasswordContext(IReadOnlyList<string> words) => Words = words;

    /// <summary>An OQS account's words: its institution's code and name, and its ユーザ名.</summary>
    public static PasswordContext ForOqsAccount(string? institutionCode, string? institutionName, string? displayName) =>
        Of([institutionCode, .. Tokens(institutionName), .. Tokens(displayName)]);

    /// <summary>A portal user's words: the local part of the e-mail address (whole and by its parts) and the 担当者名.</summary>
    public static PasswordContext ForPortalUser(string? email, string? displayName)
    {
        var at = (email ?? "").LastIndexOf('@');
        var local = at > 0 ? email![..at] : "";
        return Of([Fold(local), .. Tokens(local), .. Tokens(displayName)]);
    }

    /// <summary>An operator's words: the name.</summary>
    public static PasswordContext ForOperator(string? displayName) => Of([.. Tokens(displayName)]);

    /// <summary>Whether <paramref name="candidate"/> holds a product word, a deployment word or one of this context's words.</summary>
    /// <remarks>
    /// Case is ignored. A word of letters is also found behind the usual swaps (<c>0nsh1</c>, <c>$hikaku</c>); a word with
    /// digits (a 医療機関等コード) also with separators inside (<c>131-000-0018</c>).
    /// </remarks>
    /// <summary>
    /// The first product word, deployment word or word of this context that <paramref name="candidate"/> holds, as this
    /// list spells it (lower case, e.g. <c>shikaku</c> for <c>$hikaku</c>), so the message can say which word was refused;
    /// null when none.
    /// </summary>
    internal string? FindIn(string candidate, IEnumerable<string> deploymentWords)
    {
        var lower = candidate.ToLowerInvariant();
        string[] letterForms = [lower, Unleet(lower)];
        string[] digitForms = [lower, Fold(lower)];
        return ProductWords.Concat(deploymentWords.Select(Fold)).Concat(Words)
            .Where(w => w.Length >= MinWordLength)
            .FirstOrDefault(w => (w.All(char.IsAsciiLetter) ? letterForms : digitForms).Any(f => HasOccurrence(f, lower, w)));
    }

    private static PasswordContext Of(IEnumerable<string?> words) =>
        new([.. words.Select(Fold).Where(w => w.Length >= MinWordLength).Distinct(StringComparer.Ordinal)]);

    /// <summary>The runs of ASCII letters and digits of a text (full-width letters count: NFKC).</summary>
    private static IEnumerable<string> Tokens(string? text)
    {
        var normalized = (text ?? "").Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var token = new StringBuilder();
        foreach (var c in normalized.Append(' '))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                token.Append(c);
            }
            else if (token.Length > 0)
            {
                yield return token.ToString();
                token.Clear();
            }
        }
    }

    /// <summary>Lower-case ASCII letters and digits only (NFKC first, so full-width digits of a code count).</summary>
    private static string Fold(string? text) =>
        new([.. (text ?? "").Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture).Where(char.IsAsciiLetterOrDigit)]);

    /// <param name="form">The candidate as searched (lower-case, swaps undone, or separators dropped).</param>
    /// <param name="lower">The candidate in lower case: where a word ends is read there (a swapped "!" is not a letter).</param>
    /// <param name="word">The word looked for.</param>
    private static bool HasOccurrence(string form, string lower, string word)
    {
        var reference = form.Length == lower.Length ? lower : form;
        for (var i = form.IndexOf(word, StringComparison.Ordinal); i >= 0; i = form.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            var at = i;
            if (!InnocentWords.Any(innocent => IsInnocentAt(form, reference, at, word, innocent)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the occurrence of <paramref name="word"/> at <paramref name="index"/> is part of <paramref name="innocent"/>
    /// ending there (or with a plural s): "champi·onship·2026" is, "onship·ass" (onshi + pass) is not.
    /// </summary>
    private static bool IsInnocentAt(string form, string reference, int index, string word, string innocent)
    {
        var offset = innocent.IndexOf(word, StringComparison.Ordinal);
        var start = index - offset;
        if (offset < 0 || start < 0 || start + innocent.Length > form.Length
            || string.CompareOrdinal(form, start, innocent, 0, innocent.Length) != 0)
        {
            return false;
        }

        var end = start + innocent.Length;
        if (end < reference.Length && reference[end] == 's')
        {
            end++;
        }

        return end == reference.Length || !char.IsAsciiLetter(reference[end]);
    }

    // The swaps people make to satisfy "must contain a digit/symbol": 0nsh1, $hikaku, p0rt@l.
    private static string Unleet(string value) => string.Create(value.Length, value, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '@' or '4' => 'a',
                '0' => 'o',
                '1' or '!' => 'i',
                '3' => 'e',
                '$' or '5' => 's',
                '7' => 't',
                _ => source[i],
            };
        }
    });
}
