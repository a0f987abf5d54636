using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Onshi.Cli.Link;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>
/// The bad-input corpus as request files of the 連携アプリ: hostile XML (external entities, entity expansion, broken, wrongly
/// encoded, huge) and every <see cref="BadInput"/> value in every field of a lookup. Each file is answered exactly once — a result
/// file (the system's message, <c>SegmentOfResult</c> 9 for a refusal) or <c>.err</c> — nothing is left behind, nothing crashes,
/// and no refused request is kept as a 資格確認結果.
/// </summary>
public sealed class LinkCorpusTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    static LinkCorpusTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task HostileAndBrokenRequestFiles_AreEachAnsweredOnce_AndChangeNothing(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        var root = Directory.CreateTempSubdirectory("onshi-link-corpus-").FullName;
        var req = Path.Combine(root, "req");
        var res = Path.Combine(root, "res");
        Directory.CreateDirectory(req);
        var app = server.Account("app");
        using var terminal = X509CertificateLoader.LoadPkcs12FromFile(server.Demo.Terminal.Pfx, server.Demo.Terminal.Passphrase);
        using var api = new LinkApiClient(server.BaseAddress, server.CaCertificate, terminal, app.UserId, app.Password, TimeSpan.FromSeconds(30));
        var log = new StringWriter();
        var agent = new LinkAgent(new LinkSettings(req, res, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(2)), api, log, TimeProvider.System);
        var code = server.Demo.Institution.Code;
        var secretPath = Path.Combine(root, "secret.txt");
        await File.WriteAllTextAsync(secretPath, "SECRET-CONTENT", TestContext.Current.CancellationToken);

        var files = new List<(string Name, byte[] Bytes)>
        {
            ("XXEFILEAAAAA", Encoding.UTF8.GetBytes($"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file://{secretPath}\">]><XmlMsg><MessageHeader><MedicalInstitutionCode>&e;</MedicalInstitutionCode></MessageHeader></XmlMsg>")),
            ("LAUGHSAAAAAA", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><XmlMsg>&c;</XmlMsg>")),
            ("NOTXMLAAAAAA", Encoding.UTF8.GetBytes("this is not xml")),
            ("EMPTYAAAAAAA", []),
            ("WRONGROOTAAA", Encoding.UTF8.GetBytes("<Other><MessageHeader/></Other>")),
            ("BADSJISAAAAA", [.. Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>"), 0x81, 0xFF, 0xFC, .. Encoding.ASCII.GetBytes("</MedicalInstitutionCode></MessageHeader></XmlMsg>")]),
            ("UTF16AAAAAAA", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-16\"?><XmlMsg><MessageHeader/></XmlMsg>")).ToArray()),
            ("NESTEDAAAAAA", Encoding.UTF8.GetBytes("<XmlMsg>" + string.Concat(Enumerable.Repeat("<a>", 5000)) + string.Concat(Enumerable.Repeat("</a>", 5000)) + "</XmlMsg>")),
        };
        var i = 0;
        foreach (var value in BadInput.Values.Where(v => v.Text is not null && v.Text.Length < 100_000))
        {
            foreach (var field in new[] { "MedicalInstitutionCode", "InsurerNumber", "InsuredIdentificationNumber", "Birthdate", "ArbitraryIdentifier" })
            {
                var text = SecurityElement.Escape(value.Text!);
                var header = field == "MedicalInstitutionCode" ? text : code;
                string Field(string name, string normal) => name == field ? text : normal;
                var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{header}</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo>"
                    + $"<InsurerNumber>{Field("InsurerNumber", "33120015")}</InsurerNumber><InsuredIdentificationNumber>{Field("InsuredIdentificationNumber", "1")}</InsuredIdentificationNumber>"
                    + $"<Birthdate>{Field("Birthdate", "19800101")}</Birthdate><ArbitraryIdentifier>{Field("ArbitraryIdentifier", "x")}</ArbitraryIdentifier></QualificationConfirmSearchInfo></MessageBody></XmlMsg>";
                files.Add(($"V{i++:D11}", Encoding.UTF8.GetBytes(xml)));
            }
        }

        foreach (var (id, bytes) in files)
        {
            var path = Path.Combine(req, $"OQSsiquc01req_{id}.xml");
            await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        }

        var lookups = await server.WithDbAsync(db => db.QualificationResults.CountAsync());
        // A request the system could not answer at once (a connection cut, a 503) waits for the next pass, as on a terminal.
        var outcomes = new List<LinkOutcome>();
        for (var pass = 0; pass < 20 && outcomes.Count < files.Count; pass++)
        {
            outcomes.AddRange(await agent.PassAsync(TestContext.Current.CancellationToken));
            if (outcomes.Count < files.Count)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }

        outcomes.Select(o => o.RequestFile).Distinct().Count().ShouldBe(files.Count, log.ToString());
        outcomes.Count.ShouldBe(files.Count);
        foreach (var (id, _) in files)
        {
            var result = Path.Combine(res, $"OQSsiquc01res_{id}.xml");
            var error = Path.Combine(res, $"OQSsiquc01req_{id}.err");
            (File.Exists(result) ^ File.Exists(error)).ShouldBeTrue(id);
            if (File.Exists(result))
            {
                var text = await File.ReadAllTextAsync(result, TestContext.Current.CancellationToken);
                text.ShouldNotContain("SECRET-CONTENT");
            }
        }

        File.ReadAllText(Path.Combine(res, "OQSsiquc01req_XXEFILEAAAAA.err")).ShouldNotContain("SECRET-CONTENT");
        Directory.EnumerateFiles(req, "OQS*").ShouldBeEmpty();
        Directory.EnumerateFiles(Path.Combine(req, ".onshi-link")).ShouldBeEmpty();

        // Only a request every field of which is acceptable is looked up: a script in ArbitraryIdentifier is echoed as text.
        var added = await server.WithDbAsync(db => db.QualificationResults.CountAsync()) - lookups;
        added.ShouldBeLessThanOrEqualTo(BadInput.Values.Count);
        TestContext.Current.SendDiagnosticMessage($"LinkCorpus ({provider}): {files.Count} files, {added} looked up");
        Directory.Delete(root, recursive: true);
    }
}
