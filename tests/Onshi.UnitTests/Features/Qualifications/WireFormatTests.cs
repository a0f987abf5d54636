using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;
using Shouldly;

namespace Onshi.UnitTests.Features.Qualifications;

/// <summary>The §11.3 message family: element names and code values as SPEC.md writes them, JSON and XML of one tree.</summary>
public sealed class WireFormatTests
{
    private static readonly DateOnly Date = new(2026, 12, 6);

    /// <summary>Every element name of the single result as SPEC §11.3 lists it (header, body, result and its blocks).</summary>
    private static readonly string[] SpecElements =
    [
        "XmlMsg", "MessageHeader", "MessageBody", "ProcessExecutionTime", "QualificationConfirmationDate", "MedicalInstitutionCode",
        "ArbitraryFileIdentifier", "ReferenceClassification", "SegmentOfResult", "CharacterCodeIdentifier",
        "ProcessingResultStatus", "QualificationValidity", "QualificationConfirmSearchInfo", "InsurerNumber", "InsuredCardSymbol",
        "InsuredIdentificationNumber", "InsuredBranchNumber", "Birthdate", "LimitApplicationCertificateRelatedConsFlg",
        "ResultList", "ResultOfQualificationConfirmation", "InsuredCardClassification", "PersonalFamilyClassification", "InsuredName",
        "Name", "NameOfOther", "NameKana", "NameOfOtherKana", "Sex1", "Address", "PostNumber", "QualificationDate",
        "InsuredCertificateIssuanceDate", "InsuredCardValidDate", "InsuredCardExpirationDate", "InsuredPartialContributionRatio",
        "PreschoolClassification", "InsurerName", "ReferenceNumber", "ElderlyRecipientCertificateInfo", "ElderlyRecipientCertificateDate",
        "ElderlyRecipientValidStartDate", "ElderlyRecipientValidEndDate", "ElderlyRecipientContributionRatio",
        "LimitApplicationCertificateRelatedConsTime", "LimitApplicationCertificateRelatedInfo", "LimitApplicationCertificateClassification",
        "LimitApplicationCertificateClassificationFlag", "LimitApplicationCertificateDate", "LimitApplicationCertificateValidStartDate",
        "LimitApplicationCertificateValidEndDate", "LimitApplicationCertificateLongTermDate", "SpecificDiseasesCertificateRelatedConsFlg",
        "SpecificDiseasesCertificateRelatedConsTime", "SpecificDiseasesCertificateList", "SpecificDiseasesCertificateInfo",
        "SpecificDiseasesDiseaseCategory", "SpecificDiseasesCertificateDate", "SpecificDiseasesValidStartDate",
        "SpecificDiseasesValidEndDate", "SpecificDiseasesSelfPay",
    ];

    private static InsuredQualification Member() => new()
    {
        Id = 7,
        PersonId = 70,
        InsurerNumber = "33120015",
        Symbol = "東Ａ１",
        Number = "1234567",
        Branch = "02",
        Birthdate = new DateOnly(2021, 5, 1),
        CardClassification = InsuredCardClassification.General,
        PersonalFamily = PersonalFamily.Family,
        InsuredName = "髙橋　一郎",
        Name = "髙橋　𠮷子",
        NameOfOther = "タカハシ　ヨシコ",
        NameKana = "タカハシ　ヨシコ",
        NameOfOtherKana = "タカハシ　ヨシコ",
        Sex = Sex.Female,
        PostNumber = "1000013",
        Address = "東京都千代田区霞が関１－２－２",
        QualificationDate = new DateOnly(2021, 5, 1),
        CardIssuanceDate = new DateOnly(2021, 5, 10),
        CardValidDate = new DateOnly(2021, 5, 1),
        CardExpirationDate = new DateOnly(2028, 3, 31),
        ContributionPercent = 20,
        ElderlyCertificateDate = new DateOnly(2026, 7, 20),
        ElderlyValidStartDate = new DateOnly(2026, 8, 1),
        ElderlyValidEndDate = new DateOnly(2027, 7, 31),
        ElderlyContributionPercent = 20,
    };

