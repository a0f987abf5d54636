using System.Text;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>
/// One bad value: text (sent UTF-8, form-encoded) or raw bytes (written into the body as they are, so invalid UTF-8 reaches
/// the server unescaped). <see cref="MustReject"/>: no form may accept it, so no row may change; the others (markup, SQL
/// metacharacters, a path, full-width digits) are legitimate text in a free-text field and may be stored — then only
/// encoded. <see cref="MayResetConnection"/>: over Kestrel's 1 MB request limit, which may close the connection while
/// the client is still sending (the site answers 413 and reads nothing).
/// </summary>
public sealed record BadValue(string Name, string? Text, byte[]? Raw, bool MustReject, bool MayResetConnection = false)
{
    public override string ToString() => Name;
}

/// <summary>A file for an upload field. <see cref="TooLarge"/>: over the page's request limit (refused 413 and audited).</summary>
public sealed record BadFile(string Name, string FileName, string ContentType, byte[] Bytes, bool MayResetConnection = false, bool TooLarge = false);

/// <summary>The corpus.</summary>
public static class BadInput
{
    public const string Script = "<script>alert(1)</script>";

    public const string ImgOnError = "\"><img src=x onerror=alert(1)>";

    public static readonly IReadOnlyList<BadValue> Values =
    [
        new("10kB", new string('a', 10 * 1024), null, true),
        new("1MB", new string('x', 1024 * 1024), null, true, MayResetConnection: true),
        new("control-characters", "ab\u0001\u0002\u001b\u007f\u0085cd", null, true),
        new("nul", "ab\0cd", null, true),
        new("invalid-utf8-raw", null, [0x61, 0xC3, 0x28, 0xFF, 0xFE, 0x62], true),
        // Percent-escaped invalid UTF-8 is left escaped by the form decoder: the literal text "%C3%28", which a user may type.
        new("invalid-utf8-escaped", null, Encoding.ASCII.GetBytes("a%C3%28%FF%FEb"), false),
        new("full-width-digits", "１２３４５６７８９０", null, false),
        new("script", Script, null, false),
        new("img-onerror", ImgOnError, null, false),
        new("sql-or", "' OR '1'='1", null, false),
        new("sql-drop", "x'; DROP TABLE \"Accounts\"; --", null, false),
        new("path-traversal", "../../etc/passwd", null, false),
        new("path-traversal-escaped", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", null, false),
        new("negative", "-1", null, false),
        new("huge-number", "99999999999999999999999999", null, false),
    ];

    /// <summary>
    /// The refusal a value must leave in the 操作ログ (docs/security.md): control characters, NUL and (in a body) invalid UTF-8
    /// are <c>forbidden-input</c>; 1 MB in a url-encoded form is over Kestrel's 1 MiB (<c>too-large</c>) — in a GET it is over the
    /// request line limit, which Kestrel answers itself, and the upload page allows 10 MB; the others are ordinary text or an
    /// ordinary validation error, never audited.
    /// </summary>
    public static string? Refusal(BadValue value, bool isGet, bool multipart)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Name switch
        {
            "control-characters" or "nul" => Onshi.Core.Features.Audit.RequestRefusalReasons.ForbiddenInput,
            // In a body the decoder makes U+FFFD of invalid UTF-8; in a query string it leaves the bytes escaped ("%C3%28" is text).
            "invalid-utf8-raw" when !isGet => Onshi.Core.Features.Audit.RequestRefusalReasons.ForbiddenInput,
            "1MB" when !isGet && !multipart => Onshi.Core.Features.Audit.RequestRefusalReasons.TooLarge,
            _ => null,
        };
    }

    /// <summary>A sample for the second provider: one of each kind.</summary>
    public static readonly IReadOnlyList<BadValue> Sample =
        [.. Values.Where(v => v.Name is "10kB" or "nul" or "invalid-utf8-raw" or "script" or "sql-drop" or "path-traversal")];

    /// <summary>Route values for <c>{id}</c>-like parameters (another institution's ids come from the site's seeds).</summary>
    public static readonly IReadOnlyList<string> RouteValues =
        ["-1", "0", "99999999999999999999", "9223372036854775807", "abc", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", "１", "%3Cscript%3E"];

    /// <summary>Query strings appended to every GET route.</summary>
    public static readonly IReadOnlyList<string> Queries =
    [
        "page=-1", "page=99999999999999999999", "page=%EF%BC%91", "handler=NoSuchHandler", "code=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "code=999", "returnUrl=%2F%2Fevil.example%2F", "ReturnUrl=https%3A%2F%2Fevil.example%2F", "x=%C3%28%FF%00", "id=..%2F..%2Fetc%2Fpasswd",
        "q=%27%20OR%20%271%27%3D%271", "k=" + new string('a', 10 * 1024),
    ];

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>A valid small receipt (the baseline of an upload field).</summary>
    public static BadFile ValidPng => new("valid", "receipt.png", "image/png", Png);

    /// <summary>Uploads: too big, the wrong type, disguised, with a hostile file name.</summary>
    public static IReadOnlyList<BadFile> Files(bool sample) => sample
        ? [new("over-5MB", "receipt.pdf", "application/pdf", Pdf(6 * 1024 * 1024)), new("exe-as-pdf", "receipt.pdf", "application/pdf", Exe)]
        :
        [
            new("over-5MB", "receipt.pdf", "application/pdf", Pdf((5 * 1024 * 1024) + 1)),
            new("over-10MB", "receipt.pdf", "application/pdf", Pdf(12 * 1024 * 1024), MayResetConnection: true, TooLarge: true),
            new("exe", "setup.exe", "application/x-msdownload", Exe),
            new("exe-as-pdf", "receipt.pdf", "application/pdf", Exe),
            new("html-as-png", "receipt.png", "image/png", Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>")),
            new("png-named-pdf", "receipt.pdf", "application/pdf", Png),
            new("svg", "receipt.svg", "image/svg+xml", Encoding.UTF8.GetBytes("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")),
            new("empty", "receipt.pdf", "application/pdf", []),
            new("traversal-name", "../../etc/passwd", "application/pdf", Pdf(100)),
            new("script-name", "<script>alert(1)</script>.exe", "text/html", Exe),
        ];

    private static readonly byte[] Exe = [.. "MZ"u8, .. new byte[510]];

    private static byte[] Pdf(int length)
    {
        var bytes = new byte[length];
        "%PDF-1.4\n"u8.CopyTo(bytes);
        Array.Fill(bytes, (byte)' ', 9, Math.Max(0, length - 9));
        return bytes;
    }
}
