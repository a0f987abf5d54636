using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Secrets;

namespace Onshi.Core.Features.Mail;

/// <summary>
/// Writes each message as an RFC 5322 <c>.eml</c> file (UTF-8 text, MIME-encoded headers) into the outbox directory.
/// File names start with the UTC time to the 100 ns, so a directory listing sorts by time. Each file is written to a
/// hidden temporary file and renamed, so it appears whole or not at all. The embedded default and
/// the demo use it; a real server is one setting away (<see cref="SmtpMailSender"/>).
/// </summary>
public sealed partial class OutboxMailSender(IOptions<MailOptions> options, TimeProvider time, ILogger<OutboxMailSender> logger) : IMailSender
{
    private readonly MailOptions opts = options.Value;

    /// <summary>The directory the files go to.</summary>
    public string Directory => opts.OutboxDirectory ?? throw new InvalidOperationException("Onshi:Mail:OutboxDirectory is not set.");

    public async Task SendAsync(MailMessageData message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var domain = opts.From.Contains('@', StringComparison.Ordinal) ? opts.From[(opts.From.IndexOf('@', StringComparison.Ordinal) + 1)..] : "onshi.local";
        var text = Render(message, opts.From, opts.FromName, now, $"<{now.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{id}@{domain}>");
        System.IO.Directory.CreateDirectory(Directory);
        var name = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture) + "-" + id + ".eml";
        var path = Path.Combine(Directory, name);
        cancellationToken.ThrowIfCancellationRequested();

        // Written beside it and renamed into place: a reader (or a process killed mid-write) never sees half a message.
        await Task.Run(() => SecretFiles.WriteAtomically(path, new UTF8Encoding(false).GetBytes(text), secret: false), cancellationToken);
        LogWritten(logger, name);
    }

    /// <summary>The message as RFC 5322 text with CRLF line ends.</summary>
    internal static string Render(MailMessageData message, string from, string fromName, DateTimeOffset date, string messageId)
    {
        var sb = new StringBuilder();
        void Header(string name, string value) => sb.Append(name).Append(": ").Append(value).Append("\r\n");
        Header("From", $"{EncodeWord(fromName)}\r\n <{from}>");
        Header("To", "<" + StripLineBreaks(message.To) + ">");
        Header("Subject", EncodeWord(StripLineBreaks(message.Subject)));
        Header("Date", date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Header("Message-ID", messageId);
        Header("MIME-Version", "1.0");
        Header("Content-Type", "text/plain; charset=utf-8");
        Header("Content-Transfer-Encoding", "base64");
        sb.Append("\r\n");
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Body.ReplaceLineEndings("\r\n")));
        for (var i = 0; i < body.Length; i += 76)
        {
            sb.Append(body.AsSpan(i, Math.Min(76, body.Length - i))).Append("\r\n");
        }

        return sb.ToString();
    }

    /// <summary>RFC 2047 encoded-words (UTF-8, base64), split so that no word exceeds 75 characters.</summary>
    internal static string EncodeWord(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~'))
        {
            return value;
        }

        var words = new List<string>();
        var chunk = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            // 36 bytes of UTF-8 become 48 base64 characters: with "=?utf-8?B?" and "?=" a word is 60 characters, so
            // even the first line ("Subject: " and a word) stays within the 78 characters RFC 5322 recommends.
            if (Encoding.UTF8.GetByteCount(chunk.ToString() + rune.ToString()) > 36)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
            }

            chunk.Append(rune.ToString());
        }

        if (chunk.Length > 0)
        {
            words.Add(Word(chunk.ToString()));
        }

        return string.Join("\r\n ", words);

        static string Word(string s) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(s)) + "?=";
    }

    private static string StripLineBreaks(string s) => s.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Mail written to the outbox as {FileName}")]
    private static partial void LogWritten(ILogger logger, string fileName);
}
