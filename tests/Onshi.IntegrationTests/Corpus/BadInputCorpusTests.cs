using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.CallCenterDesk;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>
/// The bad-input corpus (docs/security.md "Bad input corpus") against every route, handler and form of the three sites:
/// the full corpus on SQLite, one value of each kind on PostgreSQL. Each test prints its case count.
/// </summary>
public abstract class BadInputCorpusTests(string provider)
{
    private const string NewCode = "1410000018";

    private static readonly string[] ForcedLoginHandlers = ["Force", "Cancel"];

    private static readonly string[] ForgedForcedLoginTokens = ["", "not-a-token", new string('A', 3000)];

    private static readonly string[] NoCertificatePaths = ["/", "/Login", "/Menu", "/Accounts/Detail/1", "/nothing", "/assets/site.css"];

    private bool Sample => provider == TestDatabase.Postgres;

    [Fact]
    public async Task Oqs_EveryRouteAndForm_RefusesBadInput_ChangesNothing()
    {
        // Several sessions of the master at once (the one-time result pages stay open beside the crawl): the one-live-session
        // rule (SPEC §4.8) is off here; ForcedLoginTests cover it.
        await using var server = await OqsServer.StartAsync(provider, s =>
        {
            EveryRefusalAudited(s);
            s.Configure<Onshi.Core.Features.Sessions.SessionOptions>(o => o.OneLiveSessionPerAccount = false);
        });
        var master = server.Account("master");
        async Task<OqsClient> SignInAsync()
        {
            var client = server.Client(server.Demo.Terminal);
            (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
            return client;
        }

        CorpusRole Role(string kind, string name, string landing)
        {
            var account = server.Account(kind);
            return new(name, async () =>
            {
                var client = server.Client(server.Demo.Terminal);
                (await client.LoginAsync(account.UserId, account.Password)).Path.ShouldBe(landing, name);
                return client;
            }, account.UserId);
        }

        // 《パスワード初期化》's result screen shows once: fetch it through the flow and keep it for its forms (of the 顔認証用
        // account: 管理者, 一般 and マスタリセット用 are crawled with their own passwords).
        var issuer = await SignInAsync();
        var face = server.Account("face");
        var issued = await issuer.InitializePasswordAsync(await issuer.OpenDetailAsync(await issuer.SearchAsync("全て"), face.UserId));
        var revealed = await issuer.SubmitAsync(issued, "form[action*=Reveal]");

        // A locked account, so that its detail offers ロック解除.
        var locked = server.Account("medical").UserId.ToUpperInvariant();
        var lockedId = await server.WithDbAsync(db => db.Accounts.Where(a => a.NormalizedUserId == locked).Select(a => a.Id).SingleAsync());
        await server.WithDbAsync(db =>
        {
            db.InvalidateOnCommit(CacheKeys.Account(lockedId));
            return db.Accounts.Where(a => a.Id == lockedId).ExecuteUpdateAsync(u => u.SetProperty(a => a.LockoutEnd, DateTime.UtcNow.AddDays(1)));
        });
        var otherIds = await server.WithDbAsync(db => db.Accounts.Where(a => a.Institution!.Code == server.Demo.OtherInstitution.Code).Select(a => a.Id).ToListAsync());
        // A completed 一括照会 of the institution, so that its detail and both downloads are crawled (by 管理者 and 一般: the master
        // may not look up); it completes before the crawl, so its job changes no row while the corpus runs.
        await BulkInquiryAsync(server);
        var site = new CorpusSite
        {
            Name = "OQS/" + provider,
            App = server.App,
            BaseAddress = server.BaseAddress,
            SignInAsync = SignInAsync,
            Anonymous = () => server.Client(server.Demo.Terminal),
            LoginPath = "/Login",
            // The exports of the 資格確認結果一覧 are links shown only beside results; the demo institution has none yet.
            Seeds = [$"/Accounts/Detail/{lockedId}", "/Accounts?Kind=&UserId=", "/Qualifications/Results?handler=Xml", "/Qualifications/Results?handler=Csv"],
            OneTimePages = [(issuer, issued), (issuer, revealed)],
            Actor = master.UserId,
            InstitutionCode = server.Demo.Institution.Code,
            Roles = [Role("admin", "管理者", "/Menu"), Role("general", "一般", "/Menu"), Role("reset", "マスタリセット用", "/Menu")],
            Baseline = new Dictionary<string, string>
            {
                ["/Accounts/Register|Input.UserId"] = "CORPUS01",
                ["/Accounts/Register|Input.DisplayName"] = "コーパス 太郎",
            },
        };
        var runner = new CorpusRunner(site, Sample);
        var summary = await runner.RunAsync(async r =>
        {
            // Without a certificate: the 403 certificate page on every route, with the same headers.
            using var noCertificate = server.Client((DemoTerminal?)null);
            foreach (var path in NoCertificatePaths)
            {
                var result = await r.CaseAsync("no-certificate", noCertificate, () => new HttpRequestMessage(HttpMethod.Get, path), true, true);
                if (!path.StartsWith("/assets/", StringComparison.Ordinal))
                {
                    result.ShouldNotBeNull().Status.ShouldBe(HttpStatusCode.Forbidden, path);
                }
            }

            // 強制ログイン's OK and キャンセル with a token that is none of this terminal's questions: nothing changes. (The question
            // itself needs the one-live-session rule, off on this server: ForcedLoginTests cover it.)
            using var anonymous = server.Client(server.Demo.Terminal);
            var loginForm = await anonymous.GetAsync("/Login");
            var loginToken = loginForm.Q("input[name=__af]")!.GetAttribute("value")!;
            foreach (var handler in ForcedLoginHandlers)
            {
                foreach (var forged in ForgedForcedLoginTokens)
                {
                    await r.CaseAsync("forced-login", anonymous, () => new HttpRequestMessage(HttpMethod.Post, $"/Login?handler={handler}")
                    {
                        Content = new FormUrlEncodedContent([new("__af", loginToken), new("token", forged)]),
                    }, true, false);
                }
            }

            // Another institution's accounts: never shown, never initialized, their secrets never rotated.
            using var client = await SignInAsync();
            var own = await client.GetAsync("/Accounts/Register");
            var token = own.Q("input[name=__af]")!.GetAttribute("value")!;
            foreach (var id in otherIds)
            {
                var detail = await r.CaseAsync("other-institution", client, () => new HttpRequestMessage(HttpMethod.Get, $"/Accounts/Detail/{id}"), true, true);
                detail.ShouldNotBeNull().Status.ShouldNotBe(HttpStatusCode.OK, $"detail {id}");
                await r.CaseAsync("other-institution", client, () => new HttpRequestMessage(HttpMethod.Post, $"/Accounts/InitializePassword/{id}")
                {
                    Content = new FormUrlEncodedContent([new("__af", token)]),
                }, true, false);
                await r.CaseAsync("other-institution", client, () => new HttpRequestMessage(HttpMethod.Post, $"/Accounts/RotateSecret/{id}")
                {
                    Content = new FormUrlEncodedContent([new("__af", token)]),
                }, true, false);
            }

            // The detail page's bare POST (no handler) is not a route to anything.
            await r.CaseAsync("bare-post", client, () => new HttpRequestMessage(HttpMethod.Post, $"/Accounts/Detail/{lockedId}")
            {
                Content = new FormUrlEncodedContent([new("__af", token)]),
            }, true, false);

            // A replayed registration: the second identical POST creates nothing.
            var register = await client.GetAsync("/Accounts/Register");
            var fields = new Dictionary<string, string>
            {
                ["__af"] = register.Q("input[name=__af]")!.GetAttribute("value")!,
                ["Input.Kind"] = register.Document.QuerySelectorAll("#Kind option").Select(o => o.GetAttribute("value")).Last(v => !string.IsNullOrEmpty(v))!,
                ["Input.UserId"] = "REPLAY01",
                ["Input.DisplayName"] = "再送 太郎",
            };
            var first = await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, "/Accounts/Register") { Content = new FormUrlEncodedContent(fields) }, false, false);
            first.ShouldNotBeNull().Status.ShouldBe(HttpStatusCode.OK);
            (await server.WithDbAsync(db => db.Accounts.CountAsync(a => a.NormalizedUserId == "REPLAY01"))).ShouldBe(1);
            await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, "/Accounts/Register") { Content = new FormUrlEncodedContent(fields) }, true, false);
        });
        CorpusRunner.NoUndeclaredWrite(server.App);
        Report(runner, summary);
    }

    /// <summary>Uploads a one-patient 一括照会 CSV as the 一般 account and waits until the worker has completed it.</summary>
    private static async Task BulkInquiryAsync(OqsServer server)
    {
        var general = server.Account("general");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        var form = await client.GetAsync("/Qualifications/Bulk");
        var e = server.Demo.Insured[0];
        using var content = new MultipartFormDataContent
        {
            { new StringContent(form.Q("form[data-testid=bulk-form] input[name=__af]")!.GetAttribute("value")!), "__af" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($"保険者番号,記号,番号,枝番,生年月日,限度額同意\r\n{e.InsurerNumber},{e.Symbol},{e.Number},{e.Branch},{e.Birthdate},0\r\n")), "Input.File", "corpus.csv" },
        };
        (await client.PostMultipartAsync("/Qualifications/Bulk", content)).Path.ShouldStartWith("/Qualifications/Bulk/Detail/");
        var until = DateTime.UtcNow.AddSeconds(60);
        while (await server.WithDbAsync(db => db.BulkInquiries.AnyAsync(b => b.Status != BulkInquiryStatus.Completed)))
        {
            DateTime.UtcNow.ShouldBeLessThan(until, "the corpus's 一括照会 did not complete");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Portal_EveryRouteAndForm_RefusesBadInput_ChangesNothing()
    {
        await using var server = await PortalServer.StartAsync(provider, configureServices: EveryRefusalAudited);
        var demo = await DemoCommand.BuildAsync(server.App.Services, OqsEnvironment.Production, server.DataDirectory, 8443, CancellationToken.None, portalItems: false);
        var user = demo.PortalUser!;
        var userId = (await server.UsersAsync(user.Email)).Single().Id;
        var institutionId = await server.WithDbAsync(db => db.Institutions.Where(i => i.Code == demo.Institution.Code).Select(i => i.Id).SingleAsync());
        await PortalStateAsync(server.App, userId, institutionId);

        async Task<OqsClient> SignInAsync()
        {
            var client = server.Client();
            (await client.PortalLoginAsync(user.Email, user.Password)).Path.ShouldBe("/");
            return client;
        }

        // Mail links (a password reset, an e-mail verification) and the one-time certificate result screen.
        using (var mailer = server.Client())
        {
            await mailer.ForgotPasswordAsync(user.Email);
            await mailer.RegisterAsync("corpus-new@clinic.example.jp");
        }

        var reset = server.LinkOf(server.LastMailTo(user.Email));
        var verify = server.LinkOf(server.LastMailTo("corpus-new@clinic.example.jp"));
        var downloader = await SignInAsync();
        var issued = await downloader.SubmitAsync(await downloader.GetAsync("/OnlineEligibility/Certificates"), "form[data-testid=download-form]");
        issued.Path.ShouldBe("/OnlineEligibility/Certificates/Issued");

        // The 確認 step of each application form (reached only by a POST of a valid 入力): its 「申請する」 and 「修正する」
        // get every bad Draft (and the 補助金申請's 「申請する」 every bad receipt); none of them stores anything.
        var confirmer = await SignInAsync();
        var newConfirm = await confirmer.SubmitAsync(await confirmer.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", new Dictionary<string, string>
        {
            ["Input.InstitutionCode"] = "1510000019",
            ["Input.InstitutionName"] = "確認医科診療所",
            ["Input.Address"] = "東京都千代田区千代田1-1",
            ["Input.Phone"] = "03-5555-0101",
            ["Input.Production"] = "true",
            ["Input.ContactName"] = "山田 花子",
            ["Input.ContactPhone"] = "090-5555-0202",
            ["Input.SecretNumber"] = "3870",
            ["Input.SecretNumberConfirm"] = "3870",
        });
        var changeConfirm = await confirmer.SubmitAsync(await confirmer.GetAsync("/OnlineEligibility/Application/Change"), "form[data-testid=change-form]",
            new Dictionary<string, string> { ["Input.NewInstitutionName"] = "確認用の新しい名前" });
        var certificateConfirm = await confirmer.SubmitAsync(await confirmer.GetAsync("/OnlineEligibility/Certificates"), "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.TerminalName"] = "KAKUNIN-01" });
        var subsidyConfirm = await confirmer.SubmitAsync(await confirmer.GetAsync("/OnlineEligibility/Subsidy"), "form[data-testid=subsidy-form]",
            new Dictionary<string, string> { ["Input.TotalCost"] = "100000", ["Input.ClaimedAmount"] = "50000", ["Input.Description"] = "資格確認端末の導入" });
        foreach (var confirm in new[] { newConfirm, changeConfirm, certificateConfirm, subsidyConfirm })
        {
            confirm.Q("[data-testid=confirm]").ShouldNotBeNull(confirm.Url + ": " + string.Join(" / ", confirm.Errors));
        }

        var site = new CorpusSite
        {
            Name = "Portal/" + provider,
            App = server.App,
            BaseAddress = server.BaseAddress,
            SignInAsync = SignInAsync,
            Anonymous = server.Client,
            LoginPath = "/Account/Login",
            Seeds = [reset, verify, "/Category/online-eligibility", "/Category/nothing"],
            OneTimePages = [(downloader, issued), (confirmer, newConfirm), (confirmer, changeConfirm), (confirmer, certificateConfirm), (confirmer, subsidyConfirm)],
            SkipPath = p => p.StartsWith("/Account/Verify", StringComparison.Ordinal),
            Actor = Onshi.Core.Features.PortalAccounts.PortalAuditActions.Actor(userId),
            Baseline = new Dictionary<string, string>
            {
                ["/OnlineEligibility/Subsidy|Input.TotalCost"] = "100000",
                ["/OnlineEligibility/Subsidy|Input.ClaimedAmount"] = "50000",
                ["/OnlineEligibility/Subsidy|Input.Description"] = "資格確認端末の導入",
            },
        };
        var runner = new CorpusRunner(site, Sample);
        var summary = await runner.RunAsync(async r =>
        {
            // A replayed 新規申請: 入力 twice stores nothing (確認 only); 「申請する」 twice stores one application and
            // the second gets the first one's 完了.
            using var client = await SignInAsync();
            var form = await client.GetAsync("/OnlineEligibility/Application/New");
            var fields = new Dictionary<string, string>
            {
                ["__af"] = form.Q("input[name=__af]")!.GetAttribute("value")!,
                ["Input.InstitutionCode"] = "1510000019",
                ["Input.InstitutionName"] = "再送医科診療所",
                ["Input.Address"] = "東京都千代田区千代田1-1",
                ["Input.Phone"] = "03-5555-0101",
                ["Input.Production"] = "true",
                ["Input.ContactName"] = "山田 花子",
                ["Input.ContactPhone"] = "090-5555-0202",
                ["Input.SecretNumber"] = "3870",
                ["Input.SecretNumberConfirm"] = "3870",
            };
            await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, "/OnlineEligibility/Application/New") { Content = new FormUrlEncodedContent(fields) }, false, false);
            await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, "/OnlineEligibility/Application/New") { Content = new FormUrlEncodedContent(fields) }, false, false);
            (await server.WithDbAsync(db => db.UsageApplications.CountAsync(a => a.InstitutionCode == "1510000019"))).ShouldBe(0);
            var confirm = await client.SubmitAsync(form, "form[data-testid=new-form]", fields);
            var submit = new Dictionary<string, string>
            {
                ["__af"] = fields["__af"],
                ["Draft"] = confirm.Q("form[data-testid=confirm-submit] input[name=Draft]")!.GetAttribute("value")!,
            };
            for (var i = 0; i < 2; i++)
            {
                await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, "/OnlineEligibility/Application/New?handler=Submit") { Content = new FormUrlEncodedContent(submit) }, false, false);
                (await server.WithDbAsync(db => db.UsageApplications.CountAsync(a => a.InstitutionCode == "1510000019"))).ShouldBe(1);
            }
        });
        CorpusRunner.NoUndeclaredWrite(server.App);
        Report(runner, summary);
    }

    [Fact]
    public async Task Operator_EveryRouteAndForm_RefusesBadInput_ChangesNothing()
    {
        // 加入者データ取込 accepts 200 MB by default; at 8 MB (+1 MB for the form) the corpus's 12 MB file is over the page's limit.
        await using var server = await OperatorServer.StartAsync(provider, s =>
        {
            EveryRefusalAudited(s);
            s.Configure<Onshi.Core.Features.MemberImports.MemberImportOptions>(o => o.MaxFileBytes = 8 * 1024 * 1024);
        });
        var op = server.Demo.Operator!;
        var userId = await server.WithDbAsync(db => db.PortalUsers.Select(u => u.Id).SingleAsync());
        var institutionId = await server.WithDbAsync(db => db.Institutions.Where(i => i.Code == server.Demo.Institution.Code).Select(i => i.Id).SingleAsync());
        await PendingStateAsync(server.App, userId, institutionId);
        var masterResetId = await server.WithDbAsync(db => db.Accounts.Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset)
            .Select(a => a.Id).SingleAsync());
        await server.WithDbAsync(db =>
        {
            db.InvalidateOnCommit(CacheKeys.Account(masterResetId));
            return db.Accounts.Where(a => a.Id == masterResetId).ExecuteUpdateAsync(u => u.SetProperty(a => a.LockoutEnd, DateTime.MaxValue));
        });

        async Task<OqsClient> SignInAsync()
        {
            var client = server.Client();
            (await client.OperatorLoginAsync(op.UserId, op.Password)).Path.ShouldNotBe("/Login");
            return client;
        }

        async Task<CorpusRole> RoleAsync(OperatorRole role, string name)
        {
            var (roleUserId, password) = await server.ReadyOperatorAsync(role);
            return new(name, async () =>
            {
                var client = server.Client();
                (await client.OperatorLoginAsync(roleUserId, password)).Path.ShouldNotBe("/Login", name);
                return client;
            }, OperatorAudit.Actor(roleUserId));
        }

        // 秘密の番号の再発行: its confirmation (with the form that re-issues) follows a valid first step only.
        var desk = await SignInAsync();
        var confirm = await desk.SubmitAsync(await desk.GetAsync($"/CallCenter/Institution/{institutionId}"), "form[data-testid=desk-form]", new Dictionary<string, string>
        {
            ["Input.Method"] = VerificationMethods.RegisteredPhoneCallback,
            ["Input.CallerName"] = "山田 花子",
            ["Input.Environment"] = "Production",
        });
        confirm.Q("[data-testid=confirm-reissue]").ShouldNotBeNull(confirm.Text);

        // 加入者データ取込: a refused import with its error report, so its detail page and report download are reached.
        var importId = await server.WithDbAsync(async db =>
        {
            var opId = await db.OperatorAccounts.Where(o => o.UserId == op.UserId).Select(o => o.Id).SingleAsync();
            var import = new Onshi.Core.Data.MemberImport
            {
                OperatorAccountId = opId,
                OperatorUserId = op.UserId,
                FileName = "corpus.csv",
                FileSize = 10,
                Status = Onshi.Core.Features.MemberImports.MemberImportStatus.Refused,
                TotalRows = 1,
                ValidatedRows = 1,
                ErrorRows = 1,
                ErrorCount = 1,
                ErrorReport = Onshi.Core.Features.MemberImports.MemberImportReport.Build([new(2, "氏名（Name）", "必須です。")], 1),
                CreatedAt = DateTime.UtcNow,
            };
            db.MemberImports.Add(import);
            await db.SaveChangesAsync();
            return import.Id;
        });

        var site = new CorpusSite
        {
            Name = "Operator/" + provider,
            App = server.App,
            BaseAddress = server.BaseAddress,
            SignInAsync = SignInAsync,
            Anonymous = server.Client,
            LoginPath = "/Login",
            Seeds = ["/CallCenter?Code=" + server.Demo.Institution.Code, $"/CallCenter/Institution/{institutionId}", "/MemberImport", $"/MemberImport/Detail/{importId}"],
            OneTimePages = [(desk, confirm)],
            Actor = OperatorAudit.Actor(op.UserId),
            Roles = [await RoleAsync(OperatorRole.Reviewer, "審査担当"), await RoleAsync(OperatorRole.CallCenter, "コールセンター")],
            Baseline = new Dictionary<string, string>
            {
                [$"/CallCenter/Institution/{institutionId}|Input.CallerName"] = "山田 花子",
                [$"/CallCenter/Institution/{institutionId}|Input.Method"] = VerificationMethods.RegisteredPhoneCallback,
            },
        };
        var runner = new CorpusRunner(site, Sample);
        var summary = await runner.RunAsync(async r =>
        {
            // A replayed approval: a fresh 電子証明書発行申請 (the field cases have decided the others by now) approved by the
            // form, then the identical POST again, which decides nothing and issues no second certificate.
            var fresh = await Service<CertificateApplicationService, OpResult<long>>(server.App, s => s.SubmitAsync(userId, institutionId, "CORPUS-RE"));
            fresh.Succeeded.ShouldBeTrue();
            using var client = await SignInAsync();
            var page = await client.GetAsync($"/Review/Certificate/{fresh.Value}?confirm=approve");
            var form = page.Document.QuerySelectorAll("form").Single(f => (f.GetAttribute("action") ?? "").Contains("handler=Approve", StringComparison.Ordinal));
            var action = form.GetAttribute("action")!;
            var fields = form.QuerySelectorAll("input[name]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
            await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) }, false, false);
            (await server.WithDbAsync(db => db.CertificateApplications.Where(a => a.Id == fresh.Value).Select(a => a.Status).SingleAsync())).ShouldBe(ReviewStatus.Approved);
            var issuedCount = await server.WithDbAsync(db => db.TerminalCertificates.CountAsync());
            var second = await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) }, true, false);
            second.ShouldNotBeNull().Document.ShouldNotBeNull().Body!.TextContent.ShouldContain("審査済み");
            (await server.WithDbAsync(db => db.TerminalCertificates.CountAsync())).ShouldBe(issuedCount);

            // 証明書を再発行（審査なし）: once the one-time download was used (its file kept nowhere), the reissue form.
            await server.WithDbAsync(db => db.CertificateApplications.Where(a => a.Id == fresh.Value)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.ProtectedPkcs12, (byte[]?)null).SetProperty(a => a.DownloadedAt, DateTime.UtcNow)));
            var reissuePage = await client.GetAsync($"/Review/Certificate/{fresh.Value}?confirm=reissue");
            var reissueForm = reissuePage.Document.QuerySelectorAll("form").Single(f => (f.GetAttribute("action") ?? "").Contains("handler=Reissue", StringComparison.Ordinal));
            var reissueFields = reissueForm.QuerySelectorAll("input[name]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
            await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Post, reissueForm.GetAttribute("action")!) { Content = new FormUrlEncodedContent(reissueFields) }, false, false);
            (await server.WithDbAsync(db => db.TerminalCertificates.CountAsync())).ShouldBe(issuedCount + 1);

            // The 秘密の番号's notice, downloaded again from the desk (a re-issue done here if the cases above made none).
            var institution = await client.GetAsync($"/CallCenter/Institution/{institutionId}");
            if (institution.Q("a[href*='handler=Notice']") is null)
            {
                var confirmed = await client.SubmitAsync(institution, "form[data-testid=desk-form]", new Dictionary<string, string>
                {
                    ["Input.Method"] = VerificationMethods.RegisteredPhoneCallback,
                    ["Input.CallerName"] = "山田 花子",
                    ["Input.Environment"] = "Production",
                });
                institution = await client.SubmitAsync(confirmed, "[data-testid=confirm-reissue] form");
            }

            var notice = institution.Q("a[href*='handler=Notice']").ShouldNotBeNull(institution.Text).GetAttribute("href")!;
            var pdf = await r.CaseAsync("replay", client, () => new HttpRequestMessage(HttpMethod.Get, notice), false, true);
            pdf.ShouldNotBeNull().Status.ShouldBe(HttpStatusCode.OK);
        });
        CorpusRunner.NoUndeclaredWrite(server.App);
        Report(runner, summary);
    }

    /// <summary>Every refusal gets its row (no one-a-minute limit), so the corpus can check each case left one.</summary>
    private static void EveryRefusalAudited(IServiceCollection services) =>
        services.Configure<RefusalAuditOptions>(o => o.Interval = TimeSpan.Zero);

    private static void Report(CorpusRunner runner, string summary)
    {
        TestContext.Current.SendDiagnosticMessage("Bad input corpus: " + summary);
        Console.WriteLine("Bad input corpus: " + summary);
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "onshi-corpus-failures.txt"), runner.Failures);
        runner.Failures.ShouldBeEmpty(summary + "\n" + string.Join("\n", runner.Failures.Take(60)) + (runner.Failures.Count > 60 ? $"\n… {runner.Failures.Count} in all" : ""));
    }

    /// <summary>The portal user's institution with an approved and a pending certificate, an approved subsidy, and a document.</summary>
    private static async Task PortalStateAsync(WebApplication app, long userId, long institutionId)
    {
        await PendingStateAsync(app, userId, institutionId);
        var reviewer = await TestOperators.CreateAsync(app.Services, "reviewer01", OperatorRole.Reviewer);
        // Two approved: one downloaded by the flow (its one-time result screen), one whose download form the corpus spoils.
        foreach (var terminal in new[] { "CORPUS-02", "CORPUS-03" })
        {
            var certificate = await Service<CertificateApplicationService, OpResult<long>>(app, s => s.SubmitAsync(userId, institutionId, terminal));
            (await Service<CertificateApplicationService, OpResult>(app, s => s.ApproveAsync(reviewer, certificate.Value))).Succeeded.ShouldBeTrue();
        }
        var subsidy = await Service<SubsidyService, OpResult<long>>(app, s => s.SubmitAsync(userId, institutionId, Subsidy()));
        (await Service<SubsidyService, OpResult<long>>(app, s => s.ApproveAsync(reviewer, subsidy.Value, 40_000))).Succeeded.ShouldBeTrue();
        var usage = await Service<UsageApplicationService, OpResult<long>>(app, s => s.SubmitNewAsync(userId, NewApplication("1610000018")));
        (await Service<ApplicationReviewService, OpResult<UsageApprovalResult>>(app, s => s.ApproveUsageAsync(reviewer, usage.Value))).Succeeded.ShouldBeTrue();
    }

    /// <summary>A pending 新規 利用申請, 電子証明書発行申請 and 補助金申請 (the review queue's three kinds).</summary>
    private static async Task PendingStateAsync(WebApplication app, long userId, long institutionId)
    {
        (await Service<UsageApplicationService, OpResult<long>>(app, s => s.SubmitNewAsync(userId, NewApplication(NewCode)))).Succeeded.ShouldBeTrue();
        (await Service<CertificateApplicationService, OpResult<long>>(app, s => s.SubmitAsync(userId, institutionId, "CORPUS-01"))).Succeeded.ShouldBeTrue();
        (await Service<SubsidyService, OpResult<long>>(app, s => s.SubmitAsync(userId, institutionId, Subsidy()))).Succeeded.ShouldBeTrue();
    }

    private static NewApplicationInput NewApplication(string code) => new()
    {
        InstitutionCode = code,
        InstitutionName = "コーパス医科診療所",
        Address = "東京都千代田区千代田1-1",
        Phone = "03-5555-0101",
        Environments = EnvironmentSet.Production | EnvironmentSet.Verification,
        ContactName = "山田 花子",
        ContactPhone = "090-5555-0202",
        SecretNumber = "3870",
        SecretNumberConfirm = "3870",
    };

    private static SubsidyInput Subsidy() => new()
    {
        TotalCost = 100_000,
        ClaimedAmount = 50_000,
        Description = "資格確認端末の導入",
        ReceiptFileName = "receipt.png",
        ReceiptContentType = "image/png",
        ReceiptBytes = BadInput.ValidPng.Bytes,
    };

    private static async Task<TResult> Service<TService, TResult>(WebApplication app, Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

public sealed class BadInputCorpusTestsSqlite() : BadInputCorpusTests(TestDatabase.Sqlite);

public sealed class BadInputCorpusTestsPostgres() : BadInputCorpusTests(TestDatabase.Postgres);
