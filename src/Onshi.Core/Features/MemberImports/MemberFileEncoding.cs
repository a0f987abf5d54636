using System.Text;

namespace Onshi.Core.Features.MemberImports;

/// <summary>
/// How a member file's bytes become text: UTF-8 (with or without BOM) or Shift_JIS (CP932, the code page Windows and Excel
/// write), each decoded strictly — a byte sequence the encoding does not define is an error, never a silent 「?」 or U+FFFD.
/// 自動判別: a UTF-8 BOM → UTF-8; else bytes that are valid UTF-8 → UTF-8; else bytes that are valid CP932 → Shift_JIS.
/// (Japanese text in one is practically never valid in the other: CP932's kana and kanji bytes do not form UTF-8 sequences.)
/// </summary>
public static class MemberFileEncoding
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Strict UTF-8 (no BOM written, invalid bytes throw).</summary>
    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Strict CP932.</summary>
    public static Encoding ShiftJis { get; } = CreateShiftJis();

    /// <summary>The encoding <paramref name="choice"/> means for <paramref name="content"/>, or an error when it cannot read it.</summary>
    public static MemberImportEncoding? Resolve(ReadOnlySpan<byte> content, MemberImportEncoding choice, out string? error)
    {
        error = null;
        var hasBom = content.StartsWith(Bom);
        switch (choice)
        {
            case MemberImportEncoding.Utf8:
                if (Utf8Valid(content, out var at))
                {
                    return MemberImportEncoding.Utf8;
                }

                error = $"UTF-8 として読めないバイトがあります（先頭から {at + 1:N0} バイト目付近）。文字コードの指定（Shift_JIS など）をお確かめください。";
                return null;
            case MemberImportEncoding.ShiftJis:
                if (hasBom)
                {
                    error = "UTF-8 の BOM で始まるファイルです。文字コードに「UTF-8」または「自動判別」を選んでください。";
                    return null;
                }

                if (ShiftJisValid(content))
                {
                    return MemberImportEncoding.ShiftJis;
                }

                error = "Shift_JIS として読めない文字があります。文字コードの指定（UTF-8 など）をお確かめください。";
                return null;
            default:
                if (hasBom || Utf8Valid(content, out _))
                {
                    return MemberImportEncoding.Utf8;
                }

                if (ShiftJisValid(content))
                {
                    return MemberImportEncoding.ShiftJis;
                }

                error = "文字コードを判別できません。UTF-8 または Shift_JIS で保存した CSV ファイルを指定してください。";
                return null;
        }
    }

    /// <summary>A reader of <paramref name="content"/> in <paramref name="encoding"/> (a UTF-8 BOM skipped).</summary>
    public static TextReader Open(byte[] content, MemberImportEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(content);
        var skip = encoding == MemberImportEncoding.Utf8 && content.AsSpan().StartsWith(Bom) ? Bom.Length : 0;
        var stream = new MemoryStream(content, skip, content.Length - skip, writable: false);
        return new StreamReader(stream, encoding == MemberImportEncoding.ShiftJis ? ShiftJis : Utf8, detectEncodingFromByteOrderMarks: false,
            bufferSize: 64 * 1024);
    }

    private static bool Utf8Valid(ReadOnlySpan<byte> content, out int invalidAt)
    {
        var body = content.StartsWith(Bom) ? content[Bom.Length..] : content;
        invalidAt = 0;
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return true;
        }

        // Where: walk to the first invalid sequence (only for the message).
        var offset = 0;
        while (offset < body.Length && Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        invalidAt = offset + (content.Length - body.Length);
        return false;
    }

    private static bool ShiftJisValid(ReadOnlySpan<byte> content)
    {
        var decoder = ShiftJis.GetDecoder();
        var chars = new char[64 * 1024];
        try
        {
            while (!content.IsEmpty)
            {
                var chunk = content[..Math.Min(content.Length, 32 * 1024)];
                var last = chunk.Length == content.Length;
                decoder.Convert(chunk, chars, last, out var used, out _, out _);
                content = content[used..];
            }

            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static Encoding CreateShiftJis()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }
}
