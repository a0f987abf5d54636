using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Onshi.Cli.Commands;
using Onshi.Cli.Link;
using Onshi.Cli.Seeding;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Api;

/// <summary>
/// <c>onshi link</c> (the 連携アプリ) driven with real files against the real OQS on both databases: single and bulk requests in
/// UTF-8 and Shift_JIS answered in the encoding asked for, broken files and unreachable systems answered with .err, and — across
/// a restart at each step — no request lost and none answered twice; its log holds no patient data and no secret.
/// </summary>
public sealed class LinkAgentTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    static LinkAgentTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SingleAndBulkRequests_InBothEncodings_AreAnsweredInTheEncodingAskedFor(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var folders = new Folders();
        var log = new StringWriter();
        using var api = Api(server);
        var agent = Agent(folders, api, log);
        var code = server.Demo.Institution.Code;
        var yoshida = server.Demo.Insured.Single(e => e.Name.Contains("𠮷", StringComparison.Ordinal));
        var yamada = server.Demo.Insured[0];

        folders.Write("OQSsiquc01req_UTF8AAAAAAAA.xml", Single(code, yoshida, characterCode: null), Encoding.UTF8, "UTF-8");
        folders.Write("OQSsiquc01req_SJISAAAAAAAA.xml", Single(code, yoshida, characterCode: null), ShiftJis, "Shift_JIS");
        folders.Write("OQSsiquc01req_SJISTOUTF8AA.xml", Single(code, yamada, characterCode: "0"), ShiftJis, "Shift_JIS");
        folders.Write("README.txt", "not a request", Encoding.UTF8, null);
        var outcomes = await agent.PassAsync(CancellationToken.None);
        outcomes.Count.ShouldBe(3);

        var utf8 = folders.Result("OQSsiquc01res_UTF8AAAAAAAA.xml");
        utf8.Text.ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>");
        utf8.Header("CharacterCodeIdentifier").ShouldBe("0");
        utf8.Header("SegmentOfResult").ShouldBe("1");
        utf8.Doc.Descendants("Name").Single().Value.ShouldBe("𠮷田　トメ");

        var sjis = folders.Result("OQSsiquc01res_SJISAAAAAAAA.xml", ShiftJis);
        sjis.Text.ShouldStartWith("<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>");
        sjis.Header("CharacterCodeIdentifier").ShouldBe("1");
        // 𠮷 is not in Shift_JIS: a character reference, never a replacement mark.
        sjis.Text.ShouldContain("&#x20BB7;");
        sjis.Text.ShouldNotContain("?田");
        sjis.Doc.Descendants("Name").Single().Value.ShouldBe("𠮷田　トメ");
        sjis.Doc.Descendants("InsurerName").Single().Value.ShouldNotBeNullOrEmpty();

        folders.Result("OQSsiquc01res_SJISTOUTF8AA.xml").Header("CharacterCodeIdentifier").ShouldBe("0");
        File.Exists(Path.Combine(folders.Req, "README.txt")).ShouldBeTrue();
        Directory.EnumerateFiles(folders.Req, "OQS*").ShouldBeEmpty();
        Directory.EnumerateFiles(Path.Combine(folders.Req, ".onshi-link")).ShouldBeEmpty();

        // 一括照会: accepted (01), then asked for (02) until it is no longer 処理中.
        var patients = string.Concat(server.Demo.Insured.Select(Search));
        folders.Write("OQSmuquc01req_BULKAAAAAAAA.xml",
            $"<XmlMsg><MessageHeader><MedicalInstitutionCode>{code}</MedicalInstitutionCode></MessageHeader><MessageBody>{patients}</MessageBody></XmlMsg>",
            ShiftJis, "Shift_JIS");
        await agent.PassAsync(CancellationToken.None);
        var accepted = folders.Result("OQSmuquc01res_BULKAAAAAAAA.xml", ShiftJis);
        accepted.Header("SegmentOfResult").ShouldBe("2");
        var reception = accepted.Doc.Descendants("ReceptionNumber").Single().Value;
        Result? done = null;
        for (var i = 0; i < 300 && done is null; i++)
        {
            var name = $"OQSmuquc02req_POLL{i:D8}.xml";
            folders.Write(name, $"<XmlMsg><MessageHeader><MedicalInstitutionCode>{code}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{reception}</ReceptionNumber></MessageBody></XmlMsg>",
                Encoding.UTF8, "UTF-8");
            await agent.PassAsync(CancellationToken.None);
            var answer = folders.Result(name.Replace("req", "res", StringComparison.Ordinal));
            if (answer.Header("SegmentOfResult") == "1")
            {
                done = answer;
            }
            else
            {
                await Task.Delay(100);
            }
        }

        done.ShouldNotBeNull();
        done.Doc.Descendants("BulkConfirmUnit").Count().ShouldBe(server.Demo.Insured.Count);
        done.Doc.Descendants("BulkConfirmUnit").Select(u => u.Element("QualificationValidity")!.Value)
            .ShouldBe(server.Demo.Insured.Select(e => e.Validity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        done.Header("NumberOfProcessingResult").ShouldBe(server.Demo.Insured.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Lookups are kept as the 連携アプリ's; the log names files and codes only.
        (await server.WithDbAsync(db => db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.LinkApp))).ShouldBe(3);
        var text = log.ToString();
        text.ShouldContain("OQSsiquc01req_UTF8AAAAAAAA.xml → OQSsiquc01res_UTF8AAAAAAAA.xml");
        foreach (var e in server.Demo.Insured)
        {
            text.ShouldNotContain(e.Number);
            text.ShouldNotContain(e.Name.Split('　')[0]);
        }

        text.ShouldNotContain(server.Account("app").Password);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AcrossRestarts_NoRequestIsLost_AndNoneIsAnsweredTwice(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var folders = new Folders();
        using var api = Api(server);
        var code = server.Demo.Institution.Code;
        var patient = server.Demo.Insured[0];
        var work = Path.Combine(folders.Req, ".onshi-link");

        // Killed after taking the request, before asking: the next run asks once and answers.
        Directory.CreateDirectory(work);
        folders.Write(Path.Combine(".onshi-link", "OQSsiquc01req_TAKENAAAAAAA.xml"), Single(code, patient, null), Encoding.UTF8, "UTF-8");
        (await Agent(folders, api, TextWriter.Null).PassAsync(CancellationToken.None)).Count.ShouldBe(1);
        folders.Result("OQSsiquc01res_TAKENAAAAAAA.xml").Header("SegmentOfResult").ShouldBe("1");
        var lookups = await server.WithDbAsync(db => db.QualificationResults.CountAsync());
        lookups.ShouldBe(1);

        // Killed after the answer was saved, before the result was written: delivered without asking again.
        folders.Write(Path.Combine(".onshi-link", "OQSsiquc01req_ANSWEREDAAAA.xml"), Single(code, patient, null), Encoding.UTF8, "UTF-8");
        File.Copy(Path.Combine(folders.Res, "OQSsiquc01res_TAKENAAAAAAA.xml"), Path.Combine(work, "OQSsiquc01req_ANSWEREDAAAA.xml.answer"));
        await Agent(folders, api, TextWriter.Null).PassAsync(CancellationToken.None);
        File.Exists(Path.Combine(folders.Res, "OQSsiquc01res_ANSWEREDAAAA.xml")).ShouldBeTrue();
        (await server.WithDbAsync(db => db.QualificationResults.CountAsync())).ShouldBe(lookups);

        // Killed after the result was written, before cleaning up: the result is not written a second time.
        folders.Write(Path.Combine(".onshi-link", "OQSsiquc01req_DELIVEREDAA.xml"), Single(code, patient, null), Encoding.UTF8, "UTF-8");
        File.Copy(Path.Combine(folders.Res, "OQSsiquc01res_TAKENAAAAAAA.xml"), Path.Combine(work, "OQSsiquc01req_DELIVEREDAA.xml.answer"));
        File.WriteAllText(Path.Combine(folders.Res, "OQSsiquc01res_DELIVEREDAA.xml"), "already delivered");
        await Agent(folders, api, TextWriter.Null).PassAsync(CancellationToken.None);
        File.ReadAllText(Path.Combine(folders.Res, "OQSsiquc01res_DELIVEREDAA.xml")).ShouldBe("already delivered");
        (await server.WithDbAsync(db => db.QualificationResults.CountAsync())).ShouldBe(lookups);
        Directory.EnumerateFiles(work).ShouldBeEmpty();

        // A broken file: .err at once (it is older than the wait for a file still being written).
        folders.Write("OQSsiquc01req_BROKENAAAAAA.xml", "<XmlMsg><MessageHeader>", Encoding.UTF8, "UTF-8");
        File.SetLastWriteTimeUtc(Path.Combine(folders.Req, "OQSsiquc01req_BROKENAAAAAA.xml"), DateTime.UtcNow.AddMinutes(-1));
        folders.Write("OQSsiquc01req_NOBODYAAAAAA.xml", $"<XmlMsg><MessageHeader><MedicalInstitutionCode>{code}</MedicalInstitutionCode></MessageHeader><MessageBody/></XmlMsg>",
            Encoding.UTF8, "UTF-8");
        await Agent(folders, api, TextWriter.Null).PassAsync(CancellationToken.None);
        File.ReadAllText(Path.Combine(folders.Res, "OQSsiquc01req_BROKENAAAAAA.err")).ShouldContain("XML");
        File.ReadAllText(Path.Combine(folders.Res, "OQSsiquc01req_NOBODYAAAAAA.err")).ShouldContain("MessageBody");

        // The system unreachable: the request waits, then is answered with .err; a wrong secret is answered with .err at once.
        using (var nowhere = new LinkApiClient(new Uri("https://127.0.0.1:9"), server.CaCertificate, Terminal(server), "X", "Y", TimeSpan.FromSeconds(5)))
        {
            folders.Write("OQSsiquc01req_DOWNAAAAAAAA.xml", Single(code, patient, null), Encoding.UTF8, "UTF-8");
            var patient1 = new LinkAgent(new LinkSettings(folders.Req, folders.Res, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5)), nowhere, TextWriter.Null, TimeProvider.System);
            (await patient1.PassAsync(CancellationToken.None)).ShouldBeEmpty();
            File.Exists(Path.Combine(work, "OQSsiquc01req_DOWNAAAAAAAA.xml")).ShouldBeTrue();
            var impatient = new LinkAgent(new LinkSettings(folders.Req, folders.Res, TimeSpan.FromMilliseconds(50), TimeSpan.Zero), nowhere, TextWriter.Null, TimeProvider.System);
            await impatient.PassAsync(CancellationToken.None);
            File.ReadAllText(Path.Combine(folders.Res, "OQSsiquc01req_DOWNAAAAAAAA.err")).ShouldContain("接続できません");
        }

        using (var wrong = new LinkApiClient(server.BaseAddress, server.CaCertificate, Terminal(server), server.Account("app").UserId, "wrong-secret-123456",
            TimeSpan.FromSeconds(30)))
        {
            folders.Write("OQSsiquc01req_WRONGAAAAAAA.xml", Single(code, patient, null), Encoding.UTF8, "UTF-8");
            await Agent(folders, wrong, TextWriter.Null).PassAsync(CancellationToken.None);
            File.ReadAllText(Path.Combine(folders.Res, "OQSsiquc01req_WRONGAAAAAAA.err")).ShouldContain("認証に失敗しました");
        }
    }

    private static Encoding ShiftJis => Encoding.GetEncoding("shift_jis");

    private static LinkAgent Agent(Folders folders, LinkApiClient api, TextWriter log) =>
        new(new LinkSettings(folders.Req, folders.Res, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(2)), api, log, TimeProvider.System);

    private static X509Certificate2 Terminal(OqsServer server) => X509CertificateLoader.LoadPkcs12FromFile(server.Demo.Terminal.Pfx, server.Demo.Terminal.Passphrase);

    private static LinkApiClient Api(OqsServer server)
    {
        var app = server.Account("app");
        return new LinkApiClient(server.BaseAddress, server.CaCertificate, Terminal(server), app.UserId, app.Password, TimeSpan.FromSeconds(30));
    }

    private static string Single(string code, DemoInsuredEntry e, string? characterCode) =>
        $"<XmlMsg><MessageHeader><QualificationConfirmationDate></QualificationConfirmationDate><MedicalInstitutionCode>{code}</MedicalInstitutionCode>"
        + (characterCode is null ? "" : $"<CharacterCodeIdentifier>{characterCode}</CharacterCodeIdentifier>")
        + $"<ArbitraryFileIdentifier>F1</ArbitraryFileIdentifier></MessageHeader><MessageBody>{Search(e)}</MessageBody></XmlMsg>";

    private static string Search(DemoInsuredEntry e) =>
        "<QualificationConfirmSearchInfo>"
        + $"<InsurerNumber>{e.InsurerNumber}</InsurerNumber>"
        + (string.IsNullOrEmpty(e.Symbol) ? "" : $"<InsuredCardSymbol>{e.Symbol}</InsuredCardSymbol>")
        + $"<InsuredIdentificationNumber>{e.Number}</InsuredIdentificationNumber>"
        + (e.Branch is null ? "" : $"<InsuredBranchNumber>{e.Branch}</InsuredBranchNumber>")
        + $"<Birthdate>{e.Birthdate.Replace("-", "", StringComparison.Ordinal)}</Birthdate>"
        + "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"
        + "</QualificationConfirmSearchInfo>";

    private sealed record Result(string Text, XDocument Doc)
    {
        public string? Header(string name) => Doc.Root?.Element("MessageHeader")?.Element(name)?.Value;
    }

    private sealed class Folders : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("onshi-link-").FullName;

        public Folders()
        {
            Directory.CreateDirectory(Req);
            Directory.CreateDirectory(Res);
        }

        public string Req => Path.Combine(root, "req");

        public string Res => Path.Combine(root, "res");

        public void Write(string name, string xml, Encoding encoding, string? declared)
        {
            var text = declared is null ? xml : $"<?xml version=\"1.0\" encoding=\"{declared}\" standalone=\"no\"?>\r\n{xml}";
            File.WriteAllBytes(Path.Combine(Req, name), encoding.GetBytes(text));
        }

        public Result Result(string name, Encoding? encoding = null)
        {
            var path = Path.Combine(Res, name);
            File.Exists(path).ShouldBeTrue(name);
            var text = (encoding ?? Encoding.UTF8).GetString(File.ReadAllBytes(path));
            using var stream = File.OpenRead(path);
            return new Result(text, XDocument.Load(stream));
        }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }
}
