using Onshi.Core.Data;

namespace Onshi.Core.Features.MemberImports;

/// <summary>
/// The checks across the rows of one file, on top of <see cref="MemberRowValidator"/>: the insurer must be registered, or be
/// registered by the file (an unknown 保険者番号 with its 保険者名, the same name on every row); a registered insurer's name may
/// only be repeated, never changed; one qualification (保険者番号, 記号, 番号, 枝番, 資格取得年月日) at most once per file.
/// </summary>
public sealed class MemberFileCheck(MemberHeader header, DateOnly today, IReadOnlyDictionary<string, string> registeredInsurers)
{
    private readonly MemberRowValidator rows = new(header, today);
    private readonly Dictionary<string, string> newInsurers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> keys = new(StringComparer.Ordinal);

    /// <summary>Insurers the file registers: 保険者番号 → 保険者名.</summary>
    public IReadOnlyDictionary<string, string> NewInsurers => newInsurers;

    /// <summary>The upsert key of a qualification: 保険者番号, 記号, 番号, 枝番, 資格取得年月日.</summary>
    public static string Key(InsuredQualification q)
    {
        ArgumentNullException.ThrowIfNull(q);
        return string.Join('\u001f', q.InsurerNumber, q.Symbol, q.Number, q.Branch, q.QualificationDate.DayNumber);
    }

    /// <summary>The row's qualification, or null with its errors added.</summary>
    public InsuredQualification? Check(CsvRecord record, List<MemberRowError> errors)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        var q = rows.Validate(record, errors, out var insurerName);
        if (q is null)
        {
            return null;
        }

        if (registeredInsurers.TryGetValue(q.InsurerNumber, out var registered))
        {
            if (insurerName is not null && insurerName != registered)
            {
                errors.Add(new MemberRowError(record.Row, MemberColumns.InsurerName.Display,
                    $"保険者番号 {q.InsurerNumber} は「{registered}」として登録済みです。保険者名は空にするか、登録済みの名称と同じにしてください（取込では保険者名を変更しません）。"));
            }
        }
        else if (newInsurers.TryGetValue(q.InsurerNumber, out var named))
        {
            if (insurerName is not null && insurerName != named)
            {
                errors.Add(new MemberRowError(record.Row, MemberColumns.InsurerName.Display,
                    $"保険者番号 {q.InsurerNumber} の保険者名が、このファイルの前の行と違います。"));
            }
        }
        else if (insurerName is not null)
        {
            newInsurers[q.InsurerNumber] = insurerName;
        }
        else
        {
            errors.Add(new MemberRowError(record.Row, MemberColumns.InsurerNumber.Display,
                $"保険者番号 {q.InsurerNumber} の保険者は登録されていません。新しい保険者の行には「{MemberColumns.InsurerName.Display}」列に名称を入れてください（登録されます）。"));
        }

        if (!keys.TryAdd(Key(q), record.Row))
        {
            errors.Add(new MemberRowError(record.Row, "",
                $"{keys[Key(q)]}行目と同じ資格（保険者番号・記号・番号・枝番・資格取得年月日が同じ）です。1つの資格は1行にしてください。"));
        }

        return errors.Count > before ? null : q;
    }
}
