using System.Net;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Mail;

/// <summary>Sends through an SMTP server (<c>Onshi:Mail:Sender = smtp</c>, host, port, TLS and credentials from <see cref="MailOptions"/>).</summary>
public sealed partial class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    private readonly MailOptions opts = options.Value;

    public async Task SendAsync(MailMessageData message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mail = new MailMessage
        {
            From = new MailAddress(opts.From, opts.FromName, Encoding.UTF8),
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            Body = message.Body,
            BodyEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        mail.To.Add(new MailAddress(message.To));
        using var client = new SmtpClient(opts.SmtpHost, opts.SmtpPort)
        {
            EnableSsl = opts.SmtpUseTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (!string.IsNullOrEmpty(opts.SmtpUserName))
        {
            client.Credentials = new NetworkCredential(opts.SmtpUserName, opts.SmtpPassword);
        }

        await client.SendMailAsync(mail, cancellationToken);
        LogSent(logger, opts.SmtpHost);
    }

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Mail handed to SMTP server {Host}")]
    private static partial void LogSent(ILogger logger, string host);
}
