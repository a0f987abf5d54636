using System.Text;

namespace Onshi.Core.Features.MemberImports;

/// <summary>One column of the member file: its header (the §11.3 element name, or the Japanese label), and whether it must be there.</summary>
public sealed record MemberColumn(string Name, string Label, bool Required)
{
    /// <summary>How the error report names it: 「生年月日（Birthdate）」.</summary>
    public string Display => $"{Label}（{Name}）";
}

/// <summary>
/// The columns of the member file (docs/qualification.md "加入者データの取込"). A header cell names a column by its §11.3
/// element name (<c>Birthdate</c>, case-insensitive) or its Japanese label (生年月日); columns may come in any order; an
/// optional column may be left out. Required columns must be in the header and have a value on every row.
/// </summary>
public static class MemberColumns
{
    public static readonly MemberColumn PersonKey = new("PersonKey", "個人識別番号", true);
    public static readonly MemberColumn InsurerNumber = new("InsurerNumber", "保険者番号", true);
    public static readonly MemberColumn InsurerName = new("InsurerName", "保険者名", false);
    public static readonly MemberColumn CardClassification = new("InsuredCardClassification", "被保険者証区分", false);
    public static readonly MemberColumn Symbol = new("InsuredCardSymbol", "記号", false);
    public static readonly MemberColumn Number = new("InsuredIdentificationNumber", "番号", true);
    public static readonly MemberColumn Branch = new("InsuredBranchNumber", "枝番", true);
    public static readonly MemberColumn PersonalFamily = new("PersonalFamilyClassification", "本人家族区分", true);
    public static readonly MemberColumn InsuredName = new("InsuredName", "被保険者氏名", false);
    public static readonly MemberColumn Name = new("Name", "氏名", true);
    public static readonly MemberColumn NameOfOther = new("NameOfOther", "氏名（その他）", false);
    public static readonly MemberColumn NameKana = new("NameKana", "カナ氏名", true);
    public static readonly MemberColumn NameOfOtherKana = new("NameOfOtherKana", "カナ氏名（その他）", false);
    public static readonly MemberColumn Sex = new("Sex1", "性別", true);
    public static readonly MemberColumn Birthdate = new("Birthdate", "生年月日", true);
    public static readonly MemberColumn PostNumber = new("PostNumber", "郵便番号", false);
    public static readonly MemberColumn Address = new("Address", "住所", false);
    public static readonly MemberColumn QualificationDate = new("QualificationDate", "資格取得年月日", true);
    public static readonly MemberColumn DisqualificationDate = new("DisqualificationDate", "資格喪失年月日", false);
    public static readonly MemberColumn ReasonOfLoss = new("ReasonOfLoss", "喪失事由", false);
    public static readonly MemberColumn CardIssuanceDate = new("InsuredCertificateIssuanceDate", "証の交付年月日", false);
    public static readonly MemberColumn CardValidDate = new("InsuredCardValidDate", "証の有効開始年月日", false);
    public static readonly MemberColumn CardExpirationDate = new("InsuredCardExpirationDate", "証の有効終了年月日", false);
    public static readonly MemberColumn Ratio = new("InsuredPartialContributionRatio", "一部負担金割合", true);
    public static readonly MemberColumn ElderlyDate = new("ElderlyRecipientCertificateDate", "高齢受給者証交付年月日", false);
    public static readonly MemberColumn ElderlyStart = new("ElderlyRecipientValidStartDate", "高齢受給者証有効開始年月日", false);
    public static readonly MemberColumn ElderlyEnd = new("ElderlyRecipientValidEndDate", "高齢受給者証有効終了年月日", false);
    public static readonly MemberColumn ElderlyRatio = new("ElderlyRecipientContributionRatio", "高齢受給者証負担割合", false);

