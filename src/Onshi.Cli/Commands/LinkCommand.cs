using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Onshi.Cli.Link;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi link</c>: the 連携アプリ on the terminal (SPEC §12). The secret and the certificate's passphrase come from files or
/// the environment, never from the command line (where <c>ps</c> would show them); <c>--demo</c> takes everything from the
/// demo's <c>demo.json</c>.
/// </summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var req = new Option<string>("--req") { Description = "要求ファイルのフォルダ (request folder: OQSsiquc01req_*.xml, OQSmuquc01req_*.xml, OQSmuquc02req_*.xml)", Required = true };
        var res = new Option<string>("--res") { Description = "結果ファイルのフォルダ (result folder: *res_*.xml, *.err)", Required = true };
        var demo = new Option<string?>("--demo") { Description = "demo.json of `onshi demo` (the URL, CA, terminal certificate and 連携アプリ用 account)" };
        var url = new Option<string?>("--url") { Description = "the OQS endpoint, e.g. https://oqs.example.jp:8443" };
        var ca = new Option<string?>("--ca") { Description = "our CA certificate (PEM) to trust" };
        var pfx = new Option<string?>("--pfx") { Description = "the terminal certificate (PKCS#12)" };
        var passphraseFile = new Option<string?>("--pfx-passphrase-file") { Description = "file holding the PKCS#12 passphrase (or ONSHI_LINK_PFX_PASSPHRASE)" };
        var user = new Option<string?>("--user") { Description = "the 連携アプリ用 account's user ID" };
        var secretFile = new Option<string?>("--secret-file") { Description = "file holding the account's secret (or ONSHI_LINK_SECRET)" };
        var once = new Option<bool>("--once") { Description = "answer what is in the folder now, then exit" };
        var poll = new Option<int>("--poll-ms") { Description = "how often the folder is looked at (ms)", DefaultValueFactory = _ => 500 };
        var giveUp = new Option<int>("--give-up-seconds") { Description = "how long a request waits for an unreachable system before its .err", DefaultValueFactory = _ => 120 };
        var command = new Command("link", "連携アプリ: 要求フォルダのファイルにWeb API経由で応答する (answer request files through the Web API)")
        {
            req, res, demo, url, ca, pfx, passphraseFile, user, secretFile, once, poll, giveUp,
        };
        command.SetAction(async (r, ct) =>
        {
            string? endpoint = r.GetValue(url), caFile = r.GetValue(ca), pfxFile = r.GetValue(pfx), userId = r.GetValue(user);
            string? passphrase = Read(r.GetValue(passphraseFile)) ?? Environment.GetEnvironmentVariable("ONSHI_LINK_PFX_PASSPHRASE");
            string? secret = Read(r.GetValue(secretFile)) ?? Environment.GetEnvironmentVariable("ONSHI_LINK_SECRET");
            if (r.GetValue(demo) is { } demoFile)
            {
                var d = JsonSerializer.Deserialize<DemoFile>(await File.ReadAllTextAsync(demoFile, ct), DemoCommand.Json)
                    ?? throw new InvalidOperationException("demo.json is empty.");
                var account = d.Accounts.Single(a => a.Kind == "app");
                endpoint ??= d.OqsUrl;
                caFile ??= d.CaCert;
                pfxFile ??= d.Terminal.Pfx;
                passphrase ??= d.Terminal.Passphrase;
                userId ??= account.UserId;
                secret ??= account.Password;
            }

            if (endpoint is null || caFile is null || pfxFile is null || userId is null || secret is null)
            {
                await Console.Error.WriteLineAsync("--url, --ca, --pfx, --user と、シークレット（--secret-file または ONSHI_LINK_SECRET）を指定してください（または --demo demo.json）。");
                return 2;
            }

            using var caCertificate = X509CertificateLoader.LoadCertificateFromFile(caFile);
            using var terminal = X509CertificateLoader.LoadPkcs12FromFile(pfxFile, passphrase);
            using var api = new LinkApiClient(new Uri(endpoint), caCertificate, terminal, userId, secret, TimeSpan.FromSeconds(60));
            var settings = new LinkSettings(Path.GetFullPath(r.GetValue(req)!), Path.GetFullPath(r.GetValue(res)!),
                TimeSpan.FromMilliseconds(Math.Max(50, r.GetValue(poll))), TimeSpan.FromSeconds(Math.Max(0, r.GetValue(giveUp))));
            var agent = new LinkAgent(settings, api, Console.Out, TimeProvider.System);
            if (r.GetValue(once))
            {
                await agent.PassAsync(ct);
                return 0;
            }

            Console.WriteLine($"連携アプリ: {settings.RequestDirectory} を監視しています（終了は Ctrl+C）。");
            try
            {
                await agent.RunAsync(ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }

    private static string? Read(string? file) => file is null ? null : File.ReadAllText(file).Trim();
}
