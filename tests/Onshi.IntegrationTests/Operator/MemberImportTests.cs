using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

#pragma warning disable CA1716 // "Operator" is a VB keyword; the folder mirrors src/Onshi.Operator.
namespace Onshi.IntegrationTests.Operator;

/// <summary>加入者データ取込 through the real console and its worker, on each database.</summary>
public abstract class MemberImportTests(string provider) : IAsyncLifetime
{
    private static readonly string SamplesDirectory = FindSamples();
    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public static string Sample(string name) => Path.Combine(SamplesDirectory, name);

    [Fact]
    public async Task Supervisor_ImportsSample_RowsFoundByLookup_ShiftJisReimportReplaces_Audited()
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);
        var home = await client.GetAsync("/");
        home.Q("a[href='/MemberImport']").ShouldNotBeNull();

        var detail = await UploadAsync(client, "members-sample.csv", await File.ReadAllBytesAsync(Sample("members-sample.csv")));
        detail.Path.ShouldStartWith("/MemberImport/Detail/");
        var first = await WaitAsync(ImportId(detail));
        first.Status.ShouldBe(MemberImportStatus.Completed);
        first.Encoding.ShouldBe(MemberImportEncoding.Utf8);
        (first.TotalRows, first.InsertedRows, first.UpdatedRows, first.InsurersAdded).ShouldBe((6, 6, 0, 3));
        (await client.GetAsync($"/MemberImport/Detail/{first.Id}")).Q("[data-testid=import-status]")!.TextContent.ShouldContain("取込が完了しました");

        // The rows answer the 資格確認 lookup like any member: 有効, and 無効（新しい資格あり） for the job change.
        var takahashi = await LookupAsync(new LookupInput("06271506", "サンプル1", "1001", "00", "19800401", null, false));
        takahashi.Verdict.Validity.ShouldBe(QualificationValidity.Valid);
        takahashi.Qualification!.Name.ShouldBe("髙橋 一郎");
        takahashi.InsurerName.ShouldBe("サンプル健康保険組合");
        (await LookupAsync(new LookupInput("270900", null, "2001", "00", "19541010", null, false))).Verdict.Validity
            .ShouldBe(QualificationValidity.InvalidNewerExists);

        // The same members in Shift_JIS (髙 and 﨑 are CP932): recognised, and replacing rather than adding.
        var again = await WaitAsync(ImportId(await UploadAsync(client, "members-sample-sjis.csv", await File.ReadAllBytesAsync(Sample("members-sample-sjis.csv")))));
        again.Status.ShouldBe(MemberImportStatus.Completed);
        again.Encoding.ShouldBe(MemberImportEncoding.ShiftJis);
        (again.InsertedRows, again.UpdatedRows, again.InsurersAdded).ShouldBe((0, 6, 0));
        (await server.WithDbAsync(db => db.InsuredQualifications.CountAsync(q => q.PersonId >= 100001 && q.PersonId <= 100005))).ShouldBe(6);
        (await server.WithDbAsync(db => db.InsuredQualifications.AsNoTracking().SingleAsync(q => q.PersonId == 100004 && q.InsurerNumber == "270900"))).Name
            .ShouldBe("山﨑 次郎");
        (await server.WithDbAsync(db => db.MemberImportFiles.CountAsync())).ShouldBe(0);

        var audit = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action.StartsWith("member.import")).OrderBy(a => a.Id).ToListAsync());
        audit.Select(a => a.Action).ShouldBe([MemberImportAuditActions.Accept, MemberImportAuditActions.Complete, MemberImportAuditActions.Accept, MemberImportAuditActions.Complete]);
        audit.ShouldAllBe(a => a.Actor == "op:op-supervisor");
        audit[1].Detail.ShouldBe("rows=6,inserted=6,updated=0");
        audit.ShouldAllBe(a => !a.Detail.Contains("髙橋", StringComparison.Ordinal) && !a.Target.Contains("1001", StringComparison.Ordinal));
        (await server.WithServicesAsync(async sp => await AuditLog.VerifyAsync(sp.GetRequiredService<OnshiDbContext>()))).ShouldBeNull();
    }

    [Fact]
    public async Task FileWithBadRows_AppliesNothing_OffersTheErrorReport()
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);
        var lines = (await File.ReadAllTextAsync(Sample("members-sample.csv"))).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        lines[2] = lines[2].Replace("1982/07/15", "1982/02/30", StringComparison.Ordinal); // row 3: no such day
        lines[4] = lines[4].Replace(",270900,", ",270901,", StringComparison.Ordinal); // row 5: 検証番号
        lines.Add("100009,06271506,,01,サンプル1,1001,00,1,,重複 行,,ジュウフク ギョウ,,1,1980/04/01,,,2015/04/01,,,,,,030,,,,"); // row 8: same as row 2
        var bytes = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");

        var import = await WaitAsync(ImportId(await UploadAsync(client, "bad.csv", bytes)));
        import.Status.ShouldBe(MemberImportStatus.Refused);
        (import.ErrorRows, import.ErrorCount).ShouldBe((3, 3));
        (await server.WithDbAsync(db => db.InsuredQualifications.CountAsync(q => q.PersonId < 1_000_000))).ShouldBe(0);
        (await server.WithDbAsync(db => db.Insurers.CountAsync(i => i.Name.StartsWith("サンプル")))).ShouldBe(0);

        var page = await client.GetAsync($"/MemberImport/Detail/{import.Id}");
        page.Q("[data-testid=import-status]")!.TextContent.ShouldContain("取り込んでいません");
        var link = page.Q("a[data-testid=report]")!.GetAttribute("href")!;
        using var response = await client.Http.GetAsync(link);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var report = await response.Content.ReadAsByteArrayAsync();
        report.Take(3).ShouldBe(Encoding.UTF8.GetPreamble());
        var text = Encoding.UTF8.GetString(report, 3, report.Length - 3);
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldBe("行番号,列,内容");
        rows[1].ShouldStartWith("3,生年月日（Birthdate）,");
        rows[2].ShouldStartWith("5,保険者番号（InsurerNumber）,");
        rows[2].ShouldContain("検証番号");
        rows[3].ShouldStartWith("8,,2行目と同じ資格");
        text.ShouldNotContain("髙橋"); // the report names the cell, never its value

        var audit = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action.StartsWith("member.import")).OrderBy(a => a.Id).ToListAsync());
        audit.Select(a => a.Action).ShouldBe([MemberImportAuditActions.Accept, MemberImportAuditActions.Refuse, MemberImportAuditActions.ReportDownload]);
        audit[1].Detail.ShouldBe("rows=7,errors=3");
        audit[1].Outcome.ShouldBe(AuditOutcomes.Failure);
    }

    [Fact]
    public async Task BadUploads_GetJapaneseMessages_AndStoreNothing()
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);
        var sample = await File.ReadAllBytesAsync(Sample("members-sample.csv"));
        var sjis = await File.ReadAllBytesAsync(Sample("members-sample-sjis.csv"));
        async Task Refused(string fileName, byte[]? bytes, string message, string encoding = "auto")
        {
            var page = await UploadAsync(client, fileName, bytes, encoding);
            page.Path.ShouldBe("/MemberImport");
            page.Status.ShouldBe(HttpStatusCode.OK);
            page.Errors.ShouldContain(e => e.Contains(message, StringComparison.Ordinal), fileName + ": " + string.Join(" / ", page.Errors));
        }

        await Refused("none.csv", null, "CSV ファイルを選択してください");
        await Refused("empty.csv", [], "ファイルが空です");
        await Refused("members.xlsx", sample, "拡張子 .csv");
        await Refused("binary.csv", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00], "CSV ファイルではありません");
        await Refused("sjis-as-utf8.csv", sjis, "UTF-8 として読めないバイトがあります", "utf-8");
        await Refused("forged.csv", sample, "文字コードを", "ebcdic");
        await Refused("no-header.csv", Encoding.UTF8.GetBytes("100001,06271506,x\r\n"), "1行目に見出し行がありません");
        await Refused("missing.csv", Encoding.UTF8.GetBytes("PersonKey,保険者番号,番号,Unknown\r\n1,2,3,4\r\n"), "必須の列「生年月日（Birthdate）」が見出し行にありません");
        await Refused("unknown.csv", Encoding.UTF8.GetBytes("PersonKey,保険者番号,番号,Unknown\r\n1,2,3,4\r\n"), "4列目「Unknown」は取込できる列名ではありません");
        await Refused("header-only.csv", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(sample).Split("\r\n")[0] + "\r\n"), "加入者の行がありません");

        (await server.WithDbAsync(db => db.MemberImports.CountAsync())).ShouldBe(0);
        (await server.WithDbAsync(db => db.BackgroundJobs.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task OverTheSizeLimit_IsRefusedWithTheLimit()
    {
        await using var small = await OperatorServer.StartAsync(provider, services =>
            services.Configure<MemberImportOptions>(o => o.MaxFileBytes = 2048));
        var (userId, password) = await small.ReadyOperatorAsync(OperatorRole.Supervisor);
        using var client = small.Client();
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        var page = await UploadAsync(client, "big.csv", new byte[4096]);
        page.Errors.ShouldContain(e => e.Contains("ファイルが大きすぎます（上限 2 KB）", StringComparison.Ordinal));
        (await small.WithDbAsync(db => db.MemberImports.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task OtherRoles_Get403_DenialsAudited_NoMenuEntry()
    {
        foreach (var role in new[] { OperatorRole.Reviewer, OperatorRole.CallCenter })
        {
            using var client = await SignedInAsync(role);
            (await client.GetAsync("/")).Q("a[href='/MemberImport']").ShouldBeNull();
            (await client.GetAsync("/MemberImport")).Status.ShouldBe(HttpStatusCode.Forbidden);
            (await UploadAsync(client, "members-sample.csv", await File.ReadAllBytesAsync(Sample("members-sample.csv")), path: "/MemberImport"))
                .Status.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await server.WithDbAsync(db => db.MemberImports.CountAsync())).ShouldBe(0);
        var denials = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == OperatorAuditActions.AccessDenied).ToListAsync());
        denials.ShouldContain(a => a.Actor == "op:op-reviewer" && a.Target == "/MemberImport");
        denials.ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target == "/MemberImport");
    }

    [Fact]
    public async Task TwoInstances_ClaimAJobOnce_AndAnExpiredLeaseMovesOn()
    {
        var jobId = await server.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<OnshiDbContext>();
            var job = sp.GetRequiredService<BackgroundJobStore>().Enqueue("test-kind", 42);
            await db.SaveChangesAsync();
            return job.Id;
        });

        // Two "instances" race for it many times over: one claim in all.
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => server.WithServicesAsync(sp =>
            sp.GetRequiredService<BackgroundJobStore>().ClaimAsync("test-kind", i % 2 == 0 ? "instance-a" : "instance-b", CancellationToken.None))));
        var won = claims.Where(c => c is not null).ShouldHaveSingleItem()!;
        (won.JobId, won.PayloadId, won.Attempt).ShouldBe((jobId, 42L, 1));

        // The holder dies: once its lease has run out, the other claims it, and the dead run can no longer end it.
        await server.WithDbAsync(db => db.BackgroundJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, DateTime.UtcNow.AddHours(-1))));
        var other = won.Owner == "instance-a" ? "instance-b" : "instance-a";
        var again = (await server.WithServicesAsync(sp => sp.GetRequiredService<BackgroundJobStore>().ClaimAsync("test-kind", other, CancellationToken.None))).ShouldNotBeNull();
        again.Attempt.ShouldBe(2);
        (await server.WithServicesAsync(sp => sp.GetRequiredService<BackgroundJobStore>().CompleteAsync(won, CancellationToken.None))).ShouldBeFalse();
        (await server.WithServicesAsync(sp => sp.GetRequiredService<BackgroundJobStore>().RenewAsync(won, CancellationToken.None))).ShouldBeFalse();
        (await server.WithServicesAsync(sp => sp.GetRequiredService<BackgroundJobStore>().CompleteAsync(again, CancellationToken.None))).ShouldBeTrue();
        (await server.WithDbAsync(db => db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == jobId))).Status.ShouldBe(BackgroundJobStatus.Succeeded);
        (await server.WithServicesAsync(sp => sp.GetRequiredService<BackgroundJobStore>().ClaimAsync("test-kind", other, CancellationToken.None))).ShouldBeNull();
    }

    private async Task<OqsClient> SignedInAsync(OperatorRole role)
    {
        var (userId, password) = await server.ReadyOperatorAsync(role);
        var client = server.Client();
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        return client;
    }

    /// <summary>Uploads like the form: the page's antiforgery token, the file (or none) and the 文字コード.</summary>
    public static async Task<OqsPage> UploadAsync(OqsClient client, string fileName, byte[]? bytes, string encoding = "auto", string path = "/MemberImport")
    {
        ArgumentNullException.ThrowIfNull(client);
        var form = await client.GetAsync("/");
        var token = form.Q("input[name=__af]")?.GetAttribute("value") ?? "";
        using var content = new MultipartFormDataContent { { new StringContent(token), "__af" }, { new StringContent(encoding), "Input.Encoding" } };
        var file = new ByteArrayContent(bytes ?? []);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        content.Add(file, "Input.File", bytes is null ? "\"\"" : fileName);
        return await client.PostMultipartAsync(path, content);
    }

    public static long ImportId(OqsPage detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        detail.Path.ShouldStartWith("/MemberImport/Detail/", Case.Sensitive, string.Join(" / ", detail.Errors));
        return long.Parse(detail.Path.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<MemberImport> WaitAsync(long id)
    {
        for (var i = 0; i < 600; i++)
        {
            var import = await server.WithDbAsync(db => db.MemberImports.AsNoTracking().SingleAsync(x => x.Id == id));
            if (!MemberImportLabels.InProgress(import.Status))
            {
                return import;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Import {id} did not finish.");
    }

    private async Task<LookupOutcome> LookupAsync(LookupInput input)
    {
        var actor = await server.WithDbAsync(async db =>
        {
            var a = await db.Accounts.AsNoTracking().Include(x => x.Institution).FirstAsync(x => x.Kind == AccountKind.General);
            return new ActorContext(new SessionPrincipal(1, "k", a.Id, a.UserId, a.DisplayName, a.Kind, a.InstitutionId, a.Institution!.Code,
                a.Institution.Name, a.Environment, false, false, DateTime.UtcNow), "", "127.0.0.1");
        });
        var result = await server.WithServicesAsync(sp => sp.GetRequiredService<QualificationLookupService>().LookupAsync(actor, input, LookupChannel.Screen));
        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Value!;
    }

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var samples = Path.Combine(dir.FullName, "docs", "samples");
            if (File.Exists(Path.Combine(samples, "members-sample.csv")))
            {
                return samples;
            }
        }

        throw new InvalidOperationException("docs/samples not found above " + AppContext.BaseDirectory);
    }
}

public sealed class MemberImportTestsSqlite() : MemberImportTests(TestDatabase.Sqlite);

public sealed class MemberImportTestsPostgres() : MemberImportTests(TestDatabase.Postgres);
