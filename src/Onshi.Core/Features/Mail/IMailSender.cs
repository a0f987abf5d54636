namespace Onshi.Core.Features.Mail;

/// <summary>A plain-text e-mail to one recipient. The body may hold links with tokens: never log it.</summary>
public sealed record MailMessageData(string To, string Subject, string Body);

/// <summary>The seam through which every e-mail leaves the system (the outbox by default, SMTP by configuration).</summary>
public interface IMailSender
{
    /// <summary>Sends (or stores for sending) one message.</summary>
    Task SendAsync(MailMessageData message, CancellationToken cancellationToken = default);
}
