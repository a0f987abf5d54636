using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

public sealed class CertificateMessagesTests
{
    public static TheoryData<CertificateCheckStatus> Statuses => [.. Enum.GetValues<CertificateCheckStatus>()];

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Describe_EveryStatus_HasTitleWhatHappenedAndWhatToDo(CertificateCheckStatus status)
    {
        CertificateStatusMessage message = CertificateMessages.Describe(status);

        message.Code.ShouldStartWith("certificate.");
        message.Title.ShouldNotBeNullOrWhiteSpace();
        message.WhatHappened.ShouldNotBeNullOrWhiteSpace();
        message.WhatToDo.ShouldNotBeNullOrWhiteSpace();
    }

    /// <summary>
    /// Issue 14 (11): reloading does not bring the certificate picker back (the browser keeps the certificate until all its
    /// windows are closed), and the advice sent the reader to the call center while the page named it a second time.
    /// </summary>
    [Fact]
    public void Describe_Missing_SaysToCloseEveryWindowAndChooseAgain_AndWhereToGetACertificate()
    {
        CertificateStatusMessage message = CertificateMessages.Describe(CertificateCheckStatus.Missing);

        message.WhatHappened.ShouldBe("認証用の証明書が選択されていません。");
        message.WhatToDo.ShouldStartWith("開いているブラウザのウィンドウをすべて閉じてから、ブラウザを起動し直してオンライン資格確認等システムを開き、"
            + "証明書の選択画面で認証用の証明書を選んで【OK】を押してください。");
        message.WhatToDo.ShouldContain("医療機関等向け総合ポータルサイトの「電子証明書発行申請」");
        message.WhatToDo.ShouldNotContain("再読み込み");
    }

    [Fact]
    public void Describe_Revoked_PointsToANewCertificateOnThePortal_AndChoosingItAgain()
    {
        var revoked = CertificateMessages.Describe(CertificateCheckStatus.Revoked).WhatToDo;

        revoked.ShouldContain("医療機関等向け総合ポータルサイトの「電子証明書発行申請」から新しい証明書を申請し");
        revoked.ShouldContain("ウィンドウをすべて閉じて");
        CertificateMessages.Describe(CertificateCheckStatus.Expired).WhatToDo.ShouldContain("電子証明書発行申請");
    }

    /// <summary>The error page names the call center once, under the advice; the advice itself never does.</summary>
    [Theory]
    [MemberData(nameof(Statuses))]
    public void Describe_Advice_NeverSendsToTheCallCenter(CertificateCheckStatus status) =>
        CertificateMessages.Describe(status).WhatToDo.ShouldNotContain("コールセンター");
}
