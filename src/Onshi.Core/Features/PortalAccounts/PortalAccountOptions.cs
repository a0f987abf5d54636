namespace Onshi.Core.Features.PortalAccounts;

/// <summary>The portal's account rules. Bound from <c>Onshi:Portal</c>.</summary>
public sealed class PortalAccountOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:Portal";

    /// <summary>
    /// The portal's public address, the base of every mailed link (e.g. <c>https://portal.example.jp</c>). Never taken
    /// from a request's Host header (a forged Host would send a victim a link to another site, token included).
    /// The portal host sets its own endpoint when this is not configured.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long an e-mail verification link stays valid. Defaults to 24 hours.</summary>
    public TimeSpan VerificationLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a password reset link stays valid. Defaults to 1 hour.</summary>
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// 新規登録 one client address may submit (valid input, before the password is hashed) within the login throttle window.
    /// Defaults to 10.
    /// </summary>
    public int MaxRegistrationsPerAddress { get; set; } = 10;

    /// <summary>新規登録 for one e-mail address within the login throttle window (before the password is hashed). Defaults to 3.</summary>
    public int MaxRegistrationsPerRecipient { get; set; } = 3;

    /// <summary>Mails (registration, reset) one client address may cause within the login throttle window. Defaults to 20.</summary>
    public int MaxMailsPerAddress { get; set; } = 20;

    /// <summary>Mails one e-mail address may receive within the login throttle window. Defaults to 5.</summary>
    public int MaxMailsPerRecipient { get; set; } = 5;
}
