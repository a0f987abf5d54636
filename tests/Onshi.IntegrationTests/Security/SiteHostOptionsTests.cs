using System.Net;
using Microsoft.AspNetCore.Http;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Security;

/// <summary>The host names a site answers to (no server needed).</summary>
public sealed class SiteHostOptionsTests
{
    [Fact]
    public void Defaults_AreTheServerCertificatesNames_PlusConfiguredNames_AndASpecificBindAddress()
    {
        var settings = new OnshiSettings();
        settings.HostNames.Add("oqs.example.jp");
        var options = new SiteHostOptions();
        options.AddDefaults(settings);
        options.AddBindAddress(IPAddress.Parse("10.0.0.5"));

        foreach (var host in new[] { "localhost", "localhost:8443", "LOCALHOST.", "127.0.0.1:8443", "[::1]:8443", "oqs.example.jp", "OQS.Example.JP:443", "10.0.0.5:8443" })
        {
            options.IsAllowed(new HostString(host)).ShouldBeTrue(host);
        }

        foreach (var host in new[] { "evil.example", "oqs.example.jp.evil.example", "127.0.0.2", "example.jp", "", "10.0.0.6" })
        {
            options.IsAllowed(new HostString(host)).ShouldBeFalse(host);
        }
    }

    [Fact]
    public void WildcardBind_AddsNoName()
    {
        var options = new SiteHostOptions();
        options.AddBindAddress(IPAddress.Any);
        options.AddBindAddress(IPAddress.IPv6Any);

        options.AllowedHosts.ShouldBeEmpty();
        options.IsAllowed(new HostString("0.0.0.0")).ShouldBeFalse();
    }
}
