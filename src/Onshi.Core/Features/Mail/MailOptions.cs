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

    /// <summary>
    /// The operating body named in the signature of the decision mails (approval, 差戻し, certificate issued, 交付決定).
    /// Defaults to 「オンライン資格確認等システム 運用事務局」 (the issuer of the notices).
    /// </summary>
    public string SignatureOperatingBody { get; set; } = "オンライン資格確認等システム 運用事務局";

    /// <summary>The call center named in that signature. Defaults to 「オンライン資格確認等コールセンター」.</summary>
    public string SignatureCallCenterName { get; set; } = CallCenter.CallCenterInfo.Name;

    /// <summary>Its telephone number. Defaults to the call center's number shown on the sites (0800-080-4583).</summary>
    public string SignatureCallCenterPhone { get; set; } = CallCenter.CallCenterInfo.PhoneNumber;

    /// <summary>Its hours, one line. Defaults to 「月曜日～金曜日 8:00-18:00、土曜日 8:00-16:00（いずれも祝日を除く）」.</summary>
    public string SignatureCallCenterHours { get; set; } = "月曜日～金曜日 8:00-18:00、土曜日 8:00-16:00（いずれも祝日を除く）";

    /// <summary>The outbox directory (with <see cref="Sender"/> <c>outbox</c>). Defaults to <c>DATA/outbox</c>.</summary>
    public string? OutboxDirectory { get; set; }
}
