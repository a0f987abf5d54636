using System.Globalization;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Qualifications;

/// <summary>Builds the §11.3 answer of a lookup from the insurer's data (one place for the screen, export, API, 連携アプリ).</summary>
public static class QualificationAnswer
{
    public const string DateFormat = "yyyyMMdd";

    public static string Wire(DateOnly d) => d.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string? Wire(DateOnly? d) => d is { } v ? Wire(v) : null;

    /// <summary>The result body of a lookup.</summary>
    /// <param name="search">The input as echoed (canonical 保険者番号, 枝番 as given).</param>
    /// <param name="verdict">The rules' answer.</param>
    /// <param name="qualification">The chosen qualification (null for 該当資格なし and 複数該当).</param>
    /// <param name="insurerName">保険者名.</param>
    /// <param name="date">確認日.</param>
    /// <param name="limits">The qualification's 限度額適用認定証 valid on 確認日 (sent only with consent).</param>
    /// <param name="diseases">Its 特定疾病療養受療証 valid on 確認日 (sent only with consent).</param>
    /// <param name="consentAt">When the patient consented (JST wire time), or null without consent.</param>
    /// <param name="referenceNumber">The lookup's 照会番号.</param>
    public static ResultBody Body(QualificationConfirmSearchInfo search, QualificationVerdict verdict, InsuredQualification? qualification,
        string? insurerName, DateOnly date, IReadOnlyList<LimitCertificate> limits, IReadOnlyList<SpecificDiseaseCertificate> diseases,
        string? consentAt, string referenceNumber)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(diseases);
        var body = new ResultBody
        {
            ProcessingResultStatus = "1",
            QualificationValidity = ((int)verdict.Validity).ToString(CultureInfo.InvariantCulture),
            QualificationConfirmSearchInfo = search,
        };
        if (qualification is null)
        {
            return body;
        }

        var q = qualification;
        var result = new ResultOfQualificationConfirmation
        {
            InsuredCardClassification = QualificationCodes.Wire2((int)q.CardClassification),
            InsurerNumber = q.InsurerNumber,
            InsuredCardSymbol = q.Symbol.Length > 0 ? q.Symbol : null,
            InsuredIdentificationNumber = q.Number,
            InsuredBranchNumber = q.Branch,
            PersonalFamilyClassification = ((int)q.PersonalFamily).ToString(CultureInfo.InvariantCulture),
            InsuredName = q.InsuredName,
            Name = q.Name,
            NameOfOther = q.NameOfOther,
            NameKana = q.NameKana,
            NameOfOtherKana = q.NameOfOtherKana,
            Sex1 = ((int)q.Sex).ToString(CultureInfo.InvariantCulture),
            Birthdate = Wire(q.Birthdate),
            Address = q.Address,
            PostNumber = q.PostNumber,
            QualificationDate = Wire(q.QualificationDate),
            DisqualificationDate = Wire(q.DisqualificationDate),
            ReasonOfLoss = q.ReasonOfLoss is { } r ? QualificationCodes.Wire2((int)r) : null,
            InsuredCertificateIssuanceDate = Wire(q.CardIssuanceDate),
            InsuredCardValidDate = Wire(q.CardValidDate),
            InsuredCardExpirationDate = Wire(q.CardExpirationDate),
            InsuredPartialContributionRatio = QualificationCodes.RatioWire(q.ContributionPercent),
            PreschoolClassification = JapaneseAge.BandOn(q.Birthdate, date) == AgeBand.Preschool ? "1" : null,
            InsurerName = insurerName,
            ReferenceNumber = referenceNumber,
            ElderlyRecipientCertificateInfo = q.ElderlyContributionPercent is { } percent
                ? new ElderlyRecipientCertificateInfo
                {
                    ElderlyRecipientCertificateDate = Wire(q.ElderlyCertificateDate),
                    ElderlyRecipientValidStartDate = Wire(q.ElderlyValidStartDate),
                    ElderlyRecipientValidEndDate = Wire(q.ElderlyValidEndDate),
                    ElderlyRecipientContributionRatio = QualificationCodes.RatioWire(percent),
                }
                : null,
        };
        if (consentAt is not null)
        {
            result.LimitApplicationCertificateRelatedConsFlg = "1";
            result.LimitApplicationCertificateRelatedConsTime = consentAt;
            if (limits.Count > 0)
            {
                var l = limits[0];
                result.LimitApplicationCertificateRelatedInfo = new LimitApplicationCertificateRelatedInfo
                {
                    LimitApplicationCertificateClassification = QualificationCodes.Wire2((int)l.Kind),
                    LimitApplicationCertificateClassificationFlag = l.ClassificationFlag,
                    LimitApplicationCertificateDate = Wire(l.IssuanceDate),
                    LimitApplicationCertificateValidStartDate = Wire(l.ValidStartDate),
                    LimitApplicationCertificateValidEndDate = Wire(l.ValidEndDate),
                    LimitApplicationCertificateLongTermDate = Wire(l.LongTermDate),
                };
            }

            result.SpecificDiseasesCertificateRelatedConsFlg = "1";
            result.SpecificDiseasesCertificateRelatedConsTime = consentAt;
            if (diseases.Count > 0)
            {
                result.SpecificDiseasesCertificateList = [.. diseases.Select(d => new SpecificDiseasesCertificateInfo
                {
                    SpecificDiseasesDiseaseCategory = ((int)d.Category).ToString(CultureInfo.InvariantCulture),
                    SpecificDiseasesCertificateDate = Wire(d.IssuanceDate),
                    SpecificDiseasesValidStartDate = Wire(d.ValidStartDate),
                    SpecificDiseasesValidEndDate = Wire(d.ValidEndDate),
                    SpecificDiseasesSelfPay = d.SelfPay.ToString(CultureInfo.InvariantCulture),
                })];
            }
        }
        else
        {
            result.LimitApplicationCertificateRelatedConsFlg = "0";
            result.SpecificDiseasesCertificateRelatedConsFlg = "0";
        }

        body.ResultList = [new ResultListItem { ResultOfQualificationConfirmation = result }];
        return body;
    }
}
