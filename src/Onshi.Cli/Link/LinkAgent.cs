using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Cli.Link;

/// <summary>The 連携アプリ's settings (<c>onshi link</c>).</summary>
internal sealed record LinkSettings(string RequestDirectory, string ResultDirectory, TimeSpan PollInterval, TimeSpan GiveUpAfter)
{
    /// <summary>Where a request is kept while it is answered (inside the request folder, so a rename moves it atomically).</summary>
    public string WorkDirectory => Path.Combine(RequestDirectory, ".onshi-link");
}

/// <summary>What the 連携アプリ did with one request file (for its log line and the tests).</summary>
internal sealed record LinkOutcome(string RequestFile, string WrittenFile, string Segment);

/// <summary>
/// The 連携アプリ (SPEC §11.3 file names, §12): watches the request folder for <c>OQSsiquc01req_*.xml</c>,
/// <c>OQSmuquc01req_*.xml</c> and <c>OQSmuquc02req_*.xml</c>, answers each through the Web API with the matching
/// <c>…res_*.xml</c> in the result folder (in UTF-8 or Shift_JIS as the request's <c>CharacterCodeIdentifier</c> says, else as the
/// request file was written), or <c>&lt;request name&gt;.err</c> when no answer can be had.
/// </summary>
/// <remarks>
/// Never lost, never answered twice, across its own restarts: a request is first moved (one rename) into the work folder; the
/// system's answer is saved there (written to a temporary name, then renamed) before the result file is written the same way;
/// only then is the request removed. A restart finishes what the work folder holds: an answer already saved is delivered without
/// asking the system again, and a result file already in place is not written again. Logs name files and codes only — never a
/// patient's data, the account's secret or a token.
/// </remarks>
internal sealed partial class LinkAgent(LinkSettings settings, LinkApiClient api, TextWriter log, TimeProvider time)
{
    private const string AnswerSuffix = ".answer";
    private const string TemporarySuffix = ".tmp";

    /// <summary>Requests that could not be answered yet, since when (retried every pass until <see cref="LinkSettings.GiveUpAfter"/>).</summary>
    private readonly Dictionary<string, DateTimeOffset> waiting = new(StringComparer.Ordinal);

    static LinkAgent() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static Encoding ShiftJis => Encoding.GetEncoding("shift_jis");

