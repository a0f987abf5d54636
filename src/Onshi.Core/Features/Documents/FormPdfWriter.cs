using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Onshi.Core.Features.Documents;

/// <summary>Horizontal alignment of a line of text within the content width.</summary>
internal enum TextAlign
{
    Left,
    Center,
    Right,
}

/// <summary>A row of a key/value table. <paramref name="Secret"/> renders a password legibly (large, and one boxed character at a time).</summary>
internal sealed record TableRow(string Label, string Value, bool Secret = false);

/// <summary>
/// A small flow layout over PdfPig's <see cref="PdfDocumentBuilder"/> for calm, form-like Japanese
/// documents: A4 portrait, millimetre margins, a cursor that moves down the page and starts a new page
/// when the next block does not fit, and a footer (document name · page · issue time in JST) added to
/// every page at <see cref="Build"/>. PdfPig lays out nothing itself, so every coordinate is computed here
/// from the font's own advance widths. Not thread-safe: one writer renders one document.
/// </summary>
internal sealed class FormPdfWriter : IDisposable
{
    public const double Mm = 72 / 25.4;

    private const double BodySize = 10.5;
    private const double MarginX = 20 * Mm;
    private const double MarginTop = 18 * Mm;
    private const double ContentBottomMargin = 22 * Mm;
    private const double FooterRuleFromBottom = 15 * Mm;
    private const double FooterBaselineFromBottom = 10.5 * Mm;

    // Baseline of a CJK line sits this many ems below the centre of its em box.
    private const double BaselineBelowCentre = 0.36;

    private static readonly Rgb Ink = new(26, 26, 26);
    private static readonly Rgb Muted = new(85, 85, 85);
    private static readonly Rgb Border = new(96, 96, 96);
    private static readonly Rgb SoftBorder = new(150, 150, 150);
    private static readonly Rgb LabelFill = new(236, 236, 236);
    private static readonly Rgb NoteFill = new(248, 248, 248);
    private static readonly Rgb White = new(255, 255, 255);

    private readonly PdfDocumentBuilder _builder = new();
    private readonly FontResourcePool _regular;
    private readonly FontResourcePool _bold;
    private readonly List<PdfPageBuilder> _pages = [];
    private readonly string _documentName;
    private readonly DateTime _issuedAtUtc;
    private PdfPageBuilder _page;
    private double _y;

    public FormPdfWriter(string documentName, DateTime issuedAtUtc)
    {
        _documentName = documentName;
        _issuedAtUtc = issuedAtUtc;
        _regular = new FontResourcePool(_builder, FontFace.Regular);
        _bold = new FontResourcePool(_builder, FontFace.Bold);
        _builder.IncludeDocumentInformation = true;
        _builder.DocumentInformation.Title = documentName;
        _builder.DocumentInformation.Producer = "Onshi";
        _builder.DocumentInformation.CreationDate = JapanTime.PdfDate(issuedAtUtc);
        _page = NewPage();
    }

    /// <summary>A4 portrait, 210 × 297 mm, in points.</summary>
    public const double PageWidth = 210 * Mm;

    public const double PageHeight = 297 * Mm;

    public static double ContentWidth => PageWidth - (2 * MarginX);

    /// <summary>Font resources added so far (regular + bold); more than two means a weight overflowed 255 characters.</summary>
    public int FontResourceCount => _regular.ResourceCount + _bold.ResourceCount;

    public int PageCount => _pages.Count;

    /// <summary>A boxed label at the top right (the environment: 本番環境 / 接続確認環境).</summary>
    public void Badge(string text)
    {
        const double size = 9.5;
        text = Clean(text, bold: true);
        double width = _bold.Face.Measure(text, size) + (6 * Mm);
        double height = 7 * Mm;
        double x = PageWidth - MarginX - width;
        Rectangle(x, _y, width, height, 0.8, Border, White);
        DrawRun(text, x + (3 * Mm), CentredBaseline(_y, height, size), size, bold: true, Ink);
        _y += height + (3 * Mm);
    }

    public void Title(string text)
    {
        Lines(text, 16, TextAlign.Center, bold: true, lineFactor: 1.5);
        Space(2);
    }

    /// <summary>A small muted line (metadata, subtitle).</summary>
    public void Subtitle(string text, TextAlign align = TextAlign.Right) => Lines(text, 9, align, bold: false, lineFactor: 1.5, Muted);

    /// <summary>A bold section heading with a thin rule under it.</summary>
    public void Heading(string text)
    {
        const double size = 11.5;
        EnsureSpace((size * 1.6) + (12 * Mm));
        Lines(text, size, TextAlign.Left, bold: true, lineFactor: 1.6);
        HorizontalRule(_y, 0.6, Border);
        Space(2.5);
    }

