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
}
