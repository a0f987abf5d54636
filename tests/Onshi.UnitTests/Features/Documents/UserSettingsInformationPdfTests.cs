using Onshi.Core.Data;
using Onshi.Core.Features.Documents;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Documents;

public sealed class UserSettingsInformationPdfTests
{
    private static readonly Lazy<byte[]> Pdf = new(() => new UserSettingsInformationPdf().Render(SampleDocuments.UserSettings()));

    public static TheoryData<string> ExpectedTexts =>
    [
        "オンライン資格確認等システムユーザ設定情報",
        "☆オンライン資格確認等システム利用に関する情報",
        "本番環境",
        SampleDocuments.InstitutionCode,
        SampleDocuments.InstitutionName,
        "0123456",
        "Xk7#pQ2m",
        "2025年04月16日",
        "R1234567",
        "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。",
        "※ オンライン資格確認等システムに初回ログイン時、パスワードの変更を行ってください。",
    ];

    [Theory]
    [MemberData(nameof(ExpectedTexts))]
    public void Render_SampleInstitution_BothExtractorsFindText(string expected)
    {
        PdfText.WithPdfPig(Pdf.Value).ShouldContain(expected);
        PdfText.WithPdfToText(Pdf.Value).ShouldContain(expected);
    }

    [Fact]
    public void Render_SampleInstitution_TableHasExactlyTheSeedRowsInOrder()
    {
        string[] lines = PdfText.WithPdfToText(Pdf.Value).Split('\n');
        string[] expected =
        [
            "利用環境 本番環境",
            "医療機関等コード 1310123455",
            "医療機関等名 テスト医科診療所",
            "ユーザID 0123456",
            "ユーザ名 テスト医科診療所",
            "パスワード Xk7#pQ2m",
            "パスワード有効期限 2025年04月16日",
            "リセット用ユーザID R1234567",
        ];

        List<string> rows = lines
            .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => UserSettingsInformationPdf.Labels.Any(label => line.StartsWith(label + " ", StringComparison.Ordinal)))
            .ToList();
        rows.ShouldBe(expected);
    }

    [Fact]
    public void Render_SampleInstitution_ExplainsWhichUserIdIsWhichAccount()
    {
        string text = PdfText.Squeeze(PdfText.WithPdfToText(Pdf.Value));

        text.ShouldContain(PdfText.Squeeze("マスタアカウントのユーザIDは「ユーザID」、マスタアカウントリセット用アカウントのユーザIDは「リセット用ユーザID」"));
        text.ShouldContain("秘密の番号");
    }

    [Fact]
    public void Render_VerificationEnvironment_LabelsDocumentAsVerification()
    {
        byte[] pdf = new UserSettingsInformationPdf().Render(SampleDocuments.UserSettings(OqsEnvironment.Verification));

        PdfText.WithPdfToText(pdf).ShouldContain("接続確認環境");
        PdfText.WithPdfToText(pdf).ShouldNotContain("本番環境");
    }

    [Theory]
    [InlineData(OqsEnvironment.Production, "本_オンライン資格確認等システムユーザ設定情報.pdf")]
    [InlineData(OqsEnvironment.Verification, "接続_オンライン資格確認等システムユーザ設定情報.pdf")]
    public void FileName_Environment_UsesPortalName(OqsEnvironment environment, string expected) =>
        UserSettingsInformationPdf.FileName(environment).ShouldBe(expected);
}
