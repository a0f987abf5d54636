namespace Onshi.Core.Features.Mail;

/// <summary>How mail is sent. Bound from <c>Onshi:Mail</c>.</summary>
public sealed class MailOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:Mail";

    /// <summary><c>outbox</c> (.eml files in <c>DATA/outbox</c>) or <c>smtp</c>. Defaults to <c>outbox</c>.</summary>
    public string Sender { get; set; } = "outbox";

    /// <summary>The From address. Defaults to <c>no-reply@onshi.local</c>.</summary>
    public string From { get; set; } = "no-reply@onshi.local";

    /// <summary>The display name of the From address. Defaults to the portal's name.</summary>
    public string FromName { get; set; } = "医療機関等向け総合ポータルサイト";

    /// <summary>The SMTP server's host name (with <see cref="Sender"/> <c>smtp</c>). Defaults to <c>localhost</c>.</summary>
    public string SmtpHost { get; set; } = "localhost";

    /// <summary>The SMTP server's port. Defaults to 587 (submission).</summary>
    public int SmtpPort { get; set; } = 587;

    /// <summary>Whether to use STARTTLS. Defaults to true.</summary>
    public bool SmtpUseTls { get; set; } = true;

    /// <summary>The SMTP user name; none means no authentication.</summary>
    public string? SmtpUserName { get; set; }

    /// <summary>The SMTP password.</summary>
    public string? SmtpPassword { get; set; }

    /// <summary>The outbox directory (with <see cref="Sender"/> <c>outbox</c>). Defaults to <c>DATA/outbox</c>.</summary>
    public string? OutboxDirectory { get; set; }
}
