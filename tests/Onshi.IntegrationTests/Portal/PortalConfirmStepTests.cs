using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// The application forms' 入力 → 確認 → 完了 (issue 14 item 10) on the real portal endpoint: 確認 stores nothing,
/// 「修正する」 keeps the entries but the 秘密の番号, 「申請する」 stores once even when pressed twice, and the 受付番号 of
/// 完了 is the one in the list. 「申請する」 once holds across portal instances (the draft's nonce is a unique row written in
/// the application's commit): a second instance given the same draft, one after the other or at the same moment,
/// stores nothing and leads to the same 完了.
/// </summary>
public abstract class PortalConfirmStepTests(string provider) : IAsyncLifetime
{
    private const string Code = "1310000018";

    private PortalServer server = null!;

    public async ValueTask InitializeAsync() => server = await PortalServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task NewApplication_Confirm_StoresNothing_ShowsEntries_SecretMasked_WithReminder()
    {
        using var client = await SignedInAsync("confirm@clinic.example.jp");

        var form = await client.GetAsync("/OnlineEligibility/Application/New");
        var confirm = await client.SubmitAsync(form, "form[data-testid=new-form]", NewForm());

        form.Q("[data-testid=secret-reminder]")!.TextContent.ShouldContain("安全な場所に保管");
        form.Q("[data-testid=secret-reminder]")!.TextContent.ShouldContain("コールセンターでは秘密の番号をお答えできません");
        form.Q("ol.steps li[aria-current=step]")!.TextContent.ShouldBe("入力");
        confirm.Status.ShouldBe(HttpStatusCode.OK);
        confirm.Q("ol.steps li[aria-current=step]")!.TextContent.ShouldBe("確認");
        var summary = confirm.Q("[data-testid=confirm-summary]")!.TextContent;
        summary.ShouldContain(Code);
        summary.ShouldContain("テスト医科診療所");
        summary.ShouldContain("本番環境・接続確認環境");
        summary.ShouldContain("●●●●");
        confirm.Html.ShouldNotContain("3870");
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task NewApplication_Edit_KeepsEntries_ButNotTheSecret_AndSaysSo()
    {
        using var client = await SignedInAsync("edit@clinic.example.jp");
        var confirm = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", NewForm());

        var edit = await client.SubmitAsync(confirm, "form[data-testid=confirm-edit]");

        edit.Q("form[data-testid=new-form]").ShouldNotBeNull();
        edit.Q("#InstitutionCode")!.GetAttribute("value").ShouldBe(Code);
        edit.Q("#InstitutionName")!.GetAttribute("value").ShouldBe("テスト医科診療所");
        edit.Q("#ContactPhone")!.GetAttribute("value").ShouldBe("090-5555-0202");
        edit.Q("#Production")!.HasAttribute("checked").ShouldBeTrue();
        edit.Q("#SecretNumber")!.GetAttribute("value").ShouldBeNullOrEmpty();
        edit.Q("[data-testid=edit-note]")!.TextContent.ShouldContain("秘密の番号は、確認のためもう一度入力してください。");
        edit.Html.ShouldNotContain("3870");
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);

        // The form posts to 入力 again (not to the handler of the page it came from): without the 秘密の番号 it stays on
        // 入力 with the secret's error; with it typed again it reaches 確認.
        edit.Q("form[data-testid=new-form]")!.GetAttribute("action").ShouldBe("/OnlineEligibility/Application/New");
        var again = await client.SubmitAsync(edit, "form[data-testid=new-form]");
        again.Errors.ShouldContain(e => e.Contains("秘密の番号", StringComparison.Ordinal));
        again.Q("[data-testid=confirm]").ShouldBeNull();
        var retyped = await client.SubmitAsync(edit, "form[data-testid=new-form]", new Dictionary<string, string>
        {
            ["Input.SecretNumber"] = "3870",
            ["Input.SecretNumberConfirm"] = "3870",
        });
        retyped.Q("[data-testid=confirm]").ShouldNotBeNull(string.Join(" / ", retyped.Errors));
    }

