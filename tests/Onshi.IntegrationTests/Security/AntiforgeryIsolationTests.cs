using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Features.Audit;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.Operator.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Security;

/// <summary>
/// The three sites share one key ring, yet an antiforgery token pair one site issued is refused by another (issue 14,
/// item 16): the portal and the console on one database, the portal's cookie token and form token presented to the
/// console under the console's own names.
/// </summary>
public sealed class AntiforgeryIsolationTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PortalToken_PresentedToTheConsole_IsRefusedAndAudited(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var directory = Directory.CreateTempSubdirectory("onshi-af-").FullName;
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = provider, ConnectionString = database.ConnectionString };
        await using var portal = PortalApp.Create(settings, 0);
        await OnshiDatabase.MigrateAsync(portal.Services, settings);
        await portal.StartAsync();
        await using var console = OperatorApp.Create(settings, 0);
        await console.StartAsync();
        try
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "ca", "ca.crt"));
            var portalUrl = new Uri(portal.Urls.First());
            var consoleUrl = new Uri(console.Urls.First());

            // The portal's pair: its antiforgery cookie and the login form's token.
            var portalJar = new CookieContainer();
            using var portalClient = TestTls.Client(portalUrl, ca, cookies: portalJar);
            var portalLogin = await portalClient.GetAsync("/Account/Login");
            var portalToken = portalLogin.Q("input[name=__af]").ShouldNotBeNull().GetAttribute("value")!;
            var portalCookie = portalJar.GetCookies(portalUrl)["__Host-onshi-portal-af"].ShouldNotBeNull().Value;

            // The console's own pair works (the control), the portal's does not.
            var consoleJar = new CookieContainer();
            using var consoleClient = TestTls.Client(consoleUrl, ca, cookies: consoleJar);
            var consoleLogin = await consoleClient.GetAsync("/Login");
            var own = await consoleClient.PostAsync("/Login", [new("__af", consoleLogin.Q("input[name=__af]")!.GetAttribute("value")!),
                new("Input.UserId", "op-nobody"), new("Input.Password", "Wrong-Pass-1!")]);
            own.Status.ShouldBe(HttpStatusCode.OK);

            var forgedJar = new CookieContainer();
            forgedJar.Add(consoleUrl, new Cookie("__Host-onshi-op-af", portalCookie, "/") { Secure = true });
            using var forged = TestTls.Client(consoleUrl, ca, cookies: forgedJar);
            var refused = await forged.PostAsync("/Login", [new("__af", portalToken), new("Input.UserId", "op-nobody"), new("Input.Password", "Wrong-Pass-1!")]);

            refused.Status.ShouldBe(HttpStatusCode.BadRequest);
            var rows = await WithDbAsync(database, db => db.AuditEntries.AsNoTracking()
                .Where(a => a.Action == AuditActions.RequestRefused && a.Detail == RequestRefusalReasons.Antiforgery).CountAsync());
            rows.ShouldBe(1);
        }
        finally
        {
            await console.StopAsync();
            await portal.StopAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
                File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(directory));
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<T> WithDbAsync<T>(TestDatabase database, Func<Onshi.Core.Data.OnshiDbContext, Task<T>> action)
    {
        await using var db = database.CreateDbContext();
        return await action(db);
    }
}