    private static ResultBody FullBody()
    {
        var search = new QualificationConfirmSearchInfo
        {
            InsurerNumber = "33120015",
            InsuredCardSymbol = "東Ａ１",
            InsuredIdentificationNumber = "1234567",
            Birthdate = "20210501",
            LimitApplicationCertificateRelatedConsFlg = "1",
        };
        var q = Member();
        var verdict = QualificationRules.Evaluate([q.Span], [q.Span], Date);
        LimitCertificate[] limits = [new() { Kind = LimitCertificateKind.Limit, ClassificationFlag = "A03", IssuanceDate = new(2026, 8, 1),
            ValidStartDate = new(2026, 8, 1), ValidEndDate = new(2027, 7, 31), LongTermDate = new(2026, 9, 1) }];
        SpecificDiseaseCertificate[] diseases = [new() { Category = SpecificDisease.Dialysis, IssuanceDate = new(2025, 4, 1),
            ValidStartDate = new(2025, 4, 1), ValidEndDate = new(2027, 3, 31), SelfPay = 10000 }];
        return QualificationAnswer.Body(search, verdict, q, "テスト健康保険組合", Date, limits, diseases, "20261206091500", "0000000000000042");
    }

    private static QualificationResultMessage Message() => new()
    {
        MessageHeader = new ResultHeader
        {
            ProcessExecutionTime = "20261206091500",
            QualificationConfirmationDate = "20261206",
            MedicalInstitutionCode = "1310000018",
            ArbitraryFileIdentifier = "abc",
            ReferenceClassification = "2",
            SegmentOfResult = "1",
            CharacterCodeIdentifier = "0",
        },
        MessageBody = FullBody(),
    };

    [Fact]
    public void FullAnswer_HasEverySpecElement_AndTheSpecShapes()
    {
        var xml = WireXml.Serialize(Message());
        var names = xml.Root!.DescendantsAndSelf().Select(e => e.Name.LocalName).ToHashSet(StringComparer.Ordinal);
        foreach (var name in SpecElements)
        {
            names.ShouldContain(name);
        }

        // Lists wrap their repeated children.
        xml.Root!.Element("MessageBody")!.Element("ResultList")!.Elements().Single().Name.LocalName.ShouldBe("ResultOfQualificationConfirmation");
        xml.Descendants("SpecificDiseasesCertificateList").Single().Elements().Single().Name.LocalName.ShouldBe("SpecificDiseasesCertificateInfo");

        // JSON: ResultList is an array of wrapper objects, SpecificDiseasesCertificateList an array of the info objects.
        var json = JsonNode.Parse(JsonSerializer.Serialize(Message(), WireJson.Options))!;
        var result = json["MessageBody"]!["ResultList"]![0]!["ResultOfQualificationConfirmation"]!;
        result["SpecificDiseasesCertificateList"]![0]!["SpecificDiseasesDiseaseCategory"]!.GetValue<string>().ShouldBe("1");
        result["InsuredPartialContributionRatio"]!.GetValue<string>().ShouldBe("020");
        result["InsuredCardClassification"]!.GetValue<string>().ShouldBe("01");
        result["PersonalFamilyClassification"]!.GetValue<string>().ShouldBe("2");
        result["PreschoolClassification"]!.GetValue<string>().ShouldBe("1");
        result["Birthdate"]!.GetValue<string>().ShouldBe("20210501");
        result["LimitApplicationCertificateRelatedInfo"]!["LimitApplicationCertificateClassification"]!.GetValue<string>().ShouldBe("01");
        json["MessageBody"]!["QualificationValidity"]!.GetValue<string>().ShouldBe("1");
        // Absent values are omitted, not null.
        ((JsonObject)result).ContainsKey("DisqualificationDate").ShouldBeFalse();
        JsonSerializer.Serialize(Message(), WireJson.Options).ShouldNotContain("null");
        // Names are carried as received, including characters outside JIS X 0208.
        result["Name"]!.GetValue<string>().ShouldBe("髙橋　𠮷子");
    }

    [Fact]
    public void XmlAndJson_RoundTrip()
    {
        var original = JsonSerializer.Serialize(Message(), WireJson.Options);
        var xml = WireXml.Serialize(Message());
        var reparsed = XDocument.Parse(xml.ToString());
        var back = WireXml.Deserialize<QualificationResultMessage>(reparsed.Root!);
        JsonSerializer.Serialize(back, WireJson.Options).ShouldBe(original);
    }

    public static TheoryData<string> MessageTypes => new(
        nameof(QualificationRequestMessage), nameof(QualificationResultMessage), nameof(BulkRequestMessage), nameof(BulkResultMessage),
        nameof(BulkResultRequestMessage));

