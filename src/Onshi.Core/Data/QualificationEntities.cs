using Onshi.Core.Features.Qualifications;

namespace Onshi.Core.Data;

/// <summary>A 保険者 of the simulated 中間サーバー (SPEC §11.1).</summary>
public sealed class Insurer
{
    /// <summary>保険者番号 in its canonical form (<see cref="InsurerNumber"/>: 6 digits for 国保, 8 for the others).</summary>
    public required string Number { get; set; }

    /// <summary>保険者名.</summary>
    public required string Name { get; set; }

    public InsurerScheme Scheme { get; set; }
}

/// <summary>
/// One qualification (資格) of a member as its insurer holds it (SPEC §11.1). Like the real 中間サーバー, each insurer keeps its
/// own copy of the member's name and address; <see cref="PersonId"/> links the qualifications one person has had over a
/// life (a change of job ends one and starts another), which is how 無効（新しい資格あり） is known. The lookup key
/// (保険者番号, 番号, 記号, 生年月日, 枝番) is one index, so a lookup is one seek at any population.
/// </summary>
public sealed class InsuredQualification
{
    public long Id { get; set; }

    /// <summary>The person across insurers (synthetic: the generator's or the import's person number).</summary>
    public long PersonId { get; set; }

    /// <summary>保険者番号 (canonical).</summary>
    public required string InsurerNumber { get; set; }

    /// <summary>被保険者証記号; empty when the card has none.</summary>
    public string Symbol { get; set; } = "";

    /// <summary>被保険者証番号.</summary>
    public required string Number { get; set; }

    /// <summary>枝番 (2 digits).</summary>
    public required string Branch { get; set; }

    /// <summary>生年月日.</summary>
    public DateOnly Birthdate { get; set; }

    /// <summary>被保険者証区分.</summary>
    public InsuredCardClassification CardClassification { get; set; } = InsuredCardClassification.General;

    /// <summary>本人・家族.</summary>
    public PersonalFamily PersonalFamily { get; set; } = PersonalFamily.Insured;

    /// <summary>被保険者氏名 — for a family member, the name of the insured person.</summary>
    public string? InsuredName { get; set; }

    /// <summary>氏名.</summary>
    public required string Name { get; set; }

    /// <summary>氏名（その他）: e.g. the name in another script (通称, 旧姓).</summary>
    public string? NameOfOther { get; set; }

    /// <summary>カナ氏名.</summary>
    public required string NameKana { get; set; }

    public string? NameOfOtherKana { get; set; }

    public Sex Sex { get; set; } = Sex.Unset;

    /// <summary>郵便番号 (7 digits, no hyphen).</summary>
    public string? PostNumber { get; set; }

    /// <summary>住所.</summary>
    public string? Address { get; set; }

    /// <summary>資格取得年月日.</summary>
    public DateOnly QualificationDate { get; set; }

    /// <summary>資格喪失年月日: the first day without the qualification.</summary>
    public DateOnly? DisqualificationDate { get; set; }

    /// <summary>喪失事由.</summary>
    public ReasonOfLoss? ReasonOfLoss { get; set; }

    /// <summary>証の交付年月日.</summary>
    public DateOnly? CardIssuanceDate { get; set; }

    /// <summary>証の有効開始年月日.</summary>
    public DateOnly? CardValidDate { get; set; }

    /// <summary>証の有効終了年月日.</summary>
    public DateOnly? CardExpirationDate { get; set; }

    /// <summary>一部負担金割合 as the insurer holds it, in percent (30 = 3割).</summary>
    public int ContributionPercent { get; set; }

    /// <summary>高齢受給者証 交付年月日 (the four 高齢受給者証 columns are all set or all empty).</summary>
    public DateOnly? ElderlyCertificateDate { get; set; }

    public DateOnly? ElderlyValidStartDate { get; set; }

    public DateOnly? ElderlyValidEndDate { get; set; }

