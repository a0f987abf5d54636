using System.Globalization;
using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Audit;

/// <summary>The 操作ログ filters as typed (query string values), before they are checked.</summary>
/// <param name="From">期間（開始日）, a JST calendar date, <c>yyyy-MM-dd</c> or <c>yyyy/MM/dd</c>.</param>
/// <param name="To">期間（終了日）, included.</param>
/// <param name="Actor">A user ID (OQS: the account that acted or was acted on; console: the actor).</param>
/// <param name="Action">An action code from <see cref="AuditLabels.Actions"/>.</param>
/// <param name="Outcome">An outcome code from <see cref="AuditLabels.Outcomes"/>.</param>
/// <param name="InstitutionCode">医療機関等コード prefix (console only).</param>
public sealed record AuditCriteriaInput(string? From = null, string? To = null, string? Actor = null, string? Action = null,
    string? Outcome = null, string? InstitutionCode = null);

/// <summary>Checked filters: dates as JST calendar days (both included), texts trimmed, "" = no filter.</summary>
public sealed record AuditCriteria(DateOnly? From, DateOnly? To, string Actor, string Action, string Outcome, string InstitutionCode)
{
    /// <summary>No filter at all.</summary>
    public static AuditCriteria None { get; } = new(null, null, "", "", "", "");

    /// <summary>The first instant (UTC) of <see cref="From"/> in JST.</summary>
    public DateTime? StartUtc => From is { } f ? Jst.StartOfDayUtc(f) : null;

    /// <summary>The first instant (UTC) after <see cref="To"/> in JST.</summary>
    public DateTime? EndUtc => To is { } t ? Jst.StartOfDayUtc(t.AddDays(1)) : null;
}

/// <summary>
/// Checks the 操作ログ filters of both screens the same way: bad or impossible dates, a start after the end, over-long
/// text and the characters no text may hold (<see cref="TextInput.IsForbidden"/>: control characters and U+FFFD, what the
/// decoder makes of invalid UTF-8) become Japanese messages on their fields (never an exception).
/// </summary>
public static class AuditCriteriaParser
{
    /// <summary>The earliest date a period may name.</summary>
    public static readonly DateOnly MinDate = new(2000, 1, 1);

    /// <summary>The latest date a period may name.</summary>
    public static readonly DateOnly MaxDate = new(2099, 12, 31);

    public const string DateFormatMessage = "日付は「2025-01-31」の形式で入力してください。";

    /// <summary>Parses <paramref name="input"/>. <paramref name="actorField"/> names the actor control; its label is used in messages.</summary>
    public static OpResult<AuditCriteria> Parse(AuditCriteriaInput input, string actorField, string actorLabel, int actorMaxLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<OnshiError>();
        var from = ParseDate(input.From, "From", errors);
        var to = ParseDate(input.To, "To", errors);
        if (from is { } f && to is { } t && f > t)
        {
            errors.Add(new OnshiError("audit.period", "期間の開始日は終了日以前の日付を入力してください。", "From"));
        }

        var actor = Text(input.Actor, actorField, actorLabel, actorMaxLength, errors);
        var code = Text(input.InstitutionCode, "InstitutionCode", "医療機関等コード", 10, errors);
        if (code.Length > 0 && !code.All(char.IsAsciiDigit) && !errors.Any(e => e.Field == "InstitutionCode"))
        {
            errors.Add(new OnshiError("audit.code", "医療機関等コードは半角数字10桁以内で入力してください。", "InstitutionCode"));
        }

        var action = (input.Action ?? "").Trim();
        if (action.Length > 0 && !AuditLabels.IsAction(action))
        {
            errors.Add(new OnshiError("audit.action", "操作は一覧から選択してください。", "Action"));
        }

        var outcome = (input.Outcome ?? "").Trim();
        if (outcome.Length > 0 && !AuditLabels.Outcomes.Any(o => o.Code == outcome))
        {
            errors.Add(new OnshiError("audit.outcome", "結果は一覧から選択してください。", "Outcome"));
        }

        return errors.Count > 0
            ? OpResult<AuditCriteria>.Fail(errors)
            : OpResult<AuditCriteria>.Success(new AuditCriteria(from, to, actor, action, outcome, code));
    }

    private static DateOnly? ParseDate(string? value, string field, List<OnshiError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (text.Length > 10 || !DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy/MM/dd", "yyyy-M-d", "yyyy/M/d"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var d))
        {
            errors.Add(new OnshiError("audit.date", DateFormatMessage, field));
            return null;
        }

        if (d < MinDate || d > MaxDate)
        {
            errors.Add(new OnshiError("audit.date_range", "日付は2000-01-01から2099-12-31までの範囲で入力してください。", field));
            return null;
        }

        return d;
    }

    private static string Text(string? value, string field, string label, int max, List<OnshiError> errors)
    {
        var text = (value ?? "").Trim();
        if (text.Any(TextInput.IsForbidden))
        {
            errors.Add(new OnshiError("audit.control", $"{label}に使用できない文字が含まれています。", field));
            return "";
        }

        if (text.Length > max)
        {
            errors.Add(new OnshiError("audit.too_long", $"{label}は{max}文字以内で入力してください。", field));
            return "";
        }

        return text;
    }
}