    /// <summary>Every column, in the order the sample file and the docs list them.</summary>
    public static IReadOnlyList<MemberColumn> All { get; } =
    [
        PersonKey, InsurerNumber, InsurerName, CardClassification, Symbol, Number, Branch, PersonalFamily, InsuredName, Name, NameOfOther,
        NameKana, NameOfOtherKana, Sex, Birthdate, PostNumber, Address, QualificationDate, DisqualificationDate, ReasonOfLoss,
        CardIssuanceDate, CardValidDate, CardExpirationDate, Ratio, ElderlyDate, ElderlyStart, ElderlyEnd, ElderlyRatio,
    ];

    private static readonly Dictionary<string, MemberColumn> ByHeader = BuildIndex();

    /// <summary>The column a header cell names (element name case-insensitively, or the label; full-width forms folded), or null.</summary>
    public static MemberColumn? Find(string header) => ByHeader.GetValueOrDefault(Key(header));

    private static string Key(string header) => header.Trim().Normalize(NormalizationForm.FormKC).ToUpperInvariant();

    private static Dictionary<string, MemberColumn> BuildIndex()
    {
        var index = new Dictionary<string, MemberColumn>(StringComparer.Ordinal);
        foreach (var c in All)
        {
            index[Key(c.Name)] = c;
            index[Key(c.Label)] = c;
        }

        return index;
    }
}

/// <summary>The member file's header row: which field holds which column.</summary>
public sealed class MemberHeader
{
    private readonly Dictionary<MemberColumn, int> positions;

    private MemberHeader(Dictionary<MemberColumn, int> positions, int fieldCount)
    {
        this.positions = positions;
        FieldCount = fieldCount;
    }

    /// <summary>The header's number of fields; every row must have as many.</summary>
    public int FieldCount { get; }

    /// <summary>Whether the file has <paramref name="column"/>.</summary>
    public bool Has(MemberColumn column) => positions.ContainsKey(column);

    /// <summary>The value of <paramref name="column"/> in <paramref name="fields"/> (empty when the file has no such column).</summary>
    public string Value(IReadOnlyList<string> fields, MemberColumn column)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return positions.TryGetValue(column, out var i) && i < fields.Count ? fields[i] : "";
    }

    /// <summary>Reads the header row; the errors name each unknown, repeated or missing column.</summary>
    public static MemberHeader? Parse(CsvRecord? record, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        errors = list;
        if (record is null || record.IsBlank)
        {
            list.Add("ファイルが空です。1行目に見出し行、2行目から加入者の行がある CSV ファイルを指定してください。");
            return null;
        }

        if (record.Error is not null)
        {
            list.Add("1行目（見出し行）: " + record.Error);
            return null;
        }

        if (record.Fields.All(f => MemberColumns.Find(f) is null))
        {
            // Likely a file without a header row: say so without quoting its first row (it could be a member's data).
            list.Add("1行目に見出し行がありません。1行目には列名（保険者番号、番号、生年月日 など）を並べてください。");
            return null;
        }

        var positions = new Dictionary<MemberColumn, int>();
        for (var i = 0; i < record.Fields.Count; i++)
        {
            var cell = record.Fields[i];
            var column = MemberColumns.Find(cell);
            if (column is null)
            {
                list.Add(cell.Trim().Length == 0
                    ? $"見出し行の{i + 1}列目が空です。列名を入れるか、その列を削除してください。"
                    : $"見出し行の{i + 1}列目「{Clip(cell)}」は取込できる列名ではありません（列名は docs/qualification.md の一覧のとおり）。");
            }
            else if (!positions.TryAdd(column, i))
            {
                list.Add($"見出し行に列「{column.Display}」が2回あります。");
            }
        }

        foreach (var missing in MemberColumns.All.Where(c => c.Required && !positions.ContainsKey(c)))
        {
            list.Add($"必須の列「{missing.Display}」が見出し行にありません。");
        }

        return list.Count == 0 ? new MemberHeader(positions, record.Fields.Count) : null;
    }

    /// <summary>A header cell as quoted back in a message (never personal data: it is the header row), short.</summary>
    private static string Clip(string cell)
    {
        var s = new string([.. cell.Trim().Where(c => !char.IsControl(c))]);
        return s.Length > 30 ? s[..30] + "…" : s;
    }
}
