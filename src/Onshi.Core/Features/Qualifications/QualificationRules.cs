using Onshi.Core.Common;

namespace Onshi.Core.Features.Qualifications;

/// <summary>One qualification (資格) of a person as the lookup's rules need it.</summary>
/// <param name="Id">The qualification's row.</param>
/// <param name="PersonId">The person it belongs to (a person keeps every qualification they ever had).</param>
/// <param name="Acquired">資格取得年月日.</param>
/// <param name="Lost">資格喪失年月日: the first day without it (none while it lasts).</param>
/// <param name="Reason">喪失事由.</param>
public sealed record QualificationSpan(long Id, long PersonId, DateOnly Acquired, DateOnly? Lost, ReasonOfLoss? Reason)
{
    public bool ValidOn(DateOnly date) => Acquired <= date && (Lost is not { } lost || date < lost);
}

/// <summary>A lookup's answer: the 資格有効性, the qualification it is about (none for 4 and 5) and why, in words.</summary>
public sealed record QualificationVerdict(QualificationValidity Validity, QualificationSpan? Chosen, string Explanation);

/// <summary>
/// How the 資格有効性 is decided (SPEC §11.2). The input's 保険者番号 + 記号 + 番号 (+ 枝番) + 生年月日 select the
/// <c>matches</c>; without 枝番, matches of more than one person are 複数該当. A match valid on 確認日 is 有効; otherwise
/// the latest one that began by 確認日 (or, when all begin later, the first) is 無効, and 無効（新しい資格あり） when the
/// person has a qualification — under any insurer — that began after it.
/// </summary>
public static class QualificationRules
{
    /// <param name="matches">The qualifications the input's key selects.</param>
    /// <param name="historyOfPerson">Every qualification of the one person matched (any insurer); ignored otherwise.</param>
    /// <param name="date">確認日.</param>
    public static QualificationVerdict Evaluate(IReadOnlyList<QualificationSpan> matches, IReadOnlyList<QualificationSpan> historyOfPerson, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(historyOfPerson);
        if (matches.Count == 0)
        {
            return new(QualificationValidity.NotFound, null,
                "入力された保険者番号・記号・番号・枝番・生年月日に該当する資格がありません。被保険者証等の記載と入力内容をお確かめください。");
        }

        if (matches.Select(m => m.PersonId).Distinct().Skip(1).Any())
        {
            return new(QualificationValidity.Multiple, null,
                "同じ保険者番号・記号・番号・生年月日の方が複数います（双子の方など）。被保険者証等の枝番（2桁）を入力して照会してください。");
        }

        var valid = matches.Where(m => m.ValidOn(date)).MaxBy(m => m.Acquired);
        if (valid is not null)
        {
            return new(QualificationValidity.Valid, valid, $"{Jst.Date(date)} 時点で有効な資格です。");
        }

        var chosen = matches.Where(m => m.Acquired <= date).MaxBy(m => m.Acquired) ?? matches.MinBy(m => m.Acquired)!;
        var newer = historyOfPerson.Where(h => h.Id != chosen.Id && h.Acquired > chosen.Acquired).MinBy(h => h.Acquired);
        var why = chosen.Acquired > date
            ? $"確認日 {Jst.Date(date)} はこの資格の取得日（{Jst.Date(chosen.Acquired)}）より前です。"
            : $"この資格は {Jst.Date(chosen.Lost!.Value)} に喪失しています（喪失事由: {QualificationCodes.Label(chosen.Reason ?? ReasonOfLoss.Other)}）。";
        return newer is null
            ? new(QualificationValidity.Invalid, chosen, why)
            : new(QualificationValidity.InvalidNewerExists, chosen,
                $"{why}{Jst.Date(newer.Acquired)} に取得した新しい資格があります。新しい被保険者証等（またはマイナンバーカード）で確認してください。");
    }

}
