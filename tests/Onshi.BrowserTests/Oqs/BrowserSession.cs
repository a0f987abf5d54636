using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// Debian's Chromium driven by Playwright, presenting the demo terminal certificate to the real OQS, trusting our CA
/// through NODE_EXTRA_CA_CERTS; every step is saved as a screenshot with an index line (step, URL, what was checked).
/// Sites without client certificates (the portal, the operator console) get contexts through
/// <see cref="NewPageAsync(Uri)"/>.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private const float ActionTimeout = 60_000;
    private static readonly SemaphoreSlim DriverStart = new(1, 1);

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly string shotDirectory;
    private readonly StringBuilder index = new();
    private int step;

    private BrowserSession(IPlaywright playwright, IBrowser browser, string shotDirectory)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.shotDirectory = shotDirectory;
    }

    public static Task<BrowserSession> StartAsync(OqsServer server, string scenario) => StartAsync(scenario, server.Demo.CaCert);

    /// <summary>A browser whose Playwright driver (Node) trusts the server certificates of the CA <paramref name="caCertificatePath"/>.</summary>
    public static Task<BrowserSession> StartAsync(string scenario, string caCertificatePath) => LaunchAsync(scenario, caCertificatePath);

    /// <summary>A browser for sites without client certificates; screenshots go to artifacts/screenshots/<paramref name="scenario"/>.</summary>
    public static Task<BrowserSession> StartAsync(string scenario) => LaunchAsync(scenario, caCertificatePath: null);

    private static async Task<BrowserSession> LaunchAsync(string scenario, string? caCertificatePath)
    {
        IPlaywright playwright;
        // The driver reads NODE_EXTRA_CA_CERTS when it starts; test classes run in parallel, each with its own CA.
        await DriverStart.WaitAsync();
        try
        {
            Environment.SetEnvironmentVariable("NODE_EXTRA_CA_CERTS", caCertificatePath);
            Assertions.SetDefaultExpectTimeout(20_000);
            playwright = await Playwright.CreateAsync();
        }
        finally
        {
            DriverStart.Release();
        }

        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
                : throw new InvalidOperationException("Chromium is required: run scripts/deps.sh (apt-get install chromium)"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var dir = Path.Combine(ArtifactsDirectory(), "screenshots", scenario);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return new BrowserSession(playwright, browser, dir);
    }

    /// <summary>A fresh browser context (its own cookies) with the terminal certificate of <paramref name="terminal"/>.</summary>
    public Task<IPage> NewPageAsync(OqsServer server, Onshi.Cli.Commands.DemoTerminal? terminal) =>
        NewPageAsync(server.BaseAddress, terminal is null ? null : (terminal.Pfx, terminal.Passphrase));

    /// <summary>A fresh browser context presenting the PKCS#12 terminal certificate <paramref name="pfxPath"/> to <paramref name="address"/>.</summary>
    public Task<IPage> NewPageAsync(Uri address, string pfxPath, string passphrase) => NewPageAsync(address, (pfxPath, passphrase));

    /// <summary>
    /// A fresh browser context (its own cookies) for a site of <paramref name="origin"/> that asks for no client
    /// certificate: Chromium connects itself, so it is told to accept our CA's server certificate.
    /// </summary>
    public Task<IPage> NewPageAsync(Uri origin) => NewPageAsync(origin, terminal: null);

    /// <summary>As <see cref="NewPageAsync(OqsServer, Onshi.Cli.Commands.DemoTerminal?)"/>, in a browser with JavaScript turned off.</summary>
    public Task<IPage> NewPageWithoutJavaScriptAsync(OqsServer server, Onshi.Cli.Commands.DemoTerminal terminal) =>
        NewPageAsync(server.BaseAddress, (terminal.Pfx, terminal.Passphrase), javaScript: false);

    private async Task<IPage> NewPageAsync(Uri address, (string Pfx, string Passphrase)? terminal, bool javaScript = true)
    {
        var origin = address.GetLeftPart(UriPartial.Authority);
        var context = await browser.NewContextAsync(new()
        {
            Locale = "ja-JP",
            ViewportSize = new() { Width = 1280, Height = 900 },
            AcceptDownloads = true,
            JavaScriptEnabled = javaScript,
            // With a client certificate Playwright's driver makes the TLS connection and trusts our CA through
            // NODE_EXTRA_CA_CERTS; without one Chromium connects itself and does not know our CA.
            IgnoreHTTPSErrors = terminal is null,
            ClientCertificates = terminal is not { } t ? null : [new() { Origin = origin, PfxPath = t.Pfx, Passphrase = t.Passphrase }],
        });
        var page = await context.NewPageAsync();
        // Upper bounds, not delays: on 2 cores the test projects run side by side, and an approval (Argon2id hashes and
        // two PDFs) or a PDF download can take several seconds there.
        page.SetDefaultTimeout(ActionTimeout);
        page.SetDefaultNavigationTimeout(ActionTimeout);
        return page;
    }

    /// <summary>
    /// Saves a full-page screenshot, checks the screen with axe-core (no serious or critical violation may remain) and
    /// notes what the step asserted.
    /// </summary>
    public async Task ShotAsync(IPage page, string name, string asserted)
    {
        step++;
        var file = $"{step:00}-{name}.png";
        await page.ScreenshotAsync(new() { Path = Path.Combine(shotDirectory, file), FullPage = true });
        var axe = await AccessibilityCheck.RunAsync(page);
        index.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
            $"| {step} | [{file}]({file}) | {new Uri(page.Url).PathAndQuery} | {asserted} | {axe.Summary} |");
        axe.Blocking.ShouldBeEmpty($"axe-core found serious or critical violations on step {step} ({name}, {page.Url})");
    }

    public string ShotDirectory => shotDirectory;

    /// <summary>The text of a PDF through poppler's <c>pdftotext -layout</c>.</summary>
    public static async Task<string> PdfToTextAsync(string path)
    {
        var psi = new ProcessStartInfo("pdftotext", ["-layout", path, "-"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("pdftotext (poppler-utils) is required: run scripts/deps.sh");
        var text = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(shotDirectory, "index.md"),
            "| step | screenshot | URL | asserted | axe-core |\n|---|---|---|---|---|\n" + index);
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    private static string ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Onshi.slnx")))
            {
                return Path.Combine(dir.FullName, "artifacts");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "artifacts");
    }
}
