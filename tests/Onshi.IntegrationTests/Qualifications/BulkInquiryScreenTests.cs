using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Onshi.Cli.Seeding;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Qualifications;

/// <summary>
/// 一括照会 on the OQS screens (issue 16) through the real OQS on each database: a CSV in UTF-8 and in Shift_JIS and the
/// <c>OQSmuquc01req</c> XML are accepted, reach 完了, and their results download as <c>OQSmuquc02res</c> XML and as a CSV for
/// people with the 資格有効性 demo.json promises and a wrong row answered as エラー; every problem of the file itself is said on
/// the form and accepts nothing; another institution's 受付番号 is 「見つかりません」 and audited.
/// </summary>
public abstract class BulkInquiryScreenTests(SharedOqsServer shared)
{
    private const string Header = "保険者番号,記号,番号,枝番,生年月日,限度額同意";

    private OqsServer Server => shared.Server;

    [Fact]
    public async Task Csv_Utf8AndShiftJis_AndXml_AreAccepted_Complete_AndTheirResultsDownload()
    {
        var insured = Server.Demo.Insured;
        insured.Select(e => e.Validity).Distinct().Order().ShouldBe([1, 2, 3, 4, 5]);
        var general = Server.Account("general");
        using var client = Server.Client(Server.Demo.Terminal);
        (await client.ForceLoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        var menu = await client.GetAsync("/Menu");
        menu.Q("a[href='/Qualifications/Bulk']").ShouldNotBeNull().TextContent.ShouldContain("一括照会");

        // Every demo patient (dates written three ways), one typed with full-width digits, and one with a wrong 検証番号.
        var yamada = insured[0];
        var rows = insured.Select((e, i) => Row(e, i % 3)).ToList();
        rows.Add(string.Join(',', Wide(yamada.InsurerNumber), yamada.Symbol, Wide(yamada.Number), Wide(yamada.Branch!), Wide(yamada.Birthdate), "０"));
        rows.Add(string.Join(',', "01130013", yamada.Symbol, yamada.Number, yamada.Branch, yamada.Birthdate, "0"));
        var csv = Header + "\r\n" + string.Join("\r\n", rows) + "\r\n";
        var expected = insured.Select(e => (int?)e.Validity).Append(1).Append(null).ToList();

        var utf8 = await UploadAsync(client, "予約_UTF8.csv", Encoding.UTF8.GetBytes(csv));
        var sjis = await UploadAsync(client, "予約_SJIS.csv", MemberFileEncoding.ShiftJis.GetBytes(csv));
        foreach (var (reception, name) in new[] { (utf8, "予約_UTF8.csv"), (sjis, "予約_SJIS.csv") })
        {
            var detail = await WaitForCompletedAsync(client, reception);
            detail.Text.ShouldContain($"正常 {expected.Count - 1}人・エラー 1人");
            detail.Text.ShouldContain(name);
            await CheckXmlAsync(client, reception, expected, [.. insured.Select(e => e.Name).Append(yamada.Name).Append("")]);
            await CheckCsvAsync(client, reception, expected, insured);
        }

        // The request message itself, in Shift_JIS as reception software writes it; its 確認日 and file identifier are kept.
        var date = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9)).AddDays(-1);
        var xml = RequestXml(Server.Demo.Institution.Code, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture), insured);
        var fromXml = await UploadAsync(client, "OQSmuquc01req_000000000001.xml", MemberFileEncoding.ShiftJis.GetBytes(xml));
        var xmlDetail = await WaitForCompletedAsync(client, fromXml);
        xmlDetail.Text.ShouldContain(date.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture));
        var answer = await CheckXmlAsync(client, fromXml, [.. insured.Select(e => (int?)e.Validity)], [.. insured.Select(e => e.Name)]);
        answer.Root!.Element("MessageHeader")!.Element("ArbitraryFileIdentifier")!.Value.ShouldBe("FILE-0001");
        answer.Root.Element("MessageHeader")!.Element("QualificationConfirmationDate")!.Value.ShouldBe(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

        // The list shows the three, newest first, with their counts; each download was audited once, viewing never.
        var list = await client.GetAsync("/Qualifications/Bulk");
        list.Document.QuerySelectorAll("[data-testid=bulk-list] tbody tr").Select(r => r.GetAttribute("data-reception")).Take(3)
            .ShouldBe([fromXml, sjis, utf8]);
        list.Q($"tr[data-reception='{utf8}']").ShouldNotBeNull().TextContent.ShouldContain("完了");
        await Server.WithDbAsync(async db =>
        {
            foreach (var r in new[] { utf8, sjis })
            {
                (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkResult && a.Target == r)).ShouldBe(2);
                (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkAccept && a.Target == r && a.Actor == general.UserId)).ShouldBe(1);
                var inquiry = await db.BulkInquiries.SingleAsync(b => b.ReceptionNumber == r);
                inquiry.Channel.ShouldBe(LookupChannel.Bulk);
                inquiry.Total.ShouldBe(expected.Count);
            }

            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkResult && a.Target == fromXml)).ShouldBe(1);
            return 0;
        });
    }

    [Fact]
    public async Task EveryProblemOfTheFile_IsSaidOnTheForm_NamingNoValue_AndNothingIsAccepted()
    {
        var medical = Server.Account("medical");
        using var client = Server.Client(Server.Demo.Terminal);
        (await client.ForceLoginAsync(medical.UserId, medical.Password)).Path.ShouldBe("/Menu");
        var e = Server.Demo.Insured[0];
        var good = string.Join(',', e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate, "0");
        var tooMany = new StringBuilder(Header + "\r\n");
        for (var i = 0; i <= 10_000; i++)
        {
            tooMany.Append(good).Append("\r\n");
        }

        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("empty.csv", [], "ファイルが空です"),
            ("patients.txt", Encoding.UTF8.GetBytes(Header + "\r\n" + good), "拡張子 .csv"),
            ("picture.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00], "文字ではないデータ"),
            ("no-header.csv", Encoding.UTF8.GetBytes(good + "\r\n"), "1行目に見出し行がありません"),
            ("wrong-header.csv", Encoding.UTF8.GetBytes("保険者番号,記号,被保険者番号,枝番,生年月日\r\n" + good + "\r\n"), "見出し行の3列目は一括照会の列名ではありません"),
            ("header-only.csv", Encoding.UTF8.GetBytes(Header + "\r\n"), "対象者の行がありません"),
            ("quote.csv", Encoding.UTF8.GetBytes(Header + "\r\n" + good + "\r\n\"" + e.InsurerNumber + ",x\r\n"), "3行目: 引用符"),
            ("columns.csv", Encoding.UTF8.GetBytes(Header + "\r\n" + good + "\r\n" + good + ",1\r\n"), "3行目: 列の数が見出し行と違います"),
            ("undecodable.csv", [.. Encoding.ASCII.GetBytes(Header.Length.ToString(CultureInfo.InvariantCulture)), 0x80, 0xFF, 0x81, 0x0A], "文字コードを判別できません"),
            ("too-many.csv", Encoding.UTF8.GetBytes(tooMany.ToString()), "1回あたり10,000人まで"),
            ("too-large.csv", new byte[(int)BulkInquiryFile.MaxFileBytes + 1024], "ファイルが大きすぎます"),
            ("broken.xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<XmlMsg>\n<MessageBody>\n</XmlMsg>"), "XML として読めません（4行目"),
            ("other.xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><Other><MessageBody/></Other>"), "OQSmuquc01req"),
            ("none.xml", Encoding.UTF8.GetBytes("<XmlMsg><MessageHeader/><MessageBody/></XmlMsg>"), "1人もありません"),
            ("euc.xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"EUC-JP\"?><XmlMsg/>"), "UTF-8 または Shift_JIS"),
            ("dtd.xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><!DOCTYPE XmlMsg [<!ENTITY x \"y\">]><XmlMsg>&x;</XmlMsg>"), "XML として読めません"),
            ("other-institution.xml", Encoding.UTF8.GetBytes(RequestXml(Server.Demo.OtherInstitution.Code, "", [e])), "MedicalInstitutionCode"),
        };
        var before = await Server.WithDbAsync(db => db.BulkInquiries.CountAsync());
        foreach (var (name, bytes, expected) in cases)
        {
            var page = await PostFileAsync(client, name, bytes);
            page.Status.ShouldBe(HttpStatusCode.OK, name);
            page.Path.ShouldBe("/Qualifications/Bulk", name);
            page.Errors.ShouldContain(m => m.Contains(expected, StringComparison.Ordinal), $"{name}: {string.Join(" / ", page.Errors)}");
            page.Q("#File[aria-invalid=true]").ShouldNotBeNull(name);
            foreach (var message in page.Errors)
            {
                // Where, never what: no patient's keys in a message.
                message.ShouldNotContain(e.Number, Case.Sensitive, name);
                message.ShouldNotContain(e.InsurerNumber, Case.Sensitive, name);
            }
        }

        // Nothing chosen, and a wrong 確認日 beside a good file.
        var nothing = await PostFileAsync(client, null, null);
        nothing.Errors.ShouldContain("一括照会する CSV ファイルまたは XML ファイルを選択してください。");
        var future = await PostFileAsync(client, "ok.csv", Encoding.UTF8.GetBytes(Header + "\r\n" + good + "\r\n"), "2099-01-01");
        future.Errors.ShouldContain(m => m.Contains("未来の日付", StringComparison.Ordinal));
        future.Q("#QualificationConfirmationDate[aria-invalid=true]").ShouldNotBeNull();

        (await Server.WithDbAsync(db => db.BulkInquiries.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task AnotherInstitutionsReceptionNumber_IsNotFound_AndAudited_AndTheMasterIsDenied()
    {
        var e = Server.Demo.Insured[0];
        var otherAdmin = Server.Account("admin", other: true);
        using var other = Server.Client(Server.Demo.OtherInstitution.Terminal);
        (await other.ForceLoginAsync(otherAdmin.UserId, otherAdmin.Password)).Path.ShouldBe("/Menu");
        var theirs = await UploadAsync(other, "theirs.csv", Encoding.UTF8.GetBytes(Header + "\r\n" + Row(e, 0) + "\r\n"));
        await WaitForCompletedAsync(other, theirs);

        var admin = Server.Account("admin");
        using var client = Server.Client(Server.Demo.Terminal);
        (await client.ForceLoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");
        (await client.GetAsync("/Qualifications/Bulk")).Q($"tr[data-reception='{theirs}']").ShouldBeNull();
        foreach (var path in new[] { $"/Qualifications/Bulk/Detail/{theirs}", $"/Qualifications/Bulk/Detail/{theirs}?handler=Csv", $"/Qualifications/Bulk/Detail/{theirs}?handler=Xml" })
        {
            var page = await client.GetAsync(path);
            page.Status.ShouldBe(HttpStatusCode.NotFound, path);
            page.Errors.ShouldContain("指定された受付番号の一括照会は見つかりません。一括照会の履歴から選んでください。");
            page.Q("[data-testid=bulk-status]").ShouldBeNull();
        }

        await Server.WithDbAsync(async db =>
        {
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied && a.Outcome == AuditOutcomes.Denied && a.Actor == admin.UserId
                && a.Target == theirs)).ShouldBe(3);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkResult && a.Target == theirs)).ShouldBe(0);
            return 0;
        });
        (await client.GetAsync("/Qualifications/Bulk/Detail/0000000000000000")).Status.ShouldBe(HttpStatusCode.NotFound);

        // The master (and the reset account) may not look up: both pages are refused and audited.
        var master = Server.Account("master", other: true);
        using var masterClient = Server.Client(Server.Demo.OtherInstitution.Terminal);
        (await masterClient.ForceLoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        foreach (var path in new[] { "/Qualifications/Bulk", $"/Qualifications/Bulk/Detail/{theirs}", $"/Qualifications/Bulk/Detail/{theirs}?handler=Xml" })
        {
            var page = await masterClient.GetAsync(path);
            page.Status.ShouldBe(HttpStatusCode.Forbidden, path);
            page.Path.ShouldBe("/Denied");
        }

        (await Server.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied && a.Actor == master.UserId
            && a.Target.StartsWith("/Qualifications/Bulk")))).ShouldBe(3);
    }

    private static string Row(DemoInsuredEntry e, int dateStyle)
    {
        var born = DateOnly.ParseExact(e.Birthdate, "yyyyMMdd", CultureInfo.InvariantCulture);
        var date = dateStyle switch
        {
            1 => born.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            2 => born.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture),
            _ => e.Birthdate,
        };
        return string.Join(',', e.InsurerNumber, e.Symbol, e.Number, e.Branch ?? "", date, "1");
    }

    private static string Wide(string ascii) => new([.. ascii.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c)]);

    private static string RequestXml(string institutionCode, string date, IEnumerable<DemoInsuredEntry> patients) =>
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n<XmlMsg><MessageHeader>"
        + $"<QualificationConfirmationDate>{date}</QualificationConfirmationDate><MedicalInstitutionCode>{institutionCode}</MedicalInstitutionCode>"
        + "<ArbitraryFileIdentifier>FILE-0001</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
        + string.Concat(patients.Select(p => "<QualificationConfirmSearchInfo>"
            + $"<InsurerNumber>{p.InsurerNumber}</InsurerNumber><InsuredCardSymbol>{p.Symbol}</InsuredCardSymbol>"
            + $"<InsuredIdentificationNumber>{p.Number}</InsuredIdentificationNumber>"
            + (p.Branch is { } b ? $"<InsuredBranchNumber>{b}</InsuredBranchNumber>" : "")
            + $"<Birthdate>{p.Birthdate}</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>"
            + "</QualificationConfirmSearchInfo>"))
        + "</MessageBody></XmlMsg>\r\n";

    /// <summary>Posts the upload form as a browser does (its token, the file, 確認日) and follows the redirect.</summary>
    private static async Task<OqsPage> PostFileAsync(OqsClient client, string? name, byte[]? bytes, string date = "")
    {
        var form = await client.GetAsync("/Qualifications/Bulk");
        form.H1.ShouldBe("一括照会");
        using var content = new MultipartFormDataContent
        {
            { new StringContent(form.Q("form[data-testid=bulk-form] input[name=__af]").ShouldNotBeNull().GetAttribute("value")!), "__af" },
            { new StringContent(date), "Input.QualificationConfirmationDate" },
        };
        if (name is not null)
        {
            var file = new ByteArrayContent(bytes ?? []);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            content.Add(file, "Input.File", name);
        }
        return await client.PostMultipartAsync("/Qualifications/Bulk", content);
    }

    /// <summary>Uploads a file that must be accepted: its 受付番号 (from the detail page it lands on).</summary>
    private static async Task<string> UploadAsync(OqsClient client, string name, byte[] bytes)
    {
        var page = await PostFileAsync(client, name, bytes);
        page.Errors.ShouldBeEmpty(name);
        page.Path.ShouldStartWith("/Qualifications/Bulk/Detail/", Case.Sensitive, name);
        page.Q("[data-testid=state]").ShouldNotBeNull().TextContent.Trim().ShouldBeOneOf("受付", "処理中", "完了");
        return page.Q("[data-testid=reception-number]").ShouldNotBeNull().TextContent.Trim();
    }

    private static async Task<OqsPage> WaitForCompletedAsync(OqsClient client, string reception)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var page = await client.GetAsync("/Qualifications/Bulk/Detail/" + reception);
            page.Status.ShouldBe(HttpStatusCode.OK);
            var state = page.Q("[data-testid=state]").ShouldNotBeNull().TextContent.Trim();
            if (state == "完了")
            {
                page.Q("#bulk").ShouldNotBeNull().GetAttribute("data-refresh").ShouldBeNullOrEmpty("a finished inquiry stops refreshing");
                return page;
            }

            state.ShouldBeOneOf("受付", "処理中");
            page.Q("#bulk").ShouldNotBeNull().GetAttribute("data-refresh").ShouldBe("2", "a running inquiry refreshes itself");
            page.Document.QuerySelectorAll("a").Select(a => a.TextContent.Trim()).ShouldContain("最新の状態に更新");
            DateTime.UtcNow.ShouldBeLessThan(until, "the 一括照会 did not complete");
            await Task.Delay(100);
        }
    }

    private static async Task<XDocument> CheckXmlAsync(OqsClient client, string reception, List<int?> validity, List<string> names)
    {
        using var response = await client.Http.GetAsync($"/Qualifications/Bulk/Detail/{reception}?handler=Xml");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        response.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe($"OQSmuquc02res_{reception}.xml");
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        xml.Root!.Name.LocalName.ShouldBe("XmlMsg");
        var header = xml.Root.Element("MessageHeader")!;
        header.Element("SegmentOfResult")!.Value.ShouldBe("1");
        header.Element("NumberOfProcessingResult")!.Value.ShouldBe(validity.Count.ToString(CultureInfo.InvariantCulture));
        header.Element("NumberOfError")!.Value.ShouldBe(validity.Count(v => v is null).ToString(CultureInfo.InvariantCulture));
        xml.Root.Element("MessageBody")!.Element("ReceptionNumber")!.Value.ShouldBe(reception);
        var units = xml.Root.Element("MessageBody")!.Elements("BulkConfirmUnit").ToList();
        units.Count.ShouldBe(validity.Count);
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            if (validity[i] is { } v)
            {
                unit.Element("ProcessingResultStatus")!.Value.ShouldBe("1", $"unit {i}");
                unit.Element("QualificationValidity")!.Value.ShouldBe(v.ToString(CultureInfo.InvariantCulture), $"unit {i}");
                if (v is 1 or 2 or 3)
                {
                    unit.Element("ResultOfQualificationConfirmation")!.Element("Name")!.Value.ShouldBe(names[i], $"unit {i}");
                }
            }
            else
            {
                unit.Element("ProcessingResultStatus")!.Value.ShouldBe("2", $"unit {i}");
                unit.Element("ProcessingResultCode")!.Value.ShouldBe("EQ0001");
                unit.Element("ProcessingResultMessage")!.Value.ShouldContain("検証番号");
            }
        }

        return xml;
    }

    private static async Task CheckCsvAsync(OqsClient client, string reception, List<int?> validity, List<DemoInsuredEntry> insured)
    {
        using var response = await client.Http.GetAsync($"/Qualifications/Bulk/Detail/{reception}?handler=Csv");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"一括照会結果_{reception}.csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF }, "UTF-8 with BOM, so that Excel opens it");
        var records = CsvReader.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        records[0].ShouldBe(["行", "保険者番号", "記号", "番号", "枝番", "生年月日", "処理結果", "資格有効性", "氏名", "一部負担金割合", "照会番号", "エラー内容"]);
        records.Count.ShouldBe(validity.Count + 1);
        string[] words = ["", "有効", "無効", "無効（新しい資格あり）", "該当資格なし", "複数該当"];
        for (var i = 0; i < validity.Count; i++)
        {
            var row = records[i + 1];
            row[0].ShouldBe((i + 1).ToString(CultureInfo.InvariantCulture));
            if (validity[i] is { } v)
            {
                row[6].ShouldBe("正常終了");
                row[7].ShouldBe(words[v], $"row {i + 1}");
                row[10].Length.ShouldBe(16);
                row[11].ShouldBe("");
                if (i < insured.Count)
                {
                    row[1].ShouldBe(insured[i].InsurerNumber);
                    row[3].ShouldBe(insured[i].Number);
                    row[5].ShouldBe(DateOnly.ParseExact(insured[i].Birthdate, "yyyyMMdd", CultureInfo.InvariantCulture).ToString("yyyy/MM/dd", CultureInfo.InvariantCulture));
                    if (v == 1)
                    {
                        row[8].ShouldBe(insured[i].Name);
                        row[9].ShouldEndWith("割");
                    }
                }
                else
                {
                    // The full-width row, folded as the lookup form folds it.
                    row[1].ShouldBe(insured[0].InsurerNumber);
                    row[8].ShouldBe(insured[0].Name);
                }
            }
            else
            {
                row[6].ShouldBe("エラー");
                row[7].ShouldBe("");
                row[10].ShouldBe("");
                row[11].ShouldContain("検証番号");
            }
        }
    }
}

public sealed class BulkInquiryScreenTestsSqlite(SharedOqsServerSqlite shared) : BulkInquiryScreenTests(shared), IClassFixture<SharedOqsServerSqlite>;

public sealed class BulkInquiryScreenTestsPostgres(SharedOqsServerPostgres shared) : BulkInquiryScreenTests(shared), IClassFixture<SharedOqsServerPostgres>;
