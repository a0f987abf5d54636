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

    [Fact]
    public void Describe_Missing_TellsUserToPickTheCertificate()
    {
        CertificateStatusMessage message = CertificateMessages.Describe(CertificateCheckStatus.Missing);

        message.WhatHappened.ShouldBe("認証用の証明書が選択されていません。");
        message.WhatToDo.ShouldBe("ブラウザを再読み込みし、証明書の選択画面で認証用の証明書をクリックして【OK】を押してください。");
    }

    [Fact]
    public void Describe_ExpiredAndRevoked_PointToPortalAndCallCenter()
    {
        CertificateMessages.Describe(CertificateCheckStatus.Expired).WhatToDo.ShouldContain("電子証明書発行申請");
        CertificateMessages.Describe(CertificateCheckStatus.Revoked).WhatToDo.ShouldContain("コールセンター");
    }
}
