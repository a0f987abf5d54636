using System.Reflection;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The embedded list of common passwords (<c>common-passwords.txt</c>, see docs/passwords.md for its
/// source), loaded once on first use. Besides exact matches it catches cheap variants: a listed word with
/// digits or symbols around it (<c>Sakura2024!</c>) and simple character swaps (<c>P@ssw0rd</c>).
/// </summary>
internal static class CommonPasswordList
{
    internal const string ResourceName = "Onshi.CommonPasswords.txt";

    /// <summary>A core shorter than this is not looked up as a variant (too many false hits).</summary>
    private const int MinVariantLength = 4;

    private static readonly Lazy<HashSet<string>> Entries = new(Load);

    private static readonly char[] SymbolChars = [.. Enumerable.Range(0x21, 0x7E - 0x21 + 1)
        .Select(static c => (char)c)
        .Where(static c => !char.IsAsciiLetterOrDigit(c))];

    internal static int Count => Entries.Value.Count;

    /// <summary>True when the candidate, or a trivial variant of it, is on the list (case-insensitive).</summary>
    internal static bool IsCommon(string candidate)
    {
        HashSet<string> entries = Entries.Value;
        if (entries.Contains(candidate))
        {
            return true;
        }

        // "qwerty123!" -> "qwerty123": a listed password with a symbol added.
        string withoutTrailingSymbols = candidate.TrimEnd(SymbolChars);
        if (IsListedVariant(entries, withoutTrailingSymbols))
        {
            return true;
        }

        // "!2024Sakura#1" -> "Sakura": a listed word padded with digits and symbols.
        string core = TrimNonLetters(candidate);
        return IsListedVariant(entries, core) || IsListedVariant(entries, Unleet(core));
    }

    private static bool IsListedVariant(HashSet<string> entries, string variant) =>
        variant.Length >= MinVariantLength && entries.Contains(variant);

    private static string TrimNonLetters(string value)
    {
        int start = 0;
        int end = value.Length;
        while (start < end && !char.IsAsciiLetter(value[start]))
        {
            start++;
        }

        while (end > start && !char.IsAsciiLetter(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    // The swaps people make to satisfy "must contain a digit/symbol": p@ssw0rd, pa$$word, adm1n.
    private static string Unleet(string value) => string.Create(value.Length, value, static (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
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

    private static HashSet<string> Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing; the common-password rule cannot run.");
        using StreamReader reader = new(stream);
        HashSet<string> entries = new(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(line);
            }
        }

        return entries;
    }
}
