using System.Text;

using Onshi.Core.Features.Documents;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Documents;

public sealed class NoticePdfTests
{
    [Fact]
    public void Render_SecretNumberNotice_ExtractsAddresseeBodyTableAndClosing()
    {
        string text = PdfText.WithPdfToText(new NoticePdf().Render(SampleDocuments.Notice()));

        text.ShouldContain("テスト医科診療所 御中");
        text.ShouldContain("秘密の番号再発行のお知らせ");
        text.ShouldContain("オン資第2025-0001号");
        text.ShouldContain("2025年01月15日");
        text.ShouldContain("記");
        text.ShouldContain("4821");
        text.ShouldContain("以上");
        PdfText.Squeeze(text).ShouldContain(PdfText.Squeeze(SampleDocuments.Notice().BodyParagraphs[1]));
    }

    [Fact]
    public void Render_NoteWithMoreThan255DistinctCharacters_RendersAndExtractsExactly()
    {
        string note = "※ " + ManyKanji(400);
        note.Distinct().Count().ShouldBeGreaterThan(255);

        byte[] pdf = new NoticePdf().Render(SampleDocuments.Notice([note]));

        PdfText.Squeeze(PdfText.WithPdfToText(pdf)).ShouldContain(PdfText.Squeeze(note));
        PdfText.Squeeze(PdfText.WithPdfPig(pdf)).ShouldContain(PdfText.Squeeze(note));
        // Regular needed a second resource; bold has its own.
        CountOf(Encoding.Latin1.GetString(pdf), "/FontFile2").ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void Render_NotesLongerThanAPage_ContinueOnNextPageWithFooterOnEach()
    {
        string[] notes = Enumerable.Range(1, 60).Select(i => $"※ 注意事項{i}：取扱いに注意し大切に保管願います。").ToArray();

        byte[] pdf = new NoticePdf().Render(SampleDocuments.Notice(notes));

        int pages = PdfText.PageCount(pdf);
        pages.ShouldBeGreaterThan(1);
        string text = PdfText.WithPdfToText(pdf);
        text.ShouldContain("注意事項1：");
        text.ShouldContain("注意事項60：");
        // pdftotext drops the narrow spaces of the 8 pt footer ("2 / 2" comes out as "2/2").
        PdfText.Squeeze(text).ShouldContain($"{pages}/{pages}");
    }

    [Fact]
    public void Render_CharacterOutsideFont_ShowsGetaInsteadOfFailing()
    {
        NoticeDocument notice = SampleDocuments.Notice() with { AddresseeLines = ["髙橋\U00020BB7田医院 御中"] };

        string text = PdfText.WithPdfToText(new NoticePdf().Render(notice));

        text.ShouldContain("髙橋〓田医院 御中");
    }

    private static string ManyKanji(int count) =>
        new(Enumerable.Range(0x4E00, 0x9FFF - 0x4E00)
            .Select(i => (char)i)
            .Where(c => FontFace.Regular.HasGlyph(c))
            .Take(count)
            .ToArray());

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
