namespace Onshi.Core.Features.Passwords;

/// <summary>
/// Password rules, expiry and hashing cost (SPEC §4.7, §5), bound from the configuration section
/// <c>Onshi:Passwords</c>. The defaults follow the MHLW guideline (第6.0版, 2025 checklist) and OWASP's
/// Argon2id minimum; <see cref="PasswordOptionsValidator"/> refuses weaker settings at start.
/// </summary>
public sealed class PasswordOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:Passwords";

    /// <summary>Gets or sets the minimum length of a password. Defaults to 8; may not be set below 8.</summary>
    public int MinLength { get; set; } = 8;

    /// <summary>
    /// Gets or sets the maximum length of a password. Defaults to 128; may not be set below 64 so that
    /// pass phrases and password managers work.
    /// </summary>
    public int MaxLength { get; set; } = 128;

    /// <summary>Gets or sets whether a password must contain an ASCII letter (A–Z, a–z). Defaults to true.</summary>
    public bool RequireLetter { get; set; } = true;

    /// <summary>Gets or sets whether a password must contain a digit (0–9). Defaults to true.</summary>
    public bool RequireDigit { get; set; } = true;

    /// <summary>Gets or sets whether a password must contain an ASCII symbol (<c>!</c> to <c>~</c> other than letters and digits). Defaults to true.</summary>
    public bool RequireSymbol { get; set; } = true;

    /// <summary>Gets or sets the number of days a password stays valid after it is set. Defaults to 90.</summary>
    public int ExpiryDays { get; set; } = 90;

    /// <summary>
    /// Gets or sets the length from which a password never expires (the guideline's exemption for long
    /// passwords). Defaults to 13. Set it above <see cref="MaxLength"/> to make every password expire.
    /// </summary>
    public int NonExpiringLength { get; set; } = 13;

    /// <summary>
    /// Gets or sets how many previous passwords, besides the current one, a new password may not repeat.
    /// Defaults to 3.
    /// </summary>
    public int HistoryCount { get; set; } = 3;

    /// <summary>Gets or sets the length of generated (temporary) passwords. Defaults to 8; may not be set below 8.</summary>
    public int GeneratedLength { get; set; } = 8;

    /// <summary>
    /// Gets or sets the length of the secrets issued to 連携アプリ用 and Web API用 accounts (SPEC §12), which never expire and are
    /// set into the client as issued. Defaults to 20; at least 13 (the guideline's non-expiring length) and at most
    /// <see cref="MaxLength"/>.
    /// </summary>
    public int MachineSecretLength { get; set; } = 20;

    /// <summary>
    /// Gets or sets how long a machine account's previous secret still signs in after シークレットの更新（ローテーション）, so the
    /// client keeps working until the new secret is set into it. Defaults to 7 days; more than zero and at most 90 days.
    /// </summary>
    public TimeSpan MachineSecretRotationGrace { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how long a temporary (issued or initialized) password stays valid. Defaults to 7 days.</summary>
    public TimeSpan TemporaryPasswordValidity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets how long before one's own password expires the screens after login warn about it (the OQS メニュー's
    /// パスワード有効期限). Defaults to 14 days; zero turns the warning off; at most 90 days.
    /// </summary>
    public TimeSpan ExpiryWarningPeriod { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Words of the deployment (its organisation, project or site names) that no password may contain, besides the built-in
    /// <see cref="PasswordContext.ProductWords"/>. Compared case-insensitively as ASCII letters and digits; words under
    /// <see cref="PasswordContext.MinWordLength"/> characters are ignored. Empty by default.
    /// </summary>
    public IList<string> ContextWords { get; } = [];

    /// <summary>Gets or sets the Argon2id cost of new hashes.</summary>
    public Argon2Options Argon2 { get; set; } = new();
}

/// <summary>
/// Argon2id cost parameters (section <c>Onshi:Passwords:Argon2</c>). Stored hashes carry their own
/// parameters, so these may be raised at any time: hashes made with weaker ones are re-hashed at the next
/// successful login. They may not be set below OWASP's minimum (m=19456 KiB, t=2, p=1).
/// </summary>
public sealed class Argon2Options
{
    /// <summary>Gets or sets the memory cost in KiB. Defaults to 19456 (19 MiB); at least 19456, at most 1048576 (1 GiB).</summary>
    public int MemoryKiB { get; set; } = 19456;

    /// <summary>Gets or sets the number of passes. Defaults to 2; at least 2, at most 64.</summary>
    public int Iterations { get; set; } = 2;

    /// <summary>Gets or sets the degree of parallelism. Defaults to 1, the only value libsodium (NSec) supports.</summary>
    public int Parallelism { get; set; } = 1;
}
