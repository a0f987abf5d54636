using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Shouldly;

namespace Onshi.UnitTests.Features.Audit;

public sealed class AuditCriteriaTests
{
    private static (string? Field, string Message)[] Errors(AuditCriteriaInput input) =>
        [.. InstitutionAuditQuery.Parse(input).Errors.Select(e => (e.Field, e.Message))];

    [Fact]
    public void Valid_DatesAreJstDays()
    {
        var c = InstitutionAuditQuery.Parse(new AuditCriteriaInput("2026-11-24", "2026/11/24", " admin01 ", "login", "success")).Value!;

        c.StartUtc.ShouldBe(new DateTime(2026, 11, 23, 15, 0, 0, DateTimeKind.Utc));
        c.EndUtc.ShouldBe(new DateTime(2026, 11, 24, 15, 0, 0, DateTimeKind.Utc));
        c.Actor.ShouldBe("admin01");
    }

    [Theory]
    [InlineData("yesterday", null, "From", "日付は「2025-01-31」の形式で入力してください。")]
    [InlineData("2026-02-30", null, "From", "日付は「2025-01-31」の形式で入力してください。")]
    [InlineData(null, "0001-01-01", "To", "日付は2000-01-01から2099-12-31までの範囲で入力してください。")]
    [InlineData("2026-11-25", "2026-11-24", "From", "期間の開始日は終了日以前の日付を入力してください。")]
    public void BadPeriods_JapaneseMessageOnTheField(string? from, string? to, string field, string message) =>
        Errors(new AuditCriteriaInput(from, to)).ShouldBe([(field, message)]);

    [Fact]
    public void LongOrControlText_UnknownCodes_Refused()
    {
        Errors(new AuditCriteriaInput(Actor: new string('a', 17))).ShouldBe([("Account", "アカウントは16文字以内で入力してください。")]);
        Errors(new AuditCriteriaInput(Actor: "ad\u0000min")).ShouldBe([("Account", "アカウントに使用できない文字が含まれています。")]);
        Errors(new AuditCriteriaInput(Action: "drop table")).ShouldBe([("Action", "操作は一覧から選択してください。")]);
        Errors(new AuditCriteriaInput(Outcome: "ok")).ShouldBe([("Outcome", "結果は一覧から選択してください。")]);
    }

    [Theory]
    [InlineData("ad\uFFFDmin")]
    [InlineData("\uFFFD")]
    [InlineData("ad\u0085min")]
    public void InvalidUtf8OrC1Control_InAnyText_RefusedLikeAControlCharacter(string typed)
    {
        // U+FFFD is what the query decoder makes of invalid UTF-8: the same rule as every stored text (TextInput.IsForbidden).
        Errors(new AuditCriteriaInput(Actor: typed)).ShouldBe([("Account", "アカウントに使用できない文字が含まれています。")]);
        AuditCriteriaParser.Parse(new AuditCriteriaInput(Actor: typed), "Actor", "操作者", 64).Errors
            .ShouldBe([new OnshiError("audit.control", "操作者に使用できない文字が含まれています。", "Actor")]);
        AuditCriteriaParser.Parse(new AuditCriteriaInput(InstitutionCode: typed), "Actor", "操作者", 64).Errors
            .ShouldBe([new OnshiError("audit.control", "医療機関等コードに使用できない文字が含まれています。", "InstitutionCode")]);
    }

    [Fact]
    public void Pair_EndGoesToTheOldestOpenLoginOfTheSameAccountAndAddress()
    {
        static AuditEntry E(long id, string action, string actor, string address, string detail = "") => new()
        {
            Id = id,
            Action = action,
            Outcome = AuditOutcomes.Success,
            Actor = actor,
            ClientAddress = address,
            Detail = detail,
            PreviousHash = "",
            Hash = "",
        };
        var rows = new[]
        {
            E(1, AuditActions.Login, "A", "10.0.0.1"),
            E(2, AuditActions.Login, "A", "10.0.0.2"),
            E(3, AuditActions.Login, "B", "10.0.0.1"),
            E(4, AuditActions.Logout, "A", "10.0.0.2", "logout"),
            E(5, AuditActions.SessionEnd, "A", "10.0.0.1", "idle"),
            E(6, AuditActions.Login, "A", "10.0.0.1"),
            E(7, AuditActions.SessionEnd, "C", "10.0.0.1", "idle"),
        };

        var ends = InstitutionAuditQuery.Pair(rows);

        ends[1].Id.ShouldBe(5);
        ends[2].Id.ShouldBe(4);
        ends.ContainsKey(3).ShouldBeFalse();
        ends.ContainsKey(6).ShouldBeFalse();
        ends.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData(45, "45秒")]
    [InlineData(750, "12分30秒")]
    [InlineData(3900, "1時間05分")]
    public void Duration_InJapanese(int seconds, string expected) =>
        LoginHistoryRow.FormatDuration(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);

    [Fact]
    public void Environment_Label() =>
        new AuditRow(1, DateTime.UtcNow, "", OqsEnvironment.Verification, "", null, "", "", "", "", "", "").EnvironmentLabel.ShouldBe("接続確認");
}
