using Microsoft.Extensions.DependencyInjection;

namespace Onshi.Core.Features.Documents;

/// <summary>Registers the PDF renderers (stateless singletons).</summary>
public static class DocumentsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AccountSettingsPdf"/>, <see cref="UserSettingsInformationPdf"/> and <see cref="NoticePdf"/>, each also as its <see cref="IPdfRenderer{TDocument}"/>.</summary>
    public static IServiceCollection AddOnshiDocuments(this IServiceCollection services)
    {
        services.AddSingleton<AccountSettingsPdf>();
        services.AddSingleton<IPdfRenderer<AccountSettingsDocument>>(sp => sp.GetRequiredService<AccountSettingsPdf>());
        services.AddSingleton<UserSettingsInformationPdf>();
        services.AddSingleton<IPdfRenderer<UserSettingsInformationDocument>>(sp => sp.GetRequiredService<UserSettingsInformationPdf>());
        services.AddSingleton<NoticePdf>();
        services.AddSingleton<IPdfRenderer<NoticeDocument>>(sp => sp.GetRequiredService<NoticePdf>());
        return services;
    }
}
