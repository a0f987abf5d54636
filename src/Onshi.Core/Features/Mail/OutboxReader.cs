using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Onshi.Core.Features.Mail;

/// <summary>A message read back from the outbox.</summary>
public sealed record OutboxMessage(string FileName, string To, string Subject, DateTimeOffset? Date, string Body);

/// <summary>
/// Reads the <c>.eml</c> files <see cref="OutboxMailSender"/> writes (for the portal's development outbox page, the demo and
/// tests). Understands exactly what the sender writes: RFC 2047 B-encoded UTF-8 headers and a base64 UTF-8 body.
/// </summary>
public static partial class OutboxReader
{
    /// <summary>Every message in <paramref name="directory"/>, newest first (the file names sort by time).</summary>
    public static IReadOnlyList<OutboxMessage> ReadAll(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*.eml")
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
            .Select(Read)];
    }

    /// <summary>One message of <paramref name="directory"/> by file name; null for a name that is not a file there.</summary>
    public static OutboxMessage? Find(string directory, string? fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName.Length > 100 || Path.GetFileName(fileName) != fileName
            || !fileName.EndsWith(".eml", StringComparison.Ordinal) || fileName.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        var path = Path.Combine(directory, fileName);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Parses one file.</summary>
    public static OutboxMessage Read(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headerText = split < 0 ? text : text[..split];
        var bodyText = split < 0 ? "" : text[(split + 4)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in headerText.Split("\r\n"))
        {
            if (line.StartsWith(' ') && last is not null)
            {
                headers[last] += line.TrimStart();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                last = line[..colon];
                headers[last] = line[(colon + 1)..].Trim();
            }
        }

        string body;
        try
        {
            body = Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(bodyText.Where(c => !char.IsWhiteSpace(c)))));
        }
        catch (FormatException)
        {
            body = bodyText;
        }

        DateTimeOffset? date = DateTimeOffset.TryParseExact(headers.GetValueOrDefault("Date"), "ddd, dd MMM yyyy HH:mm:ss zzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        return new OutboxMessage(Path.GetFileName(path), headers.GetValueOrDefault("To", "").Trim('<', '>'),
            Decode(headers.GetValueOrDefault("Subject", "")), date, body.ReplaceLineEndings("\n"));
    }

    /// <summary>The links (https) a message's body holds, in order.</summary>
    public static IReadOnlyList<string> Links(OutboxMessage message) =>
        [.. LinkPattern().Matches(message?.Body ?? "").Select(m => m.Value)];

    private static string Decode(string value) => EncodedWord().Replace(value, m =>
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value));
        }
        catch (FormatException)
        {
            return m.Value;
        }
    });

    [GeneratedRegex(@"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"https://[^\s<>""]+", RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();
}
