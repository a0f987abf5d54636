using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

public sealed class CertificateExpiryTests
{
    // Expires 2029-07-01 10:00 JST.
    private static readonly DateTime NotAfter = new(2029, 7, 1, 1, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(90, CertificateExpiryStage.Days90)]
    [InlineData(61, CertificateExpiryStage.Days90)]
    [InlineData(60, CertificateExpiryStage.Days60)]
    [InlineData(31, CertificateExpiryStage.Days60)]
    [InlineData(30, CertificateExpiryStage.Days30)]
    [InlineData(16, CertificateExpiryStage.Days30)]
    [InlineData(15, CertificateExpiryStage.Days15)]
    [InlineData(8, CertificateExpiryStage.Days15)]
    [InlineData(7, CertificateExpiryStage.Daily)]
    [InlineData(1, CertificateExpiryStage.Daily)]
    [InlineData(0, CertificateExpiryStage.Daily)]
    public void Evaluate_InsideWindow_ReturnsStageTheDayFallsIn(int days, CertificateExpiryStage stage)
    {
        CertificateExpiryNotice? notice = CertificateExpiry.Evaluate(NotAfter, NotAfter.AddDays(-days).AddMinutes(-1));

        notice.ShouldNotBeNull();
        notice.DaysRemaining.ShouldBe(days);
        notice.Stage.ShouldBe(stage);
        notice.ExpiresOn.ShouldBe(new DateOnly(2029, 7, 1));
    }

    [Fact]
    public void Evaluate_NinetyOneDaysLeft_ReturnsNull()
    {
        CertificateExpiry.Evaluate(NotAfter, NotAfter.AddDays(-91)).ShouldBeNull();
    }

    [Fact]
    public void Evaluate_AlreadyExpired_ReturnsNull()
    {
        CertificateExpiry.Evaluate(NotAfter, NotAfter.AddSeconds(1)).ShouldBeNull();
    }

    [Fact]
    public void Evaluate_Message_ShowsJstDateAndDaysAndWhereToRenew()
    {
        CertificateExpiryNotice notice = CertificateExpiry.Evaluate(NotAfter, NotAfter.AddDays(-30)).ShouldNotBeNull();

        notice.Message.ShouldBe(
            "この端末の認証用の証明書の有効期限は 2029/07/01 です（残り 30 日）。" +
            "医療機関等向け総合ポータルサイトの「電子証明書発行申請」から更新してください。");
    }

    [Fact]
    public void Evaluate_DaysCountedOnJstCalendar_NotUtc()
    {
        // 2029-06-30 23:30 UTC is already 2029-07-01 08:30 in Japan: the last day, not one day before.
        DateTime notAfter = new(2029, 7, 1, 14, 0, 0, DateTimeKind.Utc); // 23:00 JST on 7/1
        DateTime now = new(2029, 6, 30, 23, 30, 0, DateTimeKind.Utc);

        CertificateExpiryNotice notice = CertificateExpiry.Evaluate(notAfter, now).ShouldNotBeNull();

        notice.DaysRemaining.ShouldBe(0);
        notice.Message.ShouldContain("本日まで");
    }
}
