using System.Text.Json.Serialization;

namespace Onshi.Core.Features.Qualifications;

// The message family of SPEC §11.3, as the real interface names it. Every value is a string (dates yyyyMMdd, codes as their
// digits); absent values are null and omitted. The JSON property names are the element names; WireXml turns the same tree
// into the XML the terminal's file exchange carries, so there is one model for the screen, the export, the Web API and the
// 連携アプリ.
#pragma warning disable CA1002, CA2227 // wire DTOs: lists are set by the deserializer

/// <summary><c>XmlMsg</c> of a single lookup request.</summary>
public sealed class QualificationRequestMessage
{
    public RequestHeader MessageHeader { get; set; } = new();

    public RequestBody MessageBody { get; set; } = new();
}

public sealed class RequestHeader
{
    public string? QualificationConfirmationDate { get; set; }

    public string? MedicalInstitutionCode { get; set; }

    public string? ArbitraryFileIdentifier { get; set; }

    /// <summary>
    /// The 連携アプリ's files only: 0 UTF-8 · 1 Shift_JIS, the encoding the result file is to be written in (absent: the
    /// request file's own). The Web API ignores it (JSON is UTF-8).
    /// </summary>
    public string? CharacterCodeIdentifier { get; set; }
}

public sealed class RequestBody
{
    public QualificationConfirmSearchInfo? QualificationConfirmSearchInfo { get; set; }
}

/// <summary>The patient's keys (echoed in the result).</summary>
public sealed class QualificationConfirmSearchInfo
{
    public string? InsurerNumber { get; set; }

    public string? InsuredCardSymbol { get; set; }

    public string? InsuredIdentificationNumber { get; set; }

    public string? InsuredBranchNumber { get; set; }

    public string? Birthdate { get; set; }

    public string? LimitApplicationCertificateRelatedConsFlg { get; set; }

    public string? ArbitraryIdentifier { get; set; }
}

/// <summary><c>XmlMsg</c> of a single lookup result.</summary>
public sealed class QualificationResultMessage
{
    public ResultHeader MessageHeader { get; set; } = new();

    public ResultBody MessageBody { get; set; } = new();
}

public sealed class ResultHeader
{
    public string? ProcessExecutionTime { get; set; }

    public string? QualificationConfirmationDate { get; set; }

    public string? MedicalInstitutionCode { get; set; }

    public string? ArbitraryFileIdentifier { get; set; }

    /// <summary>1 マイナンバーカード · 2 被保険者証情報.</summary>
    public string? ReferenceClassification { get; set; }

    /// <summary>1 正常 · 2 処理中 · 9 異常.</summary>
    public string? SegmentOfResult { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>0 UTF-8 · 1 Shift_JIS.</summary>
    public string? CharacterCodeIdentifier { get; set; }

    /// <summary>一括照会's result: how many patients the request carried.</summary>
    public string? NumberOfProcessingResult { get; set; }

    /// <summary>一括照会's result: how many were answered (ProcessingResultStatus 1).</summary>
    public string? NumberOfNormalProcessing { get; set; }

    /// <summary>一括照会's result: how many were refused (ProcessingResultStatus 2).</summary>
    public string? NumberOfError { get; set; }
}

public sealed class ResultBody
{
    /// <summary>1 正常終了 · 2 エラー.</summary>
    public string? ProcessingResultStatus { get; set; }

    public string? ProcessingResultCode { get; set; }

    public string? ProcessingResultMessage { get; set; }

    /// <summary>資格有効性 1–5.</summary>
    public string? QualificationValidity { get; set; }

    public QualificationConfirmSearchInfo? QualificationConfirmSearchInfo { get; set; }

    public List<ResultListItem>? ResultList { get; set; }
}

/// <summary>An item of <c>ResultList</c>: in JSON <c>{"ResultOfQualificationConfirmation": {…}}</c>.</summary>
public sealed class ResultListItem
{
    public ResultOfQualificationConfirmation? ResultOfQualificationConfirmation { get; set; }
}

/// <summary>One qualification as the answer carries it.</summary>
public sealed class ResultOfQualificationConfirmation
{
    public string? InsuredCardClassification { get; set; }

    public string? InsurerNumber { get; set; }

    public string? InsuredCardSymbol { get; set; }

    public string? InsuredIdentificationNumber { get; set; }

    public string? InsuredBranchNumber { get; set; }

    public string? PersonalFamilyClassification { get; set; }

    public string? InsuredName { get; set; }

    public string? Name { get; set; }

    public string? NameOfOther { get; set; }

    public string? NameKana { get; set; }

    public string? NameOfOtherKana { get; set; }

    public string? Sex1 { get; set; }

    public string? Sex2 { get; set; }

    public string? Birthdate { get; set; }

    public string? Address { get; set; }

    public string? PostNumber { get; set; }

    public string? QualificationDate { get; set; }

    public string? DisqualificationDate { get; set; }

    public string? ReasonOfLoss { get; set; }

    public string? InsuredCertificateIssuanceDate { get; set; }

    public string? InsuredCardValidDate { get; set; }

