using System.Text.RegularExpressions;
using Onshi.Core.Common;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>The portal's user ID: an e-mail address.</summary>
public static partial class PortalEmail
{
    /// <summary>The e-mail rules: required, at most 254 characters, <c>local@domain.tld</c> in ASCII.</summary>
    public static IReadOnlyList<OnshiError> Validate(string? email)
    {
        email = (email ?? "").Trim();
        if (email.Length == 0)
        {
            return [PortalAccountErrors.EmailRequired()];
        }

        if (email.Length > PortalAccountErrors.MaxEmailLength)
        {
            return [PortalAccountErrors.EmailTooLong()];
        }

        var at = email.LastIndexOf('@');
        if (at is <= 0 or > 64 || !EmailPattern().IsMatch(email))
        {
            return [PortalAccountErrors.EmailInvalid()];
        }

        return [];
    }

    /// <summary>The unique form of an address (upper-invariant).</summary>
    public static string Normalize(string email) => (email ?? "").Trim().ToUpperInvariant();

    // Local part: RFC 5322 atext with dots between atoms; domain: LDH labels, at least two, TLD of letters.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();

}
