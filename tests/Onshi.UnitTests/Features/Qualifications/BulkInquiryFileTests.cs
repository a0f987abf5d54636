using System.Text;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Qualifications.Bulk;
using Shouldly;

namespace Onshi.UnitTests.Features.Qualifications;

/// <summary>What <see cref="BulkInquiryFile.Read"/> takes from a 一括照会 upload, and what it refuses as a problem of the file.</summary>
public sealed class BulkInquiryFileTests
{
    private const string Code = "1310000017";

    [Fact]
    public void Csv_ColumnsInAnyOrder_OptionalOnesLeftOut_ValuesFoldedAndDatesMadeWire()
    {
        var csv = "\uFEFF生年月日,番号,保険者番号\r\n1985-04-12,１３５７９,０１１３００１２\r\n,,\r\n1990/07/07,8642,06131015\r\n";

        var read = BulkInquiryFile.Read("予約.CSV", Encoding.UTF8.GetBytes(csv), Code, 10);

        read.Succeeded.ShouldBeTrue(string.Join(" ", read.Errors.Select(e => e.Message)));
        read.Value!.Kind.ShouldBe(BulkFileKind.Csv);
        read.Value.Patients.Select(p => (p.InsurerNumber, p.InsuredIdentificationNumber, p.Birthdate, p.InsuredCardSymbol, p.InsuredBranchNumber))
            .ShouldBe([("01130012", "13579", "19850412", null, null), ("06131015", "8642", "19900707", null, null)]);
    }

    [Fact]
    public void Csv_ShiftJis_IsToldApartAndRead()
    {
        var csv = "保険者番号,記号,番号,枝番,生年月日,限度額同意\r\n130013,34い,11223,00,19681130,1\r\n";

        var read = BulkInquiryFile.Read("a.csv", MemberFileEncoding.ShiftJis.GetBytes(csv), Code, 10);

        read.Value!.Encoding.ShouldBe(MemberImportEncoding.ShiftJis);
        var p = read.Value.Patients.ShouldHaveSingleItem();
        (p.InsuredCardSymbol, p.LimitApplicationCertificateRelatedConsFlg).ShouldBe(("34い", "1"));
    }

    [Fact]
    public void Csv_APatientsWrongKeys_AreNoFileError()
    {
        var read = BulkInquiryFile.Read("a.csv", Encoding.UTF8.GetBytes("保険者番号,番号,生年月日\r\n01130013,,1985-02-30\r\n"), Code, 10);

        read.Succeeded.ShouldBeTrue();
        read.Value!.Patients.ShouldHaveSingleItem().Birthdate.ShouldBe("1985-02-30");
    }

    [Theory]
    [InlineData("保険者番号,番号\r\n01130012,1\r\n", "必須の列「生年月日」が見出し行にありません。")]
    [InlineData("保険者番号,番号,番号,生年月日\r\n", "見出し行に列「番号」が2回あります（3列目）。")]
    [InlineData("保険者番号,番号,生年月日\r\n01130012,1\r\n01130012,1,19850412,x\r\n", "2行目: 列の数が見出し行と違います")]
    public void Csv_FileProblems_NameTheRowOrColumn(string csv, string expected)
    {
        var read = BulkInquiryFile.Read("a.csv", Encoding.UTF8.GetBytes(csv), Code, 10);

        read.Succeeded.ShouldBeFalse();
        read.Errors.ShouldContain(e => e.Message.StartsWith(expected, StringComparison.Ordinal) && e.Field == BulkInquiryFile.FileField);
    }

    [Fact]
    public void Csv_ManyBadRows_ListsTenAndSaysHowManyMore()
    {
        var csv = new StringBuilder("保険者番号,番号,生年月日\r\n");
        for (var i = 0; i < 25; i++)
        {
            csv.Append("01130012,1\r\n");
        }

        var read = BulkInquiryFile.Read("a.csv", Encoding.UTF8.GetBytes(csv.ToString()), Code, 100);

        read.Errors.Count.ShouldBe(11);
        read.Errors[^1].Message.ShouldBe("ほかにも15行に同じような誤りがあります。");
    }

