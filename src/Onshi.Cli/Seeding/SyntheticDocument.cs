using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Onshi.Cli.Seeding;

/// <summary>
/// The one PDF every synthetic ユーザ設定情報 document holds (protected once, the same bytes in every row): a page of
/// plain Helvetica saying that the institution is synthetic and has no real user settings information. About 1 KB,
/// where a real ユーザ設定情報 (with its font subset) is about 16 KB and would have to be rendered per institution.
/// </summary>
internal static class SyntheticDocument
{
    public static byte[] Pdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        page.AddText("Onshi seed-scale: synthetic test data.", 12, new PdfPoint(50, 780), font);
        page.AddText("No user settings information exists for this institution (docs/scaling.md).", 10, new PdfPoint(50, 760), font);
        return builder.Build();
    }
}
