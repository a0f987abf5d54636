using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Mail;

/// <summary>Registers the mail sender chosen by <see cref="MailOptions.Sender"/> and the <see cref="MailDispatcher"/> in front of it.</summary>
public static class MailServiceCollectionExtensions
{
    public static IServiceCollection AddOnshiMail(this IServiceCollection services, string dataDirectory)
    {
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName)
            .PostConfigure(o => o.OutboxDirectory ??= Path.Combine(Path.GetFullPath(dataDirectory), "outbox"))
            .Validate(o => o.Sender is "outbox" or "smtp", "Onshi:Mail:Sender must be \"outbox\" or \"smtp\".")
            .ValidateOnStart();
        services.AddSingleton<OutboxMailSender>();
        services.AddSingleton<SmtpMailSender>();
        services.AddSingleton<IMailSender>(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value.Sender == "smtp"
            ? sp.GetRequiredService<SmtpMailSender>()
            : sp.GetRequiredService<OutboxMailSender>());

        // Mail that must not hold up the answer (see MailDispatcher); sent by the host's background loop.
        services.AddSingleton<MailDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<MailDispatcher>());
        return services;
    }
}