    /// <summary>Every element of every message of the family (each property set, each list of two), JSON → XML → JSON unchanged.</summary>
    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void EveryElementOfEveryMessage_RoundTripsThroughXml(string typeName)
    {
        var type = typeof(WireXml).Assembly.GetType("Onshi.Core.Features.Qualifications." + typeName)!;
        var message = Filled(type, 0, "");
        var json = JsonSerializer.Serialize(message, type, WireJson.Options);
        json.ShouldNotContain("null");
        var xml = (XDocument)typeof(WireXml).GetMethod(nameof(WireXml.Serialize))!.MakeGenericMethod(type).Invoke(null, [message])!;
        var back = typeof(WireXml).GetMethod(nameof(WireXml.Deserialize))!.MakeGenericMethod(type).Invoke(null, [XDocument.Parse(xml.ToString()).Root!]);
        JsonSerializer.Serialize(back, type, WireJson.Options).ShouldBe(json);
        var names = xml.Root!.DescendantsAndSelf().Select(e => e.Name.LocalName).ToHashSet(StringComparer.Ordinal);
        foreach (var property in Properties(type))
        {
            names.ShouldContain(property);
        }
    }

    [Fact]
    public void Bulk_RepeatsItsPatientsAndUnitsInMessageBody_AndOnePatientStaysAList()
    {
        var request = new BulkRequestMessage
        {
            MessageHeader = new RequestHeader { MedicalInstitutionCode = "1310000018" },
            MessageBody = new BulkRequestBody { QualificationConfirmSearchInfo = [new() { InsurerNumber = "33120015" }, new() { InsurerNumber = "54016027" }] },
        };
        var xml = WireXml.Serialize(request);
        xml.Root!.Element("MessageBody")!.Elements("QualificationConfirmSearchInfo").Count().ShouldBe(2);
        var one = XElement.Parse("<XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>33120015</InsurerNumber></QualificationConfirmSearchInfo></MessageBody></XmlMsg>");
        WireXml.Deserialize<BulkRequestMessage>(one)!.MessageBody.QualificationConfirmSearchInfo!.Single().InsurerNumber.ShouldBe("33120015");
        // A single request's QualificationConfirmSearchInfo stays one object.
        WireXml.Deserialize<QualificationRequestMessage>(one)!.MessageBody.QualificationConfirmSearchInfo!.InsurerNumber.ShouldBe("33120015");
        var deep = XElement.Parse("<XmlMsg>" + string.Concat(Enumerable.Repeat("<a>", 40)) + string.Concat(Enumerable.Repeat("</a>", 40)) + "</XmlMsg>");
        Should.Throw<JsonException>(() => WireXml.Deserialize<QualificationRequestMessage>(deep));
    }

    private static IEnumerable<string> Properties(Type type)
    {
        foreach (var p in type.GetProperties())
        {
            yield return p.Name;
            var t = p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments()[0] : p.PropertyType;
            if (t != typeof(string) && t.Namespace == type.Namespace)
            {
                foreach (var inner in Properties(t))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>An instance with every string set to a value naming its path and every list holding two items.</summary>
    private static object Filled(Type type, int depth, string path)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties())
        {
            var here = path + "/" + p.Name;
            if (p.PropertyType == typeof(string))
            {
                p.SetValue(instance, "v" + here.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "・" + p.Name);
            }
            else if (p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                var item = p.PropertyType.GetGenericArguments()[0];
                var list = (System.Collections.IList)Activator.CreateInstance(p.PropertyType)!;
                list.Add(Filled(item, depth + 1, here + "[0]"));
                list.Add(Filled(item, depth + 1, here + "[1]"));
                p.SetValue(instance, list);
            }
            else
            {
                p.SetValue(instance, Filled(p.PropertyType, depth + 1, here));
            }
        }

        return instance;
    }

    [Fact]
    public void WithoutConsent_NoCertificateInformation()
    {
        var q = Member();
        var verdict = QualificationRules.Evaluate([q.Span], [q.Span], Date);
        var body = QualificationAnswer.Body(new QualificationConfirmSearchInfo(), verdict, q, "x", Date,
            [new LimitCertificate { ClassificationFlag = "A01" }], [new SpecificDiseaseCertificate()], consentAt: null, "1");
        var result = body.ResultList!.Single().ResultOfQualificationConfirmation!;
        result.LimitApplicationCertificateRelatedConsFlg.ShouldBe("0");
        result.LimitApplicationCertificateRelatedInfo.ShouldBeNull();
        result.SpecificDiseasesCertificateList.ShouldBeNull();
    }

    [Fact]
    public void NotFound_HasNoResultList()
    {
        var body = QualificationAnswer.Body(new QualificationConfirmSearchInfo(), QualificationRules.Evaluate([], [], Date), null, null, Date, [], [], null, "1");
        body.QualificationValidity.ShouldBe("4");
        body.ResultList.ShouldBeNull();
    }
}