    public void Paragraph(string text, double size = BodySize, TextAlign align = TextAlign.Left, bool bold = false) =>
        Lines(text, size, align, bold, lineFactor: 1.7);

    /// <summary>Moves the cursor down by <paramref name="mm"/> millimetres.</summary>
    public void Space(double mm) => _y += mm * Mm;

    /// <summary>A bordered two-column table: labels in shaded cells on the left, values on the right.</summary>
    public void KeyValueTable(IReadOnlyList<TableRow> rows, double labelWidthMm = 45)
    {
        const double size = BodySize;
        const double lineHeight = size * 1.5;
        double padX = 3 * Mm;
        double padY = 2.2 * Mm;
        double minHeight = 9.5 * Mm;
        double labelWidth = labelWidthMm * Mm;
        double valueWidth = ContentWidth - labelWidth;
        double x = MarginX;

        foreach (TableRow row in rows)
        {
            List<string> labelLines = Wrap(Clean(row.Label, bold: true), labelWidth - (2 * padX), size, bold: true);
            SecretLayout? secret = row.Secret ? new SecretLayout(Clean(row.Value, bold: true), valueWidth - (2 * padX)) : null;
            List<string> valueLines = secret is null ? Wrap(Clean(row.Value, bold: false), valueWidth - (2 * padX), size, bold: false) : [];
            double contentHeight = Math.Max(labelLines.Count * lineHeight, secret?.Height ?? valueLines.Count * lineHeight);
            double height = Math.Max(minHeight, contentHeight + (2 * padY));

            EnsureSpace(height);
            Rectangle(x, _y, labelWidth, height, 0.6, Border, LabelFill);
            Rectangle(x + labelWidth, _y, valueWidth, height, 0.6, Border, White);
            DrawBlock(labelLines, x + padX, _y, height, size, lineHeight, bold: true);
            if (secret is not null)
            {
                DrawSecret(secret, x + labelWidth + padX, _y + ((height - secret.Height) / 2));
            }
            else
            {
                DrawBlock(valueLines, x + labelWidth + padX, _y, height, size, lineHeight, bold: false);
            }

            _y += height;
        }

        Space(4);
    }

    /// <summary>
    /// A lightly shaded, bordered block of notes. A note starting with ※ keeps the mark hanging: its
    /// wrapped lines align with the text after the mark. The block continues on the next page if needed.
    /// </summary>
    public void Notes(IReadOnlyList<string> notes, string? caption = null)
    {
        const double size = 9.5;
        const double lineHeight = size * 1.65;
        double pad = 3.5 * Mm;
        double innerWidth = ContentWidth - (2 * pad);
        List<NoteLine> lines = [];
        if (caption is not null)
        {
            lines.Add(new NoteLine(Clean(caption, bold: true), 0, Bold: true, lineHeight + (1 * Mm)));
        }

        foreach (string raw in notes)
        {
            string note = Clean(raw, bold: false);
            string prefix = HangingPrefix(note);
            double indent = _regular.Face.Measure(prefix, size);
            List<string> wrapped = Wrap(note[prefix.Length..], innerWidth - indent, size, bold: false);
            for (int i = 0; i < wrapped.Count; i++)
            {
                lines.Add(i == 0
                    ? new NoteLine(prefix + wrapped[i], 0, Bold: false, lineHeight)
                    : new NoteLine(wrapped[i], indent, Bold: false, lineHeight));
            }
        }

        int next = 0;
        while (next < lines.Count)
        {
            double available = ContentBottom - _y - (2 * pad);
            if (available < lines[next].Height)
            {
                NewPage();
                available = ContentBottom - _y - (2 * pad);
            }

            int end = next;
            double height = 0;
            while (end < lines.Count && height + lines[end].Height <= available)
            {
                height += lines[end].Height;
                end++;
            }

            if (end == next)
            {
                height = lines[next].Height;
                end = next + 1;
            }

            Rectangle(MarginX, _y, ContentWidth, height + (2 * pad), 0.6, SoftBorder, NoteFill);
            double top = _y + pad;
            for (int i = next; i < end; i++)
            {
                NoteLine line = lines[i];
                double baseline = CentredBaseline(top, size * 1.65, size);
                DrawRun(line.Text, MarginX + pad + line.Indent, baseline, size, line.Bold, Ink);
                top += line.Height;
            }

            _y = top + pad;
            next = end;
            if (next < lines.Count)
            {
                NewPage();
            }
        }

        Space(4);
    }