    [Fact]
    public async Task NewApplication_SubmitTwice_StoresOnce_BothLeadToTheSameDone_ReceiptNumberListed()
    {
        using var client = await SignedInAsync("twice@clinic.example.jp");
        var confirm = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", NewForm());

        var first = await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]");
        var second = await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]");

        first.Path.ShouldBe("/OnlineEligibility/Application/Done");
        second.Url.ShouldBe(first.Url);
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(1);
        var stored = await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync());
        var receipt = first.Q("[data-testid=receipt-number]")!.TextContent.Trim();
        receipt.ShouldBe(ReceiptNumbers.Usage(stored.Id, stored.SubmittedAt));
        receipt.ShouldMatch(@"^R-\d{8}-\d{6}$");
        first.Q("ol.steps li[aria-current=step]")!.TextContent.ShouldBe("完了");
        first.Q("[data-testid=secret-reminder]").ShouldNotBeNull();

        var list = await client.GetAsync("/OnlineEligibility/Application");
        list.Q("[data-testid=applications] tbody tr [data-testid=receipt-number]")!.TextContent.Trim().ShouldBe(receipt);
        ReceiptNumbers.IdOf(receipt).ShouldBe(stored.Id);
        ReceiptNumbers.IdOf("Ｒ－２０２６１２０６－" + stored.Id.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(stored.Id);
    }

    [Fact]
    public async Task ConfirmStep_ForgedOrOtherUsersDraft_StoresNothing_AndAsksToEnterAgain()
    {
        using var owner = await SignedInAsync("owner@clinic.example.jp");
        using var other = await SignedInAsync("other@clinic.example.jp");
        var confirm = await owner.SubmitAsync(await owner.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", NewForm());
        var draft = confirm.Q("form[data-testid=confirm-submit] input[name=Draft]")!.GetAttribute("value")!;
        var otherForm = await other.GetAsync("/OnlineEligibility/Application/New");
        var token = otherForm.Q("input[name=__af]")!.GetAttribute("value")!;

        var stolen = await other.PostAsync("/OnlineEligibility/Application/New?handler=Submit", [new("__af", token), new("Draft", draft)]);
        var forged = await other.PostAsync("/OnlineEligibility/Application/New?handler=Submit", [new("__af", token), new("Draft", "CfDJ8forged")]);
        var crossForm = await owner.PostAsync("/OnlineEligibility/Application/Change?handler=Submit",
            [new("__af", confirm.Q("input[name=__af]")!.GetAttribute("value")!), new("Draft", draft)]);

        foreach (var refused in new[] { stolen, forged })
        {
            refused.Status.ShouldBe(HttpStatusCode.OK);
            refused.Errors.ShouldContain("入力内容の有効期限が切れました。お手数ですが、もう一度入力してください。");
        }

        crossForm.Status.ShouldBe(HttpStatusCode.OK);
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task ConfirmStep_BadInput_StaysOnInput_WithJapaneseErrors()
    {
        using var client = await SignedInAsync("bad@clinic.example.jp");
        var form = NewForm();
        form["Input.SecretNumber"] = "1234";
        form["Input.SecretNumberConfirm"] = "1234";

        var refused = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", form);

        refused.Q("[data-testid=confirm]").ShouldBeNull();
        refused.Q(".error-summary h2")!.TextContent.ShouldBe("入力内容を確認してください");
        refused.Errors.ShouldNotBeEmpty();
        refused.Q("#InstitutionCode")!.GetAttribute("value").ShouldBe(Code);
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task SameDraft_OnASecondInstance_StoresNothing_LeadsToTheSameDone_OneNonceRowInTheApplicationsCommit()
    {
        await using var second = await PortalInstance.StartAsync(server);
        var cookies = new CookieContainer();
        await server.RegisterVerifiedAsync("instances@clinic.example.jp");
        using var one = server.Client(cookies);
        using var two = second.Client(cookies);
        (await one.PortalLoginAsync("instances@clinic.example.jp", PortalStories.Password)).Path.ShouldBe("/");
        var confirm = await one.SubmitAsync(await one.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", NewForm());

        var first = await one.SubmitAsync(confirm, "form[data-testid=confirm-submit]");
        var again = await two.PostAsync("/OnlineEligibility/Application/New?handler=Submit",
            [new("__af", confirm.Q("input[name=__af]")!.GetAttribute("value")!), new("Draft", DraftOf(confirm))]);

        first.Path.ShouldBe("/OnlineEligibility/Application/Done");
        again.Url.ShouldBe(new Uri(second.BaseAddress, first.Url.PathAndQuery));
        again.Q("[data-testid=receipt-number]")!.TextContent.ShouldBe(first.Q("[data-testid=receipt-number]")!.TextContent);
        var stored = await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync());
        var row = await server.WithDbAsync(db => db.PortalSubmissions.AsNoTracking().SingleAsync());
        (row.Kind, row.ApplicationId).ShouldBe((PortalSubmissionKind.Usage, stored.Id));
        row.ExpiresAt.ShouldBe(row.CreatedAt + PortalSubmissions.DraftLifetime);
        (await server.AuditAsync(ApplicationAuditActions.UsageSubmit)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task SameDraft_OnTwoInstances_AtTheSameMoment_StoresOnce_BothLeadToTheSameDone()
    {
        // 補助金申請: no rule of the service refuses a second identical one, so only the nonce's unique row stops it.
        await using var second = await PortalInstance.StartAsync(server);
        var cookies = new CookieContainer();
        using var applicant = await ApprovedInstitutionAsync("race@clinic.example.jp");
        using var one = server.Client(cookies);
        (await one.PortalLoginAsync("race@clinic.example.jp", PortalStories.Password)).Path.ShouldBe("/");
        using var two = second.Client(cookies);
        const int rounds = 4;
        for (var round = 0; round < rounds; round++)
        {
            var confirm = await SubsidyConfirmAsync(one, (100_000 + round).ToString(System.Globalization.CultureInfo.InvariantCulture));

            var both = await Task.WhenAll(
                one.SubmitFileAsync(confirm, "form[data-testid=confirm-submit]", Receipt),
                two.SubmitFileAsync(confirm, "form[data-testid=confirm-submit]", Receipt));

            foreach (var page in both)
            {
                page.Path.ShouldBe("/OnlineEligibility/Subsidy/Done", string.Join(" / ", page.Errors));
            }

            both[1].Url.PathAndQuery.ShouldBe(both[0].Url.PathAndQuery);
            (await server.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(round + 1);
        }

        (await server.WithDbAsync(db => db.PortalSubmissions.CountAsync(s => s.Kind == PortalSubmissionKind.Subsidy))).ShouldBe(rounds);
        (await server.AuditAsync(ApplicationAuditActions.SubsidySubmit)).Count.ShouldBe(rounds);
    }

    [Fact]
    public async Task Subsidy_InputConfirmDone_ReceiptOnConfirm_AFailedSubmitLeavesNoRow_TheSameDraftThenGoesThrough()
    {
        using var client = await ApprovedInstitutionAsync("subsidy-steps@clinic.example.jp");

        var confirm = await SubsidyConfirmAsync(client, "１，２００，０００");

        confirm.Q("ol.steps li[aria-current=step]")!.TextContent.ShouldBe("確認");
        var summary = confirm.Q("[data-testid=confirm-summary]")!.TextContent;
        summary.ShouldContain("1,200,000円");
        summary.ShouldContain("資格確認端末の導入");
        confirm.Q("form[data-testid=confirm-submit] #Receipt").ShouldNotBeNull();
        confirm.Q("[data-testid=confirm]")!.TextContent.ShouldNotContain("秘密の番号"); // this form has none
        var fake = await client.SubmitFileAsync(confirm, "form[data-testid=confirm-submit]", new UploadFile("r.png", "image/png", "not a png"u8.ToArray()));
        fake.Errors.ShouldContain(ApplicationErrors.ReceiptContentMismatch.Message);
        fake.Q("#Receipt")!.GetAttribute("aria-invalid").ShouldBe("true");
        DraftOf(fake).ShouldBe(DraftOf(confirm));
        (await server.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);
        (await server.WithDbAsync(db => db.PortalSubmissions.CountAsync())).ShouldBe(0);

        var done = await client.SubmitFileAsync(fake, "form[data-testid=confirm-submit]", Receipt);
        var repeat = await client.SubmitFileAsync(confirm, "form[data-testid=confirm-submit]", Receipt);

        done.Path.ShouldBe("/OnlineEligibility/Subsidy/Done");
        repeat.Url.ShouldBe(done.Url);
        var stored = await server.WithDbAsync(db => db.SubsidyApplications.AsNoTracking().SingleAsync());
        var receipt = done.Q("[data-testid=receipt-number]")!.TextContent.Trim();
        receipt.ShouldBe(ReceiptNumbers.Subsidy(stored.Id, stored.SubmittedAt));
        receipt.ShouldMatch(@"^S-\d{8}-\d{6}$");
        done.Q("ol.steps li[aria-current=step]")!.TextContent.ShouldBe("完了");
        var list = await client.GetAsync("/OnlineEligibility/Subsidy");
        list.Q("[data-testid=subsidies] tbody tr [data-testid=receipt-number]")!.TextContent.Trim().ShouldBe(receipt);
        (await server.WithDbAsync(db => db.PortalSubmissions.CountAsync())).ShouldBe(1);

        // Someone else's 完了 is a 404, like a missing one.
        using var other = await SignedInAsync("subsidy-other@clinic.example.jp");
        (await other.GetAsync(done.Url.PathAndQuery)).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Subsidy_Edit_KeepsTheEntries_BadAmount_StaysOnInput()
    {
        using var client = await ApprovedInstitutionAsync("subsidy-edit@clinic.example.jp");
        var confirm = await SubsidyConfirmAsync(client, "500000");

        var edit = await client.SubmitAsync(confirm, "form[data-testid=confirm-edit]");
        var bad = await client.SubmitAsync(edit, "form[data-testid=subsidy-form]", new Dictionary<string, string> { ["Input.ClaimedAmount"] = "600000" });

        edit.Q("#TotalCost")!.GetAttribute("value").ShouldBe("500000");
        edit.Q("#Description")!.TextContent.ShouldBe("資格確認端末の導入");
        edit.Q("[data-testid=edit-note]").ShouldBeNull();
        bad.Q("[data-testid=confirm]").ShouldBeNull();
        bad.Errors.ShouldContain(ApplicationErrors.ClaimOverTotal.Message);
        (await server.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task ExpiredSubmissionRows_ArePurgedByTheNextSubmission_LiveOnesKept()
    {
        var now = server.Time.GetUtcNow().UtcDateTime;
        await server.WithDbAsync(async db =>
        {
            db.PortalSubmissions.AddRange(
                new PortalSubmission { Nonce = "OLD", Kind = PortalSubmissionKind.Usage, ApplicationId = 999, CreatedAt = now.AddHours(-1), ExpiresAt = now.AddMinutes(-1) },
                new PortalSubmission { Nonce = "LIVE", Kind = PortalSubmissionKind.Usage, ApplicationId = 998, CreatedAt = now, ExpiresAt = now.AddMinutes(29) });
            return await db.SaveChangesAsync();
        });
        using var client = await SignedInAsync("purge@clinic.example.jp");
        var confirm = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", NewForm());

        (await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]")).Path.ShouldBe("/OnlineEligibility/Application/Done");

        var nonces = await server.WithDbAsync(db => db.PortalSubmissions.AsNoTracking().Select(s => s.Nonce).ToListAsync());
        nonces.Count.ShouldBe(2);
        nonces.ShouldContain("LIVE");
        nonces.ShouldNotContain("OLD");
    }

    private static Dictionary<string, string> NewForm() => new()
    {
        ["Input.InstitutionCode"] = Code,
        ["Input.InstitutionName"] = "テスト医科診療所",
        ["Input.Address"] = "東京都千代田区千代田1-1",
        ["Input.Phone"] = "03-5555-0101",
        ["Input.Production"] = "true",
        ["Input.Verification"] = "true",
        ["Input.ContactName"] = "山田 花子",
        ["Input.ContactPhone"] = "090-5555-0202",
        ["Input.SecretNumber"] = "3870",
        ["Input.SecretNumberConfirm"] = "3870",
    };

    private static readonly UploadFile Receipt = new("receipt.png", "image/png", Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));

    private static string DraftOf(OqsPage confirm) => confirm.Q("form[data-testid=confirm-submit] input[name=Draft]")!.GetAttribute("value")!;

    /// <summary>The 補助金申請 入力 with <paramref name="total"/> (half of it claimed, at most), up to its 確認 page.</summary>
    private static async Task<OqsPage> SubsidyConfirmAsync(OqsClient client, string total)
    {
        var confirm = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Subsidy"), "form[data-testid=subsidy-form]", new Dictionary<string, string>
        {
            ["Input.TotalCost"] = total,
            ["Input.ClaimedAmount"] = "50000",
            ["Input.Description"] = "資格確認端末の導入",
        });
        confirm.Q("[data-testid=confirm]").ShouldNotBeNull(string.Join(" / ", confirm.Errors));
        return confirm;
    }

    /// <summary>A signed-in user whose 新規申請 (of <see cref="Code"/>) was approved: the portal offers 補助金申請.</summary>
    private async Task<OqsClient> ApprovedInstitutionAsync(string email)
    {
        var client = await SignedInAsync(email);
        var userId = (await server.UsersAsync(email)).Single().Id;
        await using var scope = server.App.Services.CreateAsyncScope();
        var submitted = await scope.ServiceProvider.GetRequiredService<UsageApplicationService>().SubmitNewAsync(userId, new NewApplicationInput
        {
            InstitutionCode = Code,
            InstitutionName = "テスト医科診療所",
            Address = "東京都千代田区千代田1-1",
            Phone = "03-5555-0101",
            Environments = EnvironmentSet.Production,
            ContactName = "山田 花子",
            ContactPhone = "090-5555-0202",
            SecretNumber = "3870",
            SecretNumberConfirm = "3870",
        });
        submitted.Succeeded.ShouldBeTrue();
        var reviewer = await TestOperators.CreateAsync(server.App.Services, "reviewer01", OperatorRole.Reviewer);
        var approved = await scope.ServiceProvider.GetRequiredService<ApplicationReviewService>().ApproveUsageAsync(reviewer, submitted.Value);
        approved.Succeeded.ShouldBeTrue(string.Join(" / ", approved.Errors.Select(e => e.Message)));
        return client;
    }

    private async Task<OqsClient> SignedInAsync(string email)
    {
        await server.RegisterVerifiedAsync(email);
        var client = server.Client();
        (await client.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
        return client;
    }
}

public sealed class PortalConfirmStepTestsSqlite() : PortalConfirmStepTests(TestDatabase.Sqlite);

public sealed class PortalConfirmStepTestsPostgres() : PortalConfirmStepTests(TestDatabase.Postgres);