    public string? InsuredCardExpirationDate { get; set; }

    public string? InsuredPartialContributionRatio { get; set; }

    public string? PreschoolClassification { get; set; }

    public string? InsurerName { get; set; }

    public string? ReferenceNumber { get; set; }

    public ElderlyRecipientCertificateInfo? ElderlyRecipientCertificateInfo { get; set; }

    public string? LimitApplicationCertificateRelatedConsFlg { get; set; }

    public string? LimitApplicationCertificateRelatedConsTime { get; set; }

    public LimitApplicationCertificateRelatedInfo? LimitApplicationCertificateRelatedInfo { get; set; }

    public string? SpecificDiseasesCertificateRelatedConsFlg { get; set; }

    public string? SpecificDiseasesCertificateRelatedConsTime { get; set; }

    public List<SpecificDiseasesCertificateInfo>? SpecificDiseasesCertificateList { get; set; }
}

public sealed class ElderlyRecipientCertificateInfo
{
    public string? ElderlyRecipientCertificateDate { get; set; }

    public string? ElderlyRecipientValidStartDate { get; set; }

    public string? ElderlyRecipientValidEndDate { get; set; }

    public string? ElderlyRecipientContributionRatio { get; set; }
}

public sealed class LimitApplicationCertificateRelatedInfo
{
    public string? LimitApplicationCertificateClassification { get; set; }

    public string? LimitApplicationCertificateClassificationFlag { get; set; }

    public string? LimitApplicationCertificateDate { get; set; }

    public string? LimitApplicationCertificateValidStartDate { get; set; }

    public string? LimitApplicationCertificateValidEndDate { get; set; }

    public string? LimitApplicationCertificateLongTermDate { get; set; }
}

public sealed class SpecificDiseasesCertificateInfo
{
    public string? SpecificDiseasesDiseaseCategory { get; set; }

    public string? SpecificDiseasesCertificateDate { get; set; }

    public string? SpecificDiseasesValidStartDate { get; set; }

    public string? SpecificDiseasesValidEndDate { get; set; }

    public string? SpecificDiseasesSelfPay { get; set; }
}

/// <summary>
/// <c>XmlMsg</c> of a 一括照会 request (<c>OQSmuquc01req</c>): one <c>QualificationConfirmSearchInfo</c> per patient. In XML
/// the element repeats inside <c>MessageBody</c>; in JSON it is an array under the same name.
/// </summary>
public sealed class BulkRequestMessage
{
    public RequestHeader MessageHeader { get; set; } = new();

    public BulkRequestBody MessageBody { get; set; } = new();
}

public sealed class BulkRequestBody
{
    public List<QualificationConfirmSearchInfo>? QualificationConfirmSearchInfo { get; set; }
}

/// <summary>
/// <c>XmlMsg</c> of a 一括照会's answers: the acceptance (<c>OQSmuquc01res</c>: <c>SegmentOfResult</c> 2 and the
/// <c>ReceptionNumber</c>) and the result (<c>OQSmuquc02res</c>: the counts in the header and one <c>BulkConfirmUnit</c> per
/// patient, repeated in XML, an array in JSON).
/// </summary>
public sealed class BulkResultMessage
{
    public ResultHeader MessageHeader { get; set; } = new();

    public BulkResultBody MessageBody { get; set; } = new();
}

public sealed class BulkResultBody
{
    public string? ReceptionNumber { get; set; }

    public List<BulkConfirmUnit>? BulkConfirmUnit { get; set; }
}

/// <summary>One patient of a 一括照会's result.</summary>
public sealed class BulkConfirmUnit
{
    public QualificationConfirmSearchInfo? QualificationConfirmSearchInfo { get; set; }

    public string? ProcessingResultStatus { get; set; }

    public string? ProcessingResultCode { get; set; }

    public string? ProcessingResultMessage { get; set; }

    public string? QualificationValidity { get; set; }

    public ResultOfQualificationConfirmation? ResultOfQualificationConfirmation { get; set; }

    public string? ReferenceNumber { get; set; }
}

/// <summary><c>XmlMsg</c> of a 一括照会's result request (<c>OQSmuquc02req</c>): the institution and the <c>ReceptionNumber</c>.</summary>
public sealed class BulkResultRequestMessage
{
    public RequestHeader MessageHeader { get; set; } = new();

    public BulkResultRequestBody MessageBody { get; set; } = new();
}

public sealed class BulkResultRequestBody
{
    public string? ReceptionNumber { get; set; }
}

/// <summary>The Web API's envelope: <c>{"XmlMsg": {…}}</c> (SPEC §12).</summary>
public sealed class XmlMsgEnvelope<T>
    where T : class
{
    public T? XmlMsg { get; set; }
}

/// <summary>The JSON options of the wire: element names as written, absent values omitted, Japanese left unescaped.</summary>
public static class WireJson
{
    public static System.Text.Json.JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        PropertyNamingPolicy = null,
        NumberHandling = JsonNumberHandling.Strict,
    };
}
#pragma warning restore CA1002, CA2227