    /// <summary>Answers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await PassAsync(cancellationToken);
            await Task.Delay(settings.PollInterval, time, cancellationToken);
        }
    }

    /// <summary>One pass: first what an earlier run left in the work folder, then every new request, oldest first.</summary>
    public async Task<IReadOnlyList<LinkOutcome>> PassAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.WorkDirectory);
        Directory.CreateDirectory(settings.ResultDirectory);
        var outcomes = new List<LinkOutcome>();
        foreach (var path in Directory.EnumerateFiles(settings.WorkDirectory, "OQS*.xml").Order(StringComparer.Ordinal))
        {
            if (await AnswerAsync(Path.GetFileName(path), cancellationToken) is { } outcome)
            {
                outcomes.Add(outcome);
            }
        }

        var fresh = new DirectoryInfo(settings.RequestDirectory).EnumerateFiles("OQS*.xml")
            .Where(f => RequestName().IsMatch(f.Name))
            .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal);
        foreach (var file in fresh)
        {
            if (!Complete(file))
            {
                continue;
            }

            var work = Path.Combine(settings.WorkDirectory, file.Name);
            try
            {
                File.Move(file.FullName, work);
            }
            catch (IOException)
            {
                // Taken meanwhile (another pass, or the reception software removed it).
                continue;
            }

            if (await AnswerAsync(file.Name, cancellationToken) is { } outcome)
            {
                outcomes.Add(outcome);
            }
        }

        return outcomes;
    }

    /// <summary>Answers the request <paramref name="name"/> held in the work folder; null while it waits for the system.</summary>
    private async Task<LinkOutcome?> AnswerAsync(string name, CancellationToken cancellationToken)
    {
        var work = Path.Combine(settings.WorkDirectory, name);
        var answerPath = work + AnswerSuffix;
        var kind = name[..13];
        var resultName = kind.Replace("req", "res", StringComparison.Ordinal) + name[13..];
        var errorName = Path.GetFileNameWithoutExtension(name) + ".err";
        XDocument? request = null;
        string? failure = null;
        try
        {
            request = Load(work);
        }
        catch (Exception e) when (e is XmlException or IOException or DecoderFallbackException or ArgumentException)
        {
            failure = "要求ファイルをXMLとして読み取れません。ファイルの内容と文字コード（XML宣言のencoding）を確認してください。";
        }

        var shiftJis = request is not null && WantsShiftJis(request);
        if (failure is null && !File.Exists(answerPath))
        {
            try
            {
                var answer = await AskAsync(kind, request!, cancellationToken);
                if (answer is null)
                {
                    failure = "要求ファイルの内容が正しくありません（XmlMsg / MessageHeader / MessageBody を確認してください）。";
                }
                else
                {
                    WriteAtomically(answerPath, answer, shiftJis);
                }
            }
            catch (LinkUnavailableException e)
            {
                var since = waiting.TryGetValue(name, out var first) ? first : waiting[name] = time.GetUtcNow();
                if (!e.Permanent && time.GetUtcNow() - since < settings.GiveUpAfter)
                {
                    Log($"{name}: 待機中（{e.Message}）");
                    return null;
                }

                failure = e.Message;
            }
        }

        waiting.Remove(name);
        string written;
        string segment;
        if (failure is not null)
        {
            written = errorName;
            segment = "err";
            var target = Path.Combine(settings.ResultDirectory, errorName);
            if (!File.Exists(target))
            {
                WriteTextAtomically(target, failure + Environment.NewLine, shiftJis ? ShiftJis : new UTF8Encoding(false));
            }
        }
        else
        {
            written = resultName;
            var saved = Load(answerPath);
            segment = saved.Root?.Element("MessageHeader")?.Element("SegmentOfResult")?.Value ?? "";
            var target = Path.Combine(settings.ResultDirectory, resultName);
            if (!File.Exists(target))
            {
                File.Copy(answerPath, target + TemporarySuffix, overwrite: true);
                File.Move(target + TemporarySuffix, target);
            }
        }

        File.Delete(work);
        File.Delete(answerPath);
        Log($"{name} → {written}（SegmentOfResult {segment}）");
        return new LinkOutcome(name, written, segment);
    }

    /// <summary>Asks the system; the answer as the result file's XML, or null when the request is not the message it should be.</summary>
    private async Task<XDocument?> AskAsync(string kind, XDocument request, CancellationToken cancellationToken)
    {
        var root = request.Root;
        if (root is null || root.Name.LocalName != WireXml.RootName)
        {
            return null;
        }

        try
        {
            switch (kind)
            {
                case "OQSsiquc01req":
                    var single = WireXml.Deserialize<QualificationRequestMessage>(root);
                    return single?.MessageBody?.QualificationConfirmSearchInfo is null ? null : WireXml.Serialize(await api.SearchAsync(single, cancellationToken));
                case "OQSmuquc01req":
                    var bulk = WireXml.Deserialize<BulkRequestMessage>(root);
                    return bulk is null ? null : WireXml.Serialize(await api.BulkAsync(bulk, cancellationToken));
                default:
                    var result = WireXml.Deserialize<BulkResultRequestMessage>(root);
                    return string.IsNullOrWhiteSpace(result?.MessageBody?.ReceptionNumber) ? null : WireXml.Serialize(await api.BulkResultAsync(result, cancellationToken));
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The result in Shift_JIS when the request's header says 1, in UTF-8 when it says 0, else as the request file was written.</summary>
    private static bool WantsShiftJis(XDocument request)
    {
        var code = request.Root?.Element("MessageHeader")?.Element("CharacterCodeIdentifier")?.Value.Trim();
        return code switch
        {
            "1" => true,
            "0" => false,
            _ => request.Declaration?.Encoding is { } e && (e.Equals("Shift_JIS", StringComparison.OrdinalIgnoreCase)
                || e.Equals("shift-jis", StringComparison.OrdinalIgnoreCase) || e.Equals("sjis", StringComparison.OrdinalIgnoreCase)
                || e.Equals("windows-31j", StringComparison.OrdinalIgnoreCase) || e.Equals("cp932", StringComparison.OrdinalIgnoreCase)),
        };
    }

    /// <summary>
    /// Writes <paramref name="document"/> (a temporary name, flushed to disk, then renamed) in UTF-8 or Shift_JIS, with its
    /// <c>CharacterCodeIdentifier</c> and declaration saying which. A character Shift_JIS cannot hold (𠮷) is written as a
    /// character reference (<c>&amp;#x20BB7;</c>), never as a replacement mark.
    /// </summary>
    private static void WriteAtomically(string path, XDocument document, bool shiftJis)
    {
        if (document.Root?.Element("MessageHeader")?.Element("CharacterCodeIdentifier") is { } code)
        {
            code.Value = shiftJis ? "1" : "0";
        }

        var encoding = shiftJis ? ShiftJis : new UTF8Encoding(false);
        var temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = encoding, Indent = true, CloseOutput = false }))
            {
                writer.WriteProcessingInstruction("xml", $"version=\"1.0\" encoding=\"{(shiftJis ? "Shift_JIS" : "UTF-8")}\" standalone=\"no\"");
                document.Root!.WriteTo(writer);
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteTextAtomically(string path, string text, Encoding encoding)
    {
        var temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = encoding.GetBytes(text);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static XDocument Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = XmlReader.Create(stream, WireXml.ReaderSettings(64_000_000));
        return XDocument.Load(reader);
    }

    /// <summary>
    /// Whether the reception software has finished writing the file: it reads as whole XML, or it has not changed for two
    /// seconds (then a broken file is answered with .err rather than waited for forever).
    /// </summary>
    private bool Complete(FileInfo file)
    {
        if (time.GetUtcNow().UtcDateTime - file.LastWriteTimeUtc > TimeSpan.FromSeconds(2))
        {
            return true;
        }

        try
        {
            _ = Load(file.FullName);
            return true;
        }
        catch (Exception e) when (e is XmlException or IOException or DecoderFallbackException or ArgumentException)
        {
            return false;
        }
    }

    private void Log(string line) => log.WriteLine($"{Core.Common.Jst.Seconds(time.GetUtcNow().UtcDateTime)} {line}");

    /// <summary>The request names of SPEC §11.3: the kind and a 12-character id.</summary>
    [GeneratedRegex("^OQS(siquc01|muquc01|muquc02)req_[0-9A-Za-z_-]{12}\\.xml$", RegexOptions.CultureInvariant)]
    private static partial Regex RequestName();
}
