using System.Globalization;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// A yen amount as a person types it (事業費, 申請額, 交付決定額): digits with or without "," separators and a trailing
/// 円. The one parser of the portal's and the console's amount fields; the form value already went through
/// <see cref="TextInput.NormalizeCode"/> (full-width digits and commas), which is applied here again for callers
/// outside model binding (it is idempotent).
/// </summary>
public static class YenInput
{
    /// <summary>
    /// The amount, or null: with <paramref name="error"/> null when nothing was typed (the caller or the service asks for it),
    /// else with the reason (not a whole number, or more than ten digits).
    /// </summary>
    public static long? Parse(string? value, string field, string label, out OnshiError? error)
    {
        var s = (TextInput.NormalizeCode(value) ?? "").Trim().Replace(",", "", StringComparison.Ordinal);
        if (s.EndsWith('円'))
        {
            s = s[..^1].TrimEnd();
        }

        error = null;
        if (s.Length == 0)
        {
            return null;
        }

        if (!s.All(char.IsAsciiDigit))
        {
            error = ApplicationErrors.AmountPositive(field, label);
            return null;
        }

        if (s.TrimStart('0').Length > 10 || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            error = ApplicationErrors.AmountTooLarge(field, label);
            return null;
        }

        return amount;
    }
}