    [Fact]
    public void Csv_OverTheLimit_IsRefused()
    {
        var csv = "保険者番号,番号,生年月日\r\n" + string.Concat(Enumerable.Repeat("01130012,1,19850412\r\n", 4));

        BulkInquiryFile.Read("a.csv", Encoding.UTF8.GetBytes(csv), Code, 3).Errors.ShouldHaveSingleItem().Code.ShouldBe("bulk_file.too_many");
        BulkInquiryFile.Read("a.csv", Encoding.UTF8.GetBytes(csv), Code, 4).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Xml_ShiftJisAsDeclared_HeaderKept_OnePatientStillAList()
    {
        var xml = "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20261201</QualificationConfirmationDate>"
            + $"<MedicalInstitutionCode>{Code}</MedicalInstitutionCode><ArbitraryFileIdentifier>ID-1</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
            + "<QualificationConfirmSearchInfo><InsurerNumber>130013</InsurerNumber><InsuredCardSymbol>34い</InsuredCardSymbol>"
            + "<InsuredIdentificationNumber>11223</InsuredIdentificationNumber><Birthdate>19681130</Birthdate></QualificationConfirmSearchInfo></MessageBody></XmlMsg>";

        var read = BulkInquiryFile.Read("OQSmuquc01req_000000000001.xml", MemberFileEncoding.ShiftJis.GetBytes(xml), Code, 10);

        read.Succeeded.ShouldBeTrue(string.Join(" ", read.Errors.Select(e => e.Message)));
        read.Value!.Header.ShouldBe(new BulkInquiryService.Header("20261201", "ID-1"));
        read.Value.Patients.ShouldHaveSingleItem().InsuredCardSymbol.ShouldBe("34い");
    }

    [Theory]
    [InlineData("<XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber><x/></InsurerNumber></QualificationConfirmSearchInfo></MessageBody></XmlMsg>", "bulk_file.xml_shape")]
    [InlineData("<XmlMsg><MessageHeader><QualificationConfirmationDate>2026-13-01</QualificationConfirmationDate></MessageHeader><MessageBody><QualificationConfirmSearchInfo/></MessageBody></XmlMsg>", "bulk_file.xml_date")]
    [InlineData("<?xml version=\"1.0\" encoding=\"UTF-16\"?><XmlMsg/>", "bulk_file.xml_encoding")]
    [InlineData("<XmlMsg><MessageBody><QualificationConfirmSearchInfo>", "bulk_file.xml")]
    public void Xml_FileProblems_AreRefused(string xml, string code) =>
        BulkInquiryFile.Read("a.xml", Encoding.UTF8.GetBytes(xml), Code, 10).Errors.ShouldHaveSingleItem().Code.ShouldBe(code);

    [Fact]
    public void ResultCsv_OneRowPerPatient_InWords()
    {
        BulkConfirmUnit[] units =
        [
            new()
            {
                QualificationConfirmSearchInfo = new() { InsurerNumber = "01130012", InsuredIdentificationNumber = "13579", Birthdate = "19850412" },
                ProcessingResultStatus = "1",
                QualificationValidity = "3",
                ReferenceNumber = "1234567890123456",
                ResultOfQualificationConfirmation = new() { Name = "鈴木　美咲", InsuredBranchNumber = "00", InsuredPartialContributionRatio = "030" },
            },
            new() { QualificationConfirmSearchInfo = new() { InsurerNumber = "=1+1" }, ProcessingResultStatus = "2", ProcessingResultMessage = "保険者番号の検証番号が違います。" },
        ];

        var bytes = BulkResultCsv.Build(units);

        Encoding.UTF8.GetString(bytes).ShouldBe("\uFEFF行,保険者番号,記号,番号,枝番,生年月日,処理結果,資格有効性,氏名,一部負担金割合,照会番号,エラー内容\r\n"
            + "1,01130012,,13579,00,1985/04/12,正常終了,無効（新しい資格あり）,鈴木　美咲,3割,1234567890123456,\r\n"
            + "2,'=1+1,,,,,エラー,,,,,保険者番号の検証番号が違います。\r\n");
    }
}
