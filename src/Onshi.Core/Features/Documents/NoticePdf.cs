using Onshi.Core.Data;

namespace Onshi.Core.Features.Documents;

/// <summary>A labelled value printed in a document's table.</summary>
/// <param name="Label">The label (left, shaded cell).</param>
/// <param name="Value">The value (right cell); may contain line breaks.</param>
public sealed record DocumentField(string Label, string Value);

/// <summary>
/// A formal notice (通知書) in the usual Japanese layout: date and number at the top right, the addressee
/// at the left, the issuer at the right, a centred title, the body, then 「記」, a table, notes and 「以上」.
/// Used for the call center's 秘密の番号 re-issue notice and the 交付決定通知書.
/// </summary>
/// <param name="Title">The title, e.g. 「秘密の番号再発行のお知らせ」.</param>
/// <param name="AddresseeLines">Addressee, first line printed larger (e.g. 「テスト医科診療所 御中」).</param>
/// <param name="IssuerLines">Issuer, right-aligned (e.g. the operating body's name).</param>
/// <param name="BodyParagraphs">Body paragraphs, each wrapped to the page.</param>
/// <param name="Fields">The table after 「記」; empty for none.</param>
/// <param name="Notes">Notes under the table (※ … keeps its mark hanging); empty for none.</param>
/// <param name="IssuedAtUtc">The notice's date (UTC; printed as a JST date, and in the footer).</param>
/// <param name="DocumentNumber">An optional reference number printed above the date.</param>
/// <param name="Environment">When set, the environment the notice belongs to, shown as a badge.</param>
public sealed record NoticeDocument(
    string Title,
    IReadOnlyList<string> AddresseeLines,
    IReadOnlyList<string> IssuerLines,
    IReadOnlyList<string> BodyParagraphs,
    IReadOnlyList<DocumentField> Fields,
    IReadOnlyList<string> Notes,
    DateTime IssuedAtUtc,
    string? DocumentNumber = null,
    OqsEnvironment? Environment = null);

/// <summary>Renders a <see cref="NoticeDocument"/>.</summary>
public sealed class NoticePdf : IPdfRenderer<NoticeDocument>
{
    /// <inheritdoc />
    public byte[] Render(NoticeDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using FormPdfWriter pdf = new(document.Title, document.IssuedAtUtc);
        if (document.Environment is { } environment)
        {
            pdf.Badge(JapanTime.EnvironmentLabel(environment));
        }

        if (document.DocumentNumber is { Length: > 0 } number)
        {
            pdf.Paragraph(number, 10, TextAlign.Right);
        }

        pdf.Paragraph(JapanTime.DateText(document.IssuedAtUtc), 10, TextAlign.Right);
        pdf.Space(4);
        for (int i = 0; i < document.AddresseeLines.Count; i++)
        {
            pdf.Paragraph(document.AddresseeLines[i], i == 0 ? 12.5 : 10.5, bold: i == 0);
        }

        pdf.Space(4);
        foreach (string line in document.IssuerLines)
        {
            pdf.Paragraph(line, 10.5, TextAlign.Right);
        }

        pdf.Space(10);
        pdf.Title(document.Title);
        pdf.Space(6);
        foreach (string paragraph in document.BodyParagraphs)
        {
            pdf.Paragraph(paragraph);
            pdf.Space(1.5);
        }

        if (document.Fields.Count > 0)
        {
            pdf.Space(4);
            pdf.Paragraph("記", align: TextAlign.Center);
            pdf.Space(3);
            pdf.KeyValueTable(document.Fields.Select(f => new TableRow(f.Label, f.Value)).ToList());
        }

        if (document.Notes.Count > 0)
        {
            pdf.Notes(document.Notes);
        }

        pdf.Paragraph("以上", align: TextAlign.Right);
        return pdf.Build();
    }
}
