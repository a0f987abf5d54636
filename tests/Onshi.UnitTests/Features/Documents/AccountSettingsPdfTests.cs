using System.Text;

using Onshi.Core.Features.Documents;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Documents;

public sealed class AccountSettingsPdfTests
{
    private static readonly Lazy<byte[]> Pdf = new(() => new AccountSettingsPdf().Render(SampleDocuments.AccountSettings()));

    public static TheoryData<string> ExpectedTexts =>
    [
        "オンライン資格確認等システム アカウント設定情報",
        "利用環境", "本番環境",
        "医療機関等コード", SampleDocuments.InstitutionCode,
        "医療機関等名", SampleDocuments.InstitutionName,
        "ユーザID", "SAMPLE01",
        "ユーザ名", "山田 花子",
        "権限区分", "管理者",
        "初期パスワード", "1QA@-rL$",
        "パスワード有効期限", "2025年01月23日 00:30",
        "発行日時", "2025年01月15日 10:30",
        "発行者", "0123456",
        "パスワード初期化",
        "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。",
        "※ オンライン資格確認等システムに初回ログイン時、パスワードの変更を行ってください。",
    ];

    [Theory]
    [MemberData(nameof(ExpectedTexts))]
    public void Render_SampleAccount_PdfPigExtractsEveryLabelAndValue(string expected) =>
        PdfText.WithPdfPig(Pdf.Value).ShouldContain(expected);

    [Theory]
    [MemberData(nameof(ExpectedTexts))]
    public void Render_SampleAccount_PdfToTextExtractsEveryLabelAndValue(string expected) =>
        PdfText.WithPdfToText(Pdf.Value).ShouldContain(expected);

    [Fact]
    public void Render_ExpiryNote_ExtractsWholeWarningAcrossWrappedLines()
    {
        const string warning = "※ パスワード有効期限を過ぎると、このパスワードではログインできません。管理者にパスワードの初期化を依頼してください。";

        PdfText.Squeeze(PdfText.WithPdfToText(Pdf.Value)).ShouldContain(PdfText.Squeeze(warning));
        PdfText.Squeeze(PdfText.WithPdfPig(Pdf.Value)).ShouldContain(PdfText.Squeeze(warning));
    }

    [Theory]
    [InlineData("1QA@-rL$")]
    [InlineData("a(b)c\\d%<>&'\"~^|{}[]")]
    [InlineData("Il1O0oZ2S5-_=+*#!?")]
    public void Render_PasswordWithSymbols_ExtractsPasswordContiguously(string password)
    {
        byte[] pdf = new AccountSettingsPdf().Render(SampleDocuments.AccountSettings(password));

        PdfText.WithPdfToText(pdf).ShouldContain(password);
        PdfText.WithPdfPig(pdf).ShouldContain(password);
    }

    [Fact]
    public void Render_MachineSecretAfterRotation_SaysSecret_NoExpiry_TheOldOnesEnd_AndNoFirstUseChange()
    {
        const string secret = "Kp7#mWq2-Lx9!zR4t$Ab";
        AccountSettingsDocument document = SampleDocuments.AccountSettings(secret) with
        {
            KindLabel = "Web API用",
            PasswordExpiresAtUtc = null,
            Reason = "シークレットの更新",
            MachineSecret = true,
            // 2025-01-22 10:30 JST.
            PreviousValidUntilUtc = SampleDocuments.IssuedAtUtc.AddDays(7),
        };

        string text = PdfText.Squeeze(PdfText.WithPdfToText(new AccountSettingsPdf().Render(document)));

        text.ShouldContain(secret);
        text.ShouldContain(PdfText.Squeeze("シークレット"));
        // The long cell wraps: its two halves.
        text.ShouldContain(PdfText.Squeeze("有効期限なし（連携アプリ用"));
        text.ShouldContain(PdfText.Squeeze("シークレットは期限切れに"));
        text.ShouldContain(PdfText.Squeeze("2025年01月22日 10:30まで有効"));
        text.ShouldContain(PdfText.Squeeze("初回ログイン時の変更は不要です。"));
        text.ShouldNotContain(PdfText.Squeeze("初期パスワード"));
        text.ShouldNotContain(PdfText.Squeeze("初回ログイン時、パスワードの変更を行ってください"));
    }

    [Fact]
    public void Render_SampleAccount_OnePageWithEmbeddedSubsetFontUnder200KB()
    {
        byte[] pdf = Pdf.Value;

        PdfText.PageCount(pdf).ShouldBe(1);
        pdf.Length.ShouldBeLessThan(200 * 1024);
        Encoding.Latin1.GetString(pdf).ShouldContain("/FontFile2");
        PdfText.FontNames(pdf).ShouldAllBe(name => name.Contains("NotoSansJP", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_SameInputTwice_ProducesIdenticalBytes()
    {
        AccountSettingsPdf renderer = new();

        renderer.Render(SampleDocuments.AccountSettings()).ShouldBe(renderer.Render(SampleDocuments.AccountSettings()));
    }

    [Fact]
    public void ToString_Document_DoesNotRevealPassword() =>
        SampleDocuments.AccountSettings().ToString().ShouldNotContain("1QA@-rL$");

    [Fact]
    public void FileName_Document_NamesTheUser() =>
        AccountSettingsPdf.FileName(SampleDocuments.AccountSettings()).ShouldBe("アカウント設定情報_SAMPLE01.pdf");
}