    /// <summary>Adds the footers and writes the PDF.</summary>
    public byte[] Build()
    {
        string issued = "発行日時 " + JapanTime.DateTimeText(_issuedAtUtc) + " JST";
        const double size = 8;
        for (int i = 0; i < _pages.Count; i++)
        {
            _page = _pages[i];
            double ruleY = PageHeight - FooterRuleFromBottom;
            HorizontalRule(ruleY, 0.4, SoftBorder);
            double baseline = PageHeight - FooterBaselineFromBottom;
            string name = Clean(_documentName, bold: false);
            string pageText = string.Create(CultureInfo.InvariantCulture, $"{i + 1} / {_pages.Count}");
            DrawRun(name, MarginX, baseline, size, bold: false, Muted);
            DrawRun(pageText, (PageWidth - _regular.Face.Measure(pageText, size)) / 2, baseline, size, bold: false, Muted);
            DrawRun(issued, PageWidth - MarginX - _regular.Face.Measure(issued, size), baseline, size, bold: false, Muted);
        }

        return WithContentDerivedId(_builder.Build());
    }

    public void Dispose() => _builder.Dispose();

    private static double ContentBottom => PageHeight - ContentBottomMargin;

    private PdfPageBuilder NewPage()
    {
        _page = _builder.AddPage(PageWidth, PageHeight);
        _pages.Add(_page);
        _y = MarginTop;
        return _page;
    }

    private void EnsureSpace(double height)
    {
        if (_y + height > ContentBottom && _y > MarginTop)
        {
            NewPage();
        }
    }

    private void Lines(string text, double size, TextAlign align, bool bold, double lineFactor, Rgb? color = null)
    {
        text = Clean(text, bold);
        FontFace face = bold ? _bold.Face : _regular.Face;
        double lineHeight = size * lineFactor;
        foreach (string line in Wrap(text, ContentWidth, size, bold))
        {
            EnsureSpace(lineHeight);
            double width = face.Measure(line, size);
            double x = align switch
            {
                TextAlign.Center => MarginX + ((ContentWidth - width) / 2),
                TextAlign.Right => PageWidth - MarginX - width,
                _ => MarginX,
            };
            DrawRun(line, x, CentredBaseline(_y, lineHeight, size), size, bold, color ?? Ink);
            _y += lineHeight;
        }
    }

    private void DrawBlock(List<string> lines, double x, double cellTop, double cellHeight, double size, double lineHeight, bool bold)
    {
        double top = cellTop + ((cellHeight - (lines.Count * lineHeight)) / 2);
        foreach (string line in lines)
        {
            DrawRun(line, x, CentredBaseline(top, lineHeight, size), size, bold, Ink);
            top += lineHeight;
        }
    }

    private void DrawSecret(SecretLayout secret, double x, double top)
    {
        DrawRun(secret.Text, x, CentredBaseline(top, SecretLayout.LargeLine, SecretLayout.LargeSize), SecretLayout.LargeSize, bold: true, Ink);
        double rowTop = top + SecretLayout.LargeLine + SecretLayout.Gap;
        for (int i = 0; i < secret.Text.Length; i++)
        {
            int column = i % secret.PerRow;
            if (i > 0 && column == 0)
            {
                rowTop += SecretLayout.BoxHeight + SecretLayout.Gap;
            }

            double boxX = x + (column * (SecretLayout.BoxWidth + SecretLayout.Gap));
            Rectangle(boxX, rowTop, SecretLayout.BoxWidth, SecretLayout.BoxHeight, 0.5, SoftBorder, White);
            string character = secret.Text[i].ToString();
            double charWidth = _bold.Face.Measure(character, SecretLayout.BoxSize);
            DrawRun(character, boxX + ((SecretLayout.BoxWidth - charWidth) / 2), rowTop + (6 * Mm), SecretLayout.BoxSize, bold: true, Ink);
            string kind = SecretLayout.Kind(secret.Text[i]);
            double kindWidth = _regular.Face.Measure(kind, SecretLayout.CaptionSize);
            DrawRun(kind, boxX + ((SecretLayout.BoxWidth - kindWidth) / 2), rowTop + SecretLayout.BoxHeight - (1.3 * Mm), SecretLayout.CaptionSize, bold: false, Muted);
        }
    }

    private void DrawRun(string text, double x, double baselineFromTop, double size, bool bold, Rgb color)
    {
        if (text.Length == 0)
        {
            return;
        }

        _page.SetTextAndFillColor(color.R, color.G, color.B);
        PdfPoint origin = new(x, PageHeight - baselineFromTop);
        foreach ((PdfDocumentBuilder.AddedFont font, string piece) in (bold ? _bold : _regular).Route(text))
        {
            IReadOnlyList<Letter> letters = _page.AddText(piece, size, origin, font);
            origin = new PdfPoint(letters[^1].EndBaseLine.X, origin.Y);
        }

        _page.ResetColor();
    }

