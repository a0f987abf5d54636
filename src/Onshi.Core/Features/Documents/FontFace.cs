using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;

namespace Onshi.Core.Features.Documents;

/// <summary>
/// One weight of the embedded Noto Sans JP (OFL-1.1): the TrueType bytes PdfPig embeds and subsets,
/// and the metrics our layout measures with. Each weight is loaded once per process.
/// </summary>
internal sealed class FontFace
{
    /// <summary>Shown in place of a character the font has no glyph for (ゲタ, the Japanese convention).</summary>
    public const char Replacement = '〓';

    private static readonly Lazy<FontFace> LazyRegular = new(() => Load("Onshi.Fonts.NotoSansJP-Regular.ttf"));
    private static readonly Lazy<FontFace> LazyBold = new(() => Load("Onshi.Fonts.NotoSansJP-Bold.ttf"));

    private readonly TrueTypeFont _font;
    private readonly double _unitsPerEm;

    private FontFace(byte[] bytes)
    {
        Bytes = bytes;
        _font = TrueTypeFontParser.Parse(new TrueTypeDataBytes(bytes));
        _unitsPerEm = _font.GetUnitsPerEm();
    }

    public static FontFace Regular => LazyRegular.Value;

    public static FontFace Bold => LazyBold.Value;

    /// <summary>The whole font file; PdfPig writes only the glyphs a document uses.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public bool HasGlyph(char c) => GlyphIndex(c) != 0;

    /// <summary>Advance width of <paramref name="c"/> at <paramref name="size"/> points, in points.</summary>
    public double Advance(char c, double size)
    {
        int glyph = GlyphIndex(c);
        return glyph == 0 ? size : _font.TableRegister.HorizontalMetricsTable.GetAdvanceWidth(glyph) * size / _unitsPerEm;
    }

    public double Measure(string text, double size)
    {
        double width = 0;
        foreach (char c in text)
        {
            width += Advance(c, size);
        }

        return width;
    }

    private int GlyphIndex(char c) => _font.WindowsUnicodeCMap.CharacterCodeToGlyphIndex(c);

    private static FontFace Load(string resourceName)
    {
        using Stream stream = typeof(FontFace).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The embedded font {resourceName} is missing; the build vendors it from npm.");
        using MemoryStream buffer = new();
        stream.CopyTo(buffer);
        return new FontFace(buffer.ToArray());
    }
}
