using Onshi.Core.Common;

namespace Onshi.Core.Features.Applications;

/// <summary>Field checks shared by the application forms; each adds field-keyed errors to a list.</summary>
internal static class InputRules
{
    /// <summary>Trims; required and at most <paramref name="max"/> characters, no control characters.</summary>
    public static string Text(List<OnshiError> errors, string? value, string field, string label, int max, bool required = true)
    {
        var s = value?.Trim() ?? "";
        if (s.Length == 0)
        {
            if (required)
            {
                errors.Add(ApplicationErrors.Required(field, label));
            }
        }
        else if (s.Length > max)
        {
            errors.Add(ApplicationErrors.TooLong(field, label, max));
        }
        else if (s.Any(TextInput.IsForbiddenMultiline))
        {
            errors.Add(ApplicationErrors.ControlCharacters(field, label));
        }

        return s;
    }

    /// <summary>A Japanese phone number: half-width digits and hyphens, starting with 0, 10 or 11 digits, at most 20 characters.</summary>
    public static string Phone(List<OnshiError> errors, string? value, string field, string label)
    {
        var s = TextInput.NormalizeCode(value)?.Trim() ?? "";
        if (s.Length == 0)
        {
            errors.Add(ApplicationErrors.Required(field, label));
            return s;
        }

        var digits = s.Count(char.IsAsciiDigit);
        if (s.Length > 20 || !s.All(c => char.IsAsciiDigit(c) || c == '-') || s[0] != '0' || digits is < 10 or > 11
            || s.Contains("--", StringComparison.Ordinal) || s.EndsWith('-'))
        {
            errors.Add(ApplicationErrors.PhoneFormat(field, label));
        }

        return s;
    }

    /// <summary>A send-back reason: required, at most 500 characters.</summary>
    public static OnshiError? Reason(string? reason, out string trimmed)
    {
        trimmed = reason?.Trim() ?? "";
        return trimmed.Length == 0 ? ApplicationErrors.ReasonRequired
            : trimmed.Length > 500 ? ApplicationErrors.ReasonTooLong
            : trimmed.Any(TextInput.IsForbiddenMultiline) ? ApplicationErrors.ReasonInvalidCharacters
            : null;
    }
}
