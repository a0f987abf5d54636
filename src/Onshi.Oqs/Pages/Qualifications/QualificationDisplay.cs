using System.Globalization;
using System.Text;
using Onshi.Core.Common;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Oqs.Pages.Qualifications;

/// <summary>One line of the answer: a label and the value in words.</summary>
public sealed record AnswerField(string Label, string Value, string? Note = null);

/// <summary>
/// A kept 資格確認結果 in the words of the reception desk (shared by 資格情報照会 and the result detail of the 一覧): the
/// 資格有効性 with its reason, every field as held, the 一部負担金割合 as held and as derived with the warning where they
/// disagree, and the characters of a name that Shift_JIS (the レセコン's encoding) cannot carry.
/// </summary>
public sealed class QualificationDisplay
{
    private static readonly Encoding ShiftJis = ShiftJisEncoding();

    public QualificationDisplay(QualificationResultView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        var r = view.Result;
        if (r is null)
        {
            return;
        }

        if (DateOnly.TryParseExact(r.Birthdate, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            var date = view.Row.ConfirmationDate;
            var elderly = r.ElderlyRecipientCertificateInfo is { } e && Within(e.ElderlyRecipientValidStartDate, e.ElderlyRecipientValidEndDate, date)
                && int.TryParse(e.ElderlyRecipientContributionRatio, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : (int?)null;
            Derived = ContributionRatioRules.Derive(birth, date, elderly);
            Age = JapaneseAge.On(birth, date);
            if (int.TryParse(r.InsuredPartialContributionRatio, NumberStyles.None, CultureInfo.InvariantCulture, out var held))
            {
                HeldPercent = held;
            }
        }
    }

    public QualificationResultView View { get; }

    public QualificationValidity Validity => View.Row.Validity;

    public string ValidityLabel => QualificationCodes.Label(Validity);

    /// <summary>The CSS modifier of the 資格有効性 banner.</summary>
    public string Tone => Validity switch
    {
        QualificationValidity.Valid => "valid",
        QualificationValidity.Invalid => "invalid",
        QualificationValidity.InvalidNewerExists => "newer",
        QualificationValidity.Multiple => "multiple",
        _ => "none",
    };

    public DerivedRatio? Derived { get; }

    public int? HeldPercent { get; }

    public int? Age { get; }

    /// <summary>True where the insurer's ratio and the derived one disagree (shown as a warning).</summary>
    public bool RatioDisagrees => Derived is not null && !Derived.Agrees(HeldPercent);

    /// <summary>The 枝番 the answer carries when none was typed.</summary>
    public string? FoundBranch => View.Row.Branch is null ? View.Result?.InsuredBranchNumber : null;

    public string ExecutedAt => Jst.Seconds(View.Row.ExecutedAt);

    public string ConfirmationDate => Jst.Date(View.Row.ConfirmationDate);

    /// <summary>The characters of <paramref name="text"/> that Shift_JIS cannot encode (shown, and named under the name).</summary>
    public static IReadOnlyList<string> NotInShiftJis(string? text)
    {
        var found = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            var element = (string)e.Current;
            var bytes = ShiftJis.GetBytes(element);
            if (ShiftJis.GetString(bytes) != element && !found.Contains(element))
            {
                found.Add(element);
            }
        }

        return found;
    }

    public IReadOnlyList<AnswerField> Person()
    {
        var r = View.Result!;
        var fields = new List<AnswerField>
        {
            new("氏名", r.Name ?? "", NameNote(r.Name)),
            new("カナ氏名", r.NameKana ?? ""),
        };
        if (!string.IsNullOrEmpty(r.NameOfOther))
        {
            fields.Add(new("氏名（その他）", r.NameOfOther, NameNote(r.NameOfOther)));
        }

        fields.Add(new("性別", r.Sex1 switch { "1" => "男", "2" => "女", _ => "未設定" }));
        fields.Add(new("生年月日", QualificationResultQuery.WireSlash(r.Birthdate) + (Age is { } a ? $"（確認日時点 {a}歳）" : "")));
        if (!string.IsNullOrEmpty(r.Address))
        {
            fields.Add(new("住所", (r.PostNumber is { Length: 7 } pn ? $"〒{pn[..3]}-{pn[3..]} " : "") + r.Address));
        }

        return fields;
    }

    public IReadOnlyList<AnswerField> Card()
    {
        var r = View.Result!;
        var fields = new List<AnswerField>
        {
            new("保険者名", r.InsurerName ?? ""),
            new("保険者番号", r.InsurerNumber ?? ""),
            new("記号・番号・枝番", $"{(string.IsNullOrEmpty(r.InsuredCardSymbol) ? "（記号なし）" : r.InsuredCardSymbol)}・{r.InsuredIdentificationNumber}・{r.InsuredBranchNumber}",
                FoundBranch is { } b ? $"枝番は入力されていませんでした。該当した枝番は「{b}」です。" : null),
            new("被保険者証区分", Code(r.InsuredCardClassification, c => QualificationCodes.Label((InsuredCardClassification)c))),
            new("本人・家族", r.PersonalFamilyClassification switch { "1" => "本人", "2" => "家族", _ => "" }),
        };
        if (!string.IsNullOrEmpty(r.InsuredName))
        {
            fields.Add(new("被保険者氏名", r.InsuredName, NameNote(r.InsuredName)));
        }

        fields.Add(new("資格取得年月日", QualificationResultQuery.WireSlash(r.QualificationDate)));
        if (!string.IsNullOrEmpty(r.DisqualificationDate))
        {
            fields.Add(new("資格喪失年月日", QualificationResultQuery.WireSlash(r.DisqualificationDate)));
            fields.Add(new("喪失事由", Code(r.ReasonOfLoss, c => QualificationCodes.Label((ReasonOfLoss)c))));
        }

        var period = $"{QualificationResultQuery.WireSlash(r.InsuredCardValidDate)} ～ {(string.IsNullOrEmpty(r.InsuredCardExpirationDate) ? "（定めなし）" : QualificationResultQuery.WireSlash(r.InsuredCardExpirationDate))}";
        fields.Add(new("証の有効期間", period, string.IsNullOrEmpty(r.InsuredCertificateIssuanceDate) ? null : "交付年月日 " + QualificationResultQuery.WireSlash(r.InsuredCertificateIssuanceDate)));
        if (r.PreschoolClassification == "1")
        {
            fields.Add(new("未就学区分", "未就学"));
        }

        return fields;
    }

    public IReadOnlyList<AnswerField> Certificates()
    {
        var r = View.Result!;
        var fields = new List<AnswerField>();
        if (r.ElderlyRecipientCertificateInfo is { } e)
        {
            fields.Add(new("高齢受給者証", $"負担割合 {QualificationResultQuery.RatioWords(e.ElderlyRecipientContributionRatio)}",
                $"有効期間 {QualificationResultQuery.WireSlash(e.ElderlyRecipientValidStartDate)} ～ {QualificationResultQuery.WireSlash(e.ElderlyRecipientValidEndDate)}（交付 {QualificationResultQuery.WireSlash(e.ElderlyRecipientCertificateDate)}）"));
        }

        if (r.LimitApplicationCertificateRelatedConsFlg != "1")
        {
            fields.Add(new("限度額適用認定証・特定疾病療養受療証", "患者の同意がないため照会していません"));
            return fields;
        }

        if (r.LimitApplicationCertificateRelatedInfo is { } l)
        {
            var flag = l.LimitApplicationCertificateClassificationFlag is { } f && QualificationCodes.LimitClassificationFlags.TryGetValue(f, out var words) ? words : "";
            fields.Add(new(Code(l.LimitApplicationCertificateClassification, c => QualificationCodes.Label((LimitCertificateKind)c)), $"適用区分 {flag}",
                $"有効期間 {QualificationResultQuery.WireSlash(l.LimitApplicationCertificateValidStartDate)} ～ {QualificationResultQuery.WireSlash(l.LimitApplicationCertificateValidEndDate)}"
                + (string.IsNullOrEmpty(l.LimitApplicationCertificateLongTermDate) ? "" : $"・長期入院該当 {QualificationResultQuery.WireSlash(l.LimitApplicationCertificateLongTermDate)}")));
        }
        else
        {
            fields.Add(new("限度額適用認定証", "確認日に有効な認定証はありません"));
        }

        foreach (var d in r.SpecificDiseasesCertificateList ?? [])
        {
            fields.Add(new("特定疾病療養受療証", Code(d.SpecificDiseasesDiseaseCategory, c => QualificationCodes.Label((SpecificDisease)c)),
                $"自己負担限度額 月{int.Parse(d.SpecificDiseasesSelfPay ?? "0", CultureInfo.InvariantCulture):N0}円・有効期間 {QualificationResultQuery.WireSlash(d.SpecificDiseasesValidStartDate)} ～ {(string.IsNullOrEmpty(d.SpecificDiseasesValidEndDate) ? "（定めなし）" : QualificationResultQuery.WireSlash(d.SpecificDiseasesValidEndDate))}"));
        }

        return fields;
    }

    private static bool Within(string? from, string? to, DateOnly date) =>
        DateOnly.TryParseExact(from, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f) && f <= date
        && (string.IsNullOrEmpty(to) || (DateOnly.TryParseExact(to, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && date <= t));

    private static string Code(string? wire, Func<int, string> label) =>
        int.TryParse(wire, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? label(c) : "";

    private static string? NameNote(string? name)
    {
        var missing = NotInShiftJis(name);
        return missing.Count == 0 ? null
            : $"「{string.Join("」「", missing)}」はShift_JISで表せない文字です。レセコン等に連携すると別の文字や「〓」になることがあります。";
    }

    private static Encoding ShiftJisEncoding()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932, new EncoderReplacementFallback("?"), new DecoderReplacementFallback("?"));
    }
}
