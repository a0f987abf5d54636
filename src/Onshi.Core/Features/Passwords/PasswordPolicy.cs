using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

using Onshi.Core.Common;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The password rules of SPEC §4.7: what a new password must look like, that it repeats none of the
/// recent ones, and when it expires. Failures are returned as <see cref="OnshiError"/> values (codes in
/// <see cref="PasswordErrors"/>), all of them at once so the user can fix everything in one go.
/// </summary>
public sealed class PasswordPolicy
{
    private readonly PasswordOptions _options;
    private readonly Argon2idPasswordHasher _hasher;

    public PasswordPolicy(IOptions<PasswordOptions> options, Argon2idPasswordHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hasher);
        _options = options.Value;
        _hasher = hasher;
    }

    /// <summary>
    /// Checks the rules that need no stored data: length, character classes, half-width ASCII only, not
    /// containing the user ID or a context-specific word, not a common password. An empty list means the password is
    /// acceptable.
    /// </summary>
    /// <param name="userId">The account's user ID; null or empty skips the user-ID rule.</param>
    /// <param name="candidate">The new password as entered (null counts as empty).</param>
    /// <param name="context">
    /// The account's own words (institution, e-mail local part, name); null checks the product and deployment words only.
    /// </param>
    public IReadOnlyList<OnshiError> Validate(string? userId, string? candidate, PasswordContext? context = null)
    {
        candidate ??= "";
        List<OnshiError> errors = [];

        if (candidate.Length < _options.MinLength)
        {
            errors.Add(PasswordErrors.TooShort(_options.MinLength));
        }
        else if (candidate.Length > _options.MaxLength)
        {
            errors.Add(PasswordErrors.TooLong(_options.MaxLength));
        }

        if (!candidate.All(IsAllowed))
        {
            // Typed with the IME on (全角): the class rules below would only confuse, so say just this.
            errors.Add(PasswordErrors.InvalidCharacter());
        }
        else if (candidate.Length > 0)
        {
            if (_options.RequireLetter && !candidate.Any(char.IsAsciiLetter))
            {
                errors.Add(PasswordErrors.MissingLetter());
            }

            if (_options.RequireDigit && !candidate.Any(char.IsAsciiDigit))
            {
                errors.Add(PasswordErrors.MissingDigit());
            }

            if (_options.RequireSymbol && !candidate.Any(IsSymbol))
            {
                errors.Add(PasswordErrors.MissingSymbol());
            }
        }

        if (!string.IsNullOrEmpty(userId) && candidate.Contains(userId, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(PasswordErrors.ContainsUserId());
        }

        if (candidate.Length > 0 && (context ?? PasswordContext.None).FindIn(candidate, _options.ContextWords) is { } word)
        {
            errors.Add(PasswordErrors.ContainsContextWord(word));
        }

        if (candidate.Length > 0 && CommonPasswordList.IsCommon(candidate))
        {
            errors.Add(PasswordErrors.Common());
        }

        return errors;
    }

    /// <summary>
    /// A new password as a change form gives it: present, valid by <see cref="Validate"/>, and equal to its
    /// confirmation. (The current-password and history checks belong to the caller, which holds the account.)
    /// </summary>
    public IReadOnlyList<OnshiError> ValidateChange(string? userId, string? newPassword, string? confirmPassword, PasswordContext? context = null)
    {
        if (string.IsNullOrEmpty(newPassword))
        {
            return [PasswordErrors.NewRequired()];
        }

        var errors = Validate(userId, newPassword, context).ToList();
        if (!string.Equals(newPassword, confirmPassword, StringComparison.Ordinal))
        {
            errors.Add(PasswordErrors.ConfirmMismatch());
        }

        return errors;
    }

    /// <summary>
    /// True when the candidate is the current password or one of the last <see cref="PasswordOptions.HistoryCount"/>.
    /// Each check is a full Argon2id verification (about 20 ms).
    /// </summary>
    /// <param name="previousHashes">
    /// The account's current hash followed by its <c>PasswordHistoryEntry</c> hashes, newest first; only the
    /// first <c>HistoryCount + 1</c> are checked. Empty or malformed hashes never match.
    /// </param>
    /// <param name="candidate">The new password.</param>
    public bool MatchesHistory(IEnumerable<string> previousHashes, string candidate)
    {
        ArgumentNullException.ThrowIfNull(previousHashes);
        ArgumentNullException.ThrowIfNull(candidate);
        bool matched = false;
        foreach (string hash in previousHashes.Take(_options.HistoryCount + 1))
        {
            // No early exit: the time taken does not tell which entry matched.
            if (!string.IsNullOrEmpty(hash) && _hasher.Verify(hash, candidate) != PasswordVerificationResult.Failed)
            {
                matched = true;
            }
        }

        return matched;
    }

    /// <summary>
    /// How many previous hashes an account keeps besides its current one: <see cref="PasswordOptions.HistoryCount"/> − 1,
    /// so that "not one of the last N" counts the current password (which a change compares in plain first). The same
    /// for OQS accounts (<c>PasswordHistoryEntry</c>) and operators (<c>OperatorPasswordHistoryEntry</c>).
    /// </summary>
    public int HistoryEntriesKept => Math.Max(0, _options.HistoryCount - 1);

    /// <summary>The error to show when <see cref="MatchesHistory"/> is true.</summary>
    public OnshiError ReusedError() => PasswordErrors.Reused(_options.HistoryCount);

    /// <summary>
    /// The パスワード有効期限 of a password the user chose: null (never expires) when it has at least
    /// <see cref="PasswordOptions.NonExpiringLength"/> characters, otherwise <paramref name="nowUtc"/> plus
    /// <see cref="PasswordOptions.ExpiryDays"/>. Temporary passwords use <see cref="TemporaryExpiry"/> instead.
    /// </summary>
    public DateTime? ComputeExpiry(string newPassword, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(newPassword);
        return newPassword.Length >= _options.NonExpiringLength ? null : nowUtc.AddDays(_options.ExpiryDays);
    }

    /// <summary>
    /// The shortest password a 連携アプリ用 / Web API用 account may choose for itself: 13 (the guideline's non-expiring length),
    /// or <see cref="PasswordOptions.NonExpiringLength"/> where that is set higher (and still within
    /// <see cref="PasswordOptions.MaxLength"/>). Its secret never expires, so it may not be one that would.
    /// </summary>
    public int MachineSecretMinLength =>
        Math.Max(PasswordOptionsValidator.MinMachineSecretLength, Math.Min(_options.NonExpiringLength, _options.MaxLength));

    /// <summary>How long a machine account's previous secret still signs in after a rotation (<see cref="PasswordOptions.MachineSecretRotationGrace"/>).</summary>
    public TimeSpan MachineSecretRotationGrace => _options.MachineSecretRotationGrace;

    /// <summary>The expiry of a temporary (issued or initialized) password: <paramref name="nowUtc"/> plus <see cref="PasswordOptions.TemporaryPasswordValidity"/>.</summary>
    public DateTime TemporaryExpiry(DateTime nowUtc) => nowUtc + _options.TemporaryPasswordValidity;

    /// <summary>Printable ASCII, space included (0x20–0x7E).</summary>
    internal static bool IsAllowed(char c) => c is >= ' ' and <= '~';

    /// <summary>An ASCII symbol: printable, not a letter, digit or space.</summary>
    internal static bool IsSymbol(char c) => c is > ' ' and <= '~' && !char.IsAsciiLetterOrDigit(c);
}
