using Onshi.Core.Data;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Qualifications;
using Shouldly;

namespace Onshi.UnitTests.Features.MemberImports;

public sealed class MemberRowValidatorTests
{
    private const string Header = "個人識別番号,InsurerNumber,保険者名,記号,番号,枝番,本人家族区分,氏名,カナ氏名,性別,生年月日,資格取得年月日,資格喪失年月日,喪失事由,一部負担金割合,"
        + "ElderlyRecipientCertificateDate,ElderlyRecipientValidStartDate,ElderlyRecipientValidEndDate,ElderlyRecipientContributionRatio,郵便番号";

    private static readonly DateOnly Today = new(2026, 12, 6);

    private static (InsuredQualification? Row, List<MemberRowError> Errors) Check(string row, IReadOnlyDictionary<string, string>? insurers = null)
    {
        var reader = new CsvRecordReader(new StringReader(Header + "\r\n" + row + "\r\n"));
        var header = MemberHeader.Parse(reader.Read(), out var headerErrors).ShouldNotBeNull(string.Join(" ", headerErrors));
        var check = new MemberFileCheck(header, Today, insurers ?? new Dictionary<string, string> { ["06271506"] = "サンプル健康保険組合" });
        var errors = new List<MemberRowError>();
        return (check.Check(reader.Read()!, errors), errors);
    }

    [Fact]
    public void AGoodRow_BecomesTheQualification_CodesNormalizedAsTheLookupDoes()
    {
        var (q, errors) = Check("１００００１,０６２７１５０６,,記号１,１００１,1,1,髙橋 一郎,ﾀｶﾊｼ ｲﾁﾛｳ,1,1980/04/01,20150401,,,30,,,,,530ー0001");
        errors.ShouldBeEmpty();
        q.ShouldNotBeNull();
        (q.PersonId, q.InsurerNumber, q.Symbol, q.Number, q.Branch).ShouldBe((100001L, "06271506", "記号1", "1001", "01"));
        q.NameKana.ShouldBe("タカハシ イチロウ");
        q.Name.ShouldBe("髙橋 一郎");
        q.PostNumber.ShouldBe("5300001");
        q.ContributionPercent.ShouldBe(30);
        q.CardClassification.ShouldBe(InsuredCardClassification.General);
    }

    [Fact]
    public void WrongValues_NameRowColumnAndWhat_NeverTheValue()
    {
        var (q, errors) = Check("0,06271507,,,10-01,123,3,,山田,4,2030/01/01,1999/02/30,,01,25,2026/01/01,,,,12345");
        q.ShouldBeNull();
        errors.ShouldAllBe(e => e.Row == 2);
        string Message(MemberColumn c) => errors.Single(e => e.Column == c.Display).Message;
        Message(MemberColumns.PersonKey).ShouldContain("1〜999999999999");
        Message(MemberColumns.InsurerNumber).ShouldContain("検証番号");
        Message(MemberColumns.Number).ShouldContain("英数字");
        Message(MemberColumns.Branch).ShouldContain("数字2桁");
        Message(MemberColumns.PersonalFamily).ShouldContain("1（本人）、2（家族）");
        Message(MemberColumns.Name).ShouldContain("必須です");
        Message(MemberColumns.NameKana).ShouldContain("全角カタカナ");
        Message(MemberColumns.Sex).ShouldContain("3（未設定）");
        Message(MemberColumns.Birthdate).ShouldContain("未来の日付");
        Message(MemberColumns.QualificationDate).ShouldContain("存在する日付");
        Message(MemberColumns.ReasonOfLoss).ShouldContain("資格喪失年月日がない行");
        Message(MemberColumns.Ratio).ShouldContain("010（1割）");
        Message(MemberColumns.ElderlyStart).ShouldContain("すべて入れるか、すべて空に");
        Message(MemberColumns.PostNumber).ShouldContain("数字7桁");
        errors.ShouldAllBe(e => !e.Message.Contains("山田", StringComparison.Ordinal) && !e.Message.Contains("10-01", StringComparison.Ordinal));
    }

    [Fact]
    public void Dates_LossAfterQualification_ReasonRequiredWithTheLoss()
    {
        Check("1,06271506,,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,2015/04/01,2015/04/01,03,30,,,,,").Errors
            .ShouldContain(e => e.Column == MemberColumns.DisqualificationDate.Display && e.Message.Contains("資格取得年月日より後"));
        Check("1,06271506,,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,2015/04/01,2016/04/01,,30,,,,,").Errors
            .ShouldContain(e => e.Column == MemberColumns.ReasonOfLoss.Display && e.Message.Contains("必須"));
        Check("1,06271506,,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,1979/04/01,,,30,,,,,").Errors
            .ShouldContain(e => e.Column == MemberColumns.QualificationDate.Display && e.Message.Contains("生年月日より前"));
    }

    [Fact]
    public void Insurers_UnknownNeedsAName_RegisteredKeepsItsName()
    {
        var unknown = Check("1,01130012,,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,2015/04/01,,,30,,,,,").Errors.ShouldHaveSingleItem();
        unknown.Message.ShouldContain("登録されていません");
        Check("1,01130012,新しい保険者,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,2015/04/01,,,30,,,,,").Errors.ShouldBeEmpty();
        Check("1,06271506,別の名前,,1,00,1,山田 太郎,ヤマダ タロウ,1,1980/04/01,2015/04/01,,,30,,,,,").Errors.ShouldHaveSingleItem()
            .Message.ShouldContain("登録済み");
    }

    [Fact]
    public void ARowWithTheWrongNumberOfFields_SaysSo()
    {
        var error = Check("1,2,3").Errors.ShouldHaveSingleItem();
        error.Message.ShouldBe("列の数が見出し行と違います（見出し行は20列、この行は3列）。");
    }

    [Fact]
    public void Header_ElementNamesOrLabels_AnyOrder_CaseAndWidthFolded()
    {
        var reader = new CsvRecordReader(new StringReader("ｂｉｒｔｈｄａｔｅ,personkey,保険者番号,番号,枝番,本人家族区分,氏名,カナ氏名,性別,資格取得年月日,一部負担金割合\r\n"));
        MemberHeader.Parse(reader.Read(), out var errors).ShouldNotBeNull(string.Join(" ", errors));
        MemberHeader.Parse(new CsvRecordReader(new StringReader("保険者番号,保険者番号\r\n")).Read(), out errors).ShouldBeNull();
        errors.ShouldContain("見出し行に列「保険者番号（InsurerNumber）」が2回あります。");
    }
}