    /// <summary>高齢受給者証の負担割合 in percent.</summary>
    public int? ElderlyContributionPercent { get; set; }

    public QualificationSpan Span => new(Id, PersonId, QualificationDate, DisqualificationDate, ReasonOfLoss);
}

/// <summary>限度額適用認定証 (or 限度額適用・標準負担額減額認定証, 標準負担額減額認定証) of a qualification.</summary>
public sealed class LimitCertificate
{
    public long Id { get; set; }

    public long QualificationId { get; set; }

    public LimitCertificateKind Kind { get; set; }

    /// <summary>適用区分 code (A01–A06, B01–B10: <see cref="QualificationCodes.LimitClassificationFlags"/>).</summary>
    public required string ClassificationFlag { get; set; }

    public DateOnly IssuanceDate { get; set; }

    public DateOnly ValidStartDate { get; set; }

    public DateOnly? ValidEndDate { get; set; }

    /// <summary>長期入院該当年月日.</summary>
    public DateOnly? LongTermDate { get; set; }
}

/// <summary>特定疾病療養受療証 of a qualification.</summary>
public sealed class SpecificDiseaseCertificate
{
    public long Id { get; set; }

    public long QualificationId { get; set; }

    public SpecificDisease Category { get; set; }

    public DateOnly IssuanceDate { get; set; }

    public DateOnly ValidStartDate { get; set; }

    public DateOnly? ValidEndDate { get; set; }

    /// <summary>自己負担限度額 (yen per month).</summary>
    public int SelfPay { get; set; }
}

/// <summary>How a lookup reached the system.</summary>
public enum LookupChannel
{
    /// <summary>資格情報照会 on the OQS screens.</summary>
    Screen = 1,

    /// <summary>The Web API.</summary>
    WebApi = 2,

    /// <summary>The 連携アプリ (file exchange).</summary>
    LinkApp = 3,

    /// <summary>一括照会.</summary>
    Bulk = 4,
}

/// <summary>
/// A 資格確認結果 (SPEC §11.2): one lookup of an institution — who, which terminal, when, the input and the answer as it was
/// given (the answer is kept whole, so the 資格確認結果一覧 and its export show what the desk saw even after the insurer's data
/// changes).
/// </summary>
public sealed class QualificationResult
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    public OqsEnvironment Environment { get; set; }

    public long AccountId { get; set; }

    /// <summary>The terminal certificate's serial (the 端末名 is shown from it).</summary>
    public string? TerminalSerial { get; set; }

    public LookupChannel Channel { get; set; } = LookupChannel.Screen;

    /// <summary>When the lookup was answered (UTC): the <c>ProcessExecutionTime</c>.</summary>
    public DateTime ExecutedAt { get; set; }

    /// <summary>確認日.</summary>
    public DateOnly ConfirmationDate { get; set; }

    public required string InsurerNumber { get; set; }

    public string Symbol { get; set; } = "";

    public required string Number { get; set; }

    /// <summary>枝番 as input (null when not given).</summary>
    public string? Branch { get; set; }

    public DateOnly Birthdate { get; set; }

    /// <summary>限度額適用認定証関連情報の提供への同意.</summary>
    public bool LimitConsent { get; set; }

    public QualificationValidity Validity { get; set; }

    /// <summary>The qualification the answer is about (none for 該当資格なし and 複数該当).</summary>
    public long? QualificationId { get; set; }

    /// <summary>Why the answer is what it is, in words (無効: since when and why; 複数該当: enter the 枝番).</summary>
    public string Explanation { get; set; } = "";

    /// <summary>照会番号 (<c>ReferenceNumber</c>): 16 digits, unique; the audit row names the result by it.</summary>
    public required string ReferenceNumber { get; set; }

    /// <summary>The answer's <c>MessageBody</c> as JSON in the wire format of SPEC §11.3.</summary>
    public required string AnswerJson { get; set; }
}
