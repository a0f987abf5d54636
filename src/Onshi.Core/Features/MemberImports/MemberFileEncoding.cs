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
    public static MemberImportEncoding? Resolve(byte[] content, MemberImportEncoding choice, out string? error)
    {
        ArgumentNullException.ThrowIfNull(content);
        error = null;
        var hasBom = content.AsSpan().StartsWith(Bom);
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

                if (ShiftJisValid(ToDotNetCp932(content)))
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

                if (ShiftJisValid(ToDotNetCp932(content)))
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
        content = encoding == MemberImportEncoding.ShiftJis ? ToDotNetCp932(content) : content;
        var stream = new MemoryStream(content, skip, content.Length - skip, writable: false);
        return new StreamReader(stream, encoding == MemberImportEncoding.ShiftJis ? ShiftJis : Utf8, detectEncodingFromByteOrderMarks: false,
            bufferSize: 64 * 1024);
    }

    /// <summary>
    /// CP932 has two or three codes for 398 characters, and .NET's code page 932 reads only one of them, while Windows reads
    /// all: the NEC-selected IBM extensions (rows ED–EE: 髙 EEE0, 﨑 ED95, ⅰ EEEF — what Python's and Java's encoders and many
    /// older systems write) and a few symbols of the NEC row 13 and the IBM extensions (≒ 8790, Ⅰ FA4A, ￢ FA54, ㈱ FA58 …).
    /// Those codes are rewritten to the code .NET reads for the same character (always two bytes for two, so byte offsets
    /// stay): ED40–EEEC map in order onto the IBM extensions FA5C–FC4B, EEEF–EEFC onto FA40–FA49 and FA54–FA57, and
    /// <see cref="Duplicates"/> onto their JIS or NEC codes. The original is never changed (a copy is returned when needed).
    /// </summary>
    public static byte[] ToDotNetCp932(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        byte[]? copy = null;
        for (var i = 0; i < content.Length - 1; i++)
        {
            var lead = content[i];
            if (lead is not (>= 0x81 and <= 0x9F) and not (>= 0xE0 and <= 0xFC))
            {
                continue;
            }

            var trail = content[i + 1];
            var code = (lead << 8) | trail;
            if (lead is 0xED or 0xEE && trail is (>= 0x40 and <= 0x7E) or (>= 0x80 and <= 0xFC))
            {
                var linear = ((lead - 0xED) * 188) + TrailIndex(trail);
                int? ibm = linear < 360 ? TrailIndex(0x5C) + linear
                    : lead == 0xEE && trail is >= 0xEF and <= 0xF8 ? TrailIndex((byte)(0x40 + trail - 0xEF))
                    : lead == 0xEE && trail >= 0xF9 ? TrailIndex((byte)(0x54 + trail - 0xF9))
                    : null; // EEED, EEEE: unassigned; the strict decoder refuses them
                if (ibm is { } n)
                {
                    var t = n % 188;
                    code = ((0xFA + (n / 188)) << 8) | (t + 0x40 + (t >= 0x3F ? 1 : 0));
                }
            }

            code = Duplicates.GetValueOrDefault(code, code);
            if (code != ((lead << 8) | trail))
            {
                copy ??= (byte[])content.Clone();
                copy[i] = (byte)(code >> 8);
                copy[i + 1] = (byte)code;
            }

            i++; // the trail byte is not a lead
        }

        return copy ?? content;

        static int TrailIndex(byte trail) => trail - 0x40 - (trail >= 0x80 ? 1 : 0);
    }

    /// <summary>Second codes of CP932 symbols that .NET does not read, with the code it reads for the same character.</summary>
    private static readonly Dictionary<int, int> Duplicates = new()
    {
        [0x8790] = 0x81E0,
        [0x8791] = 0x81DF,
        [0x8792] = 0x81E7,
        [0x8795] = 0x81E3,
        [0x8796] = 0x81DB,
        [0x8797] = 0x81DA,
        [0x879A] = 0x81E6,
        [0x879B] = 0x81BF,
        [0x879C] = 0x81BE,
        [0xFA4A] = 0x8754,
        [0xFA4B] = 0x8755,
        [0xFA4C] = 0x8756,
        [0xFA4D] = 0x8757,
        [0xFA4E] = 0x8758,
        [0xFA4F] = 0x8759,
        [0xFA50] = 0x875A,
        [0xFA51] = 0x875B,
        [0xFA52] = 0x875C,
        [0xFA53] = 0x875D,
        [0xFA54] = 0x81CA,
        [0xFA58] = 0x878A,
        [0xFA59] = 0x8782,
        [0xFA5A] = 0x8784,
        [0xFA5B] = 0x81E6,
    };

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
