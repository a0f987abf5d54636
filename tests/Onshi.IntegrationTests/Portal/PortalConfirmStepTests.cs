using System.Net;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// The application forms' 入力 → 確認 → 完了 (issue 14 item 10) on the real portal endpoint: 確認 stores nothing,
/// 「修正する」 keeps the entries but the 秘密の番号, 「申請する」 stores once even when pressed twice, and the 受付番号 of
/// 完了 is the one in the list.
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
