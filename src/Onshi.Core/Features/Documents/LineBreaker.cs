using System.Text;

namespace Onshi.Core.Features.Documents;

/// <summary>
/// Breaks text into lines that fit a width. Japanese breaks between any two characters; runs of Latin
/// letters, digits and ASCII symbols (user IDs, passwords, codes) stay whole while they fit. Kinsoku
/// shori by pushing characters out (追い出し): a line never starts with closing punctuation or small kana
/// and never ends with an opening bracket.
/// </summary>
internal static class LineBreaker
{
    private const string NoLineStart = "、。，．,.)）」』】〕〉》］｝]}・：；:;？！?!ー‐–〜～ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ…‥％%";
    private const string NoLineEnd = "（(「『【〔〈《［｛[{";

    /// <summary>Wraps <paramref name="text"/>; explicit <c>\n</c> starts a new line.</summary>
    public static List<string> Wrap(string text, double maxWidth, Func<string, double> measure)
    {
        List<string> lines = [];
        foreach (string paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            WrapParagraph(paragraph, maxWidth, measure, lines);
        }

        return lines;
    }

    private static void WrapParagraph(string paragraph, double maxWidth, Func<string, double> measure, List<string> lines)
    {
        List<string> tokens = Tokenize(paragraph);
        if (tokens.Count == 0)
        {
            lines.Add("");
            return;
        }

        int start = 0;
        while (start < tokens.Count)
        {
            double width = 0;
            int end = start;
            while (end < tokens.Count && width + measure(tokens[end]) <= maxWidth)
            {
                width += measure(tokens[end]);
                end++;
            }

            if (end == tokens.Count)
            {
                lines.Add(Join(tokens, start, end));
                return;
            }

            if (end == start)
            {
                // One token wider than the line: split it by character.
                string token = tokens[start];
                int fit = 1;
                while (fit < token.Length && measure(token[..(fit + 1)]) <= maxWidth)
                {
                    fit++;
                }

                tokens[start] = token[..fit];
                if (fit < token.Length)
                {
                    tokens.Insert(start + 1, token[fit..]);
                }

                continue;
            }

            int lineEnd = end;
            while (lineEnd - 1 > start && (StartsWithAny(tokens[lineEnd], NoLineStart) || EndsWithAny(tokens[lineEnd - 1], NoLineEnd)))
            {
                lineEnd--;
            }

            lines.Add(Join(tokens, start, lineEnd));
            start = lineEnd;
            while (start < tokens.Count && tokens[start] == " ")
            {
                start++;
            }
        }
    }

    private static List<string> Tokenize(string text)
    {
        List<string> tokens = [];
        StringBuilder word = new();
        foreach (char c in text)
        {
            if (c > ' ' && c < 0x7F)
            {
                word.Append(c);
                continue;
            }

            if (word.Length > 0)
            {
                tokens.Add(word.ToString());
                word.Clear();
            }

            tokens.Add(char.IsWhiteSpace(c) && c != '　' ? " " : c.ToString());
        }

        if (word.Length > 0)
        {
            tokens.Add(word.ToString());
        }

        return tokens;
    }

    private static string Join(List<string> tokens, int start, int end) =>
        string.Concat(tokens.Skip(start).Take(end - start)).TrimEnd(' ');

    private static bool StartsWithAny(string token, string set) => token.Length > 0 && set.Contains(token[0], StringComparison.Ordinal);

    private static bool EndsWithAny(string token, string set) => token.Length > 0 && set.Contains(token[^1], StringComparison.Ordinal);
}