    private void Rectangle(double x, double top, double width, double height, double lineWidth, Rgb stroke, Rgb fill)
    {
        _page.SetStrokeColor(stroke.R, stroke.G, stroke.B);
        _page.SetTextAndFillColor(fill.R, fill.G, fill.B);
        _page.DrawRectangle(new PdfPoint(x, PageHeight - top - height), width, height, lineWidth, fill: true);
        _page.ResetColor();
    }

    private void HorizontalRule(double top, double lineWidth, Rgb color)
    {
        _page.SetStrokeColor(color.R, color.G, color.B);
        _page.DrawLine(new PdfPoint(MarginX, PageHeight - top), new PdfPoint(PageWidth - MarginX, PageHeight - top), lineWidth);
        _page.ResetColor();
    }

    private List<string> Wrap(string text, double width, double size, bool bold)
    {
        FontFace face = bold ? _bold.Face : _regular.Face;
        return LineBreaker.Wrap(text, width, s => face.Measure(s, size));
    }

    private static double CentredBaseline(double top, double height, double size) => top + (height / 2) + (BaselineBelowCentre * size);

    private static string HangingPrefix(string note)
    {
        if (note.StartsWith("※ ", StringComparison.Ordinal) || note.StartsWith("※　", StringComparison.Ordinal))
        {
            return note[..2];
        }

        return note.StartsWith('※') || note.StartsWith('・') ? note[..1] : "";
    }

    /// <summary>Replaces what the font cannot draw: control characters, characters outside the BMP, missing glyphs.</summary>
    private string Clean(string text, bool bold)
    {
        FontFace face = bold ? _bold.Face : _regular.Face;
        StringBuilder clean = new(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.Value == '\n')
            {
                clean.Append('\n');
            }
            else if (Rune.IsControl(rune))
            {
                clean.Append(rune.Value == '\t' ? ' ' : "");
            }
            else if (!rune.IsBmp || !face.HasGlyph((char)rune.Value))
            {
                clean.Append(FontFace.Replacement);
            }
            else
            {
                clean.Append((char)rune.Value);
            }
        }

        return clean.ToString();
    }

    /// <summary>
    /// PdfPig writes a random file identifier; replace it with one derived from the content (as the PDF
    /// specification suggests), so the same input gives the same bytes. The hex digits keep their length,
    /// so no cross-reference offset moves.
    /// </summary>
    private static byte[] WithContentDerivedId(byte[] pdf)
    {
        ReadOnlySpan<byte> marker = "/ID [ <"u8;
        int at = pdf.AsSpan().LastIndexOf(marker);
        if (at < 0 || at + marker.Length + 66 > pdf.Length)
        {
            return pdf;
        }

        int first = at + marker.Length;
        int second = first + 34;
        if (pdf[first + 32] != (byte)'>' || pdf[second - 1] != (byte)'<')
        {
            return pdf;
        }

        byte[] id = Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(pdf.AsSpan(0, at)).AsSpan(0, 16)));
        id.CopyTo(pdf, first);
        id.CopyTo(pdf, second);
        return pdf;
    }

    private readonly record struct Rgb(byte R, byte G, byte B);

    private sealed record NoteLine(string Text, double Indent, bool Bold, double Height);

    /// <summary>Geometry of a password cell: the password large, then one boxed character at a time with its kind.</summary>
    private sealed class SecretLayout
    {
        public const double LargeSize = 15;
        public const double BoxSize = 13;
        public const double CaptionSize = 5.5;
        public const double LargeLine = LargeSize * 1.45;
        public const double BoxWidth = 8 * Mm;
        public const double BoxHeight = 11.5 * Mm;
        public const double Gap = 1.2 * Mm;

        public SecretLayout(string text, double width)
        {
            Text = text;
            PerRow = Math.Max(1, (int)((width + Gap) / (BoxWidth + Gap)));
            int rows = Math.Max(1, (text.Length + PerRow - 1) / PerRow);
            Height = LargeLine + (rows * (BoxHeight + Gap));
        }

        public string Text { get; }

        public int PerRow { get; }

        public double Height { get; }

        public static string Kind(char c) => c switch
        {
            >= '0' and <= '9' => "数字",
            >= 'A' and <= 'Z' => "英大",
            >= 'a' and <= 'z' => "英小",
            _ => "記号",
        };
    }
}
