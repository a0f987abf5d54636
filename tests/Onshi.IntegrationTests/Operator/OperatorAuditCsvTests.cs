using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

#pragma warning disable CA1716 // "Operator" is a VB keyword; the folder mirrors src/Onshi.Operator.
namespace Onshi.IntegrationTests.Operator;

/// <summary>The console's 操作ログ: Japanese labels, the CSV of the filter (audited), refusals, bad filters; on each database.</summary>
public abstract class OperatorAuditCsvTests(string provider) : IAsyncLifetime
{
    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private async Task<OqsClient> SignedInAsync(OperatorRole role)
    {
        var (userId, password) = await server.ReadyOperatorAsync(role);
        var client = server.Client();
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        return client;
    }

    [Fact]
    public async Task Supervisor_ExportsTheFilter_AsCsv_Audited()
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);
        var code = server.Demo.Institution.Code;
        var page = await client.GetAsync("/Audit?code=" + code);
        page.Q("[data-testid=count]").ShouldNotBeNull().TextContent.ShouldMatch(@"^1~\d+ 件目 / \d+ 件（新しい順）$");
        page.Document.QuerySelectorAll("#Action option").Select(o => o.TextContent).ShouldContain("ログイン（login）");
        page.Document.QuerySelectorAll("[data-testid=audit] tbody tr td:nth-child(4)")[0].TextContent.ShouldNotBeNullOrWhiteSpace();

        var response = await client.Http.GetAsync($"/Audit?handler=Csv&code={code}&action=account.create");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");
        var jstToday = server.Time.GetUtcNow().AddHours(9).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        response.Content.Headers.ContentDisposition!.ToString().ShouldContain("filename*=UTF-8''" + Uri.EscapeDataString($"操作ログ_{code}_{jstToday}.csv"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var records = CsvReader.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        records[0][0].ShouldBe("日時（JST）");
        records.Count.ShouldBeGreaterThan(1);
        records.Skip(1).ShouldAllBe(r => r[1] == code && r[5] == "アカウント登録" && r[6] == AuditActions.AccountCreate);
        var exports = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.AuditExport).ToListAsync());
        exports.ShouldHaveSingleItem().Actor.ShouldBe("op:op-supervisor");
        exports[0].Detail.ShouldBe("rows=" + (records.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OtherRoles_CannotExport_DenialAudited()
    {
        using var reviewer = await SignedInAsync(OperatorRole.Reviewer);

        var page = await reviewer.GetAsync("/Audit?handler=Csv");

        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        var rows = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().ToListAsync());
        rows.ShouldContain(a => a.Action == OperatorAuditActions.AccessDenied && a.Actor == "op:op-reviewer" && a.Target == "/Audit");
        rows.ShouldNotContain(a => a.Action == AuditActions.AuditExport);
    }

    [Theory]
    [InlineData("?from=2026-11-25&to=2026-11-24", "期間の開始日は終了日以前の日付を入力してください。")]
    [InlineData("?from=1900-01-01", "日付は2000-01-01から2099-12-31までの範囲で入力してください。")]
    [InlineData("?actor=a%07b", "操作者に使用できない文字が含まれています。")]
    [InlineData("?code=abc", "医療機関等コードは半角数字10桁以内で入力してください。")]
    [InlineData("?action=nope", "操作は一覧から選択してください。")]
    public async Task BadFilters_Messages_NoCsv(string query, string message)
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);

        var page = await client.GetAsync("/Audit" + query);
        var csv = await client.GetAsync("/Audit" + query + "&handler=Csv");

        page.Errors.ShouldContain(message);
        csv.Status.ShouldBe(HttpStatusCode.OK);
        csv.Errors.ShouldContain(message);
        csv.Q("[aria-invalid=true]").ShouldNotBeNull();
        (await server.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.AuditExport))).ShouldBeFalse();
    }
}

public sealed class OperatorAuditCsvTestsSqlite() : OperatorAuditCsvTests(TestDatabase.Sqlite);

public sealed class OperatorAuditCsvTestsPostgres() : OperatorAuditCsvTests(TestDatabase.Postgres);
