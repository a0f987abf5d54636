using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// What each of the eight account kinds sees in the メニュー and which screens open for it (SPEC §3, §5, §8, §9: the
/// capabilities of <c>PermissionMatrix.Allows</c>, one policy each), written out here rather than read from the code, on
/// each database. Every refused screen lands on 「この画面は利用できません」 (403) with an <c>access.denied</c> row.
/// </summary>
public abstract class OqsCapabilityTests(SharedOqsServer shared)
{
    private const string Group = "アカウント情報管理";
    private const string Qualification = "資格確認";

    private static readonly (string Href, string Label) Register = ("/Accounts/Register", "アカウント管理（登録）");
    private static readonly (string Href, string Label) Update = ("/Accounts", "アカウント管理（更新）");
    private static readonly (string Href, string Label) Password = ("/ChangePassword", "パスワード変更");
    private static readonly (string Href, string Label) Terminals = ("/Terminals", "端末証明書一覧");
    private static readonly (string Href, string Label) AuditLog = ("/AuditLog", "操作ログ照会");
    private static readonly (string Href, string Label) Lookup = ("/Qualifications", "資格情報照会");
    private static readonly (string Href, string Label) Results = ("/Qualifications/Results", "資格確認結果一覧");
    private static readonly (string Href, string Label) Bulk = ("/Qualifications/Bulk", "一括照会");

    // The 《資格確認》 group of each kind that has one (SPEC §11.2: looking up — one patient or 一括照会 — for 管理者・一般・医療情報閲覧,
    // the list for マスタ・管理者).
    private static readonly Dictionary<string, (string Href, string Label)[]> ExpectedQualificationMenu = new()
    {
        ["master"] = [Results],
        ["admin"] = [Lookup, Bulk, Results],
        ["general"] = [Lookup, Bulk],
        ["medical"] = [Lookup, Bulk],
    };

    // The 《アカウント情報管理》 menu of each kind, line by line, in order.
    private static readonly Dictionary<string, (string Href, string Label)[]> ExpectedMenu = new()
    {
        ["master"] = [Register, Update, Password, Terminals, AuditLog],
        ["reset"] = [Update],
        ["admin"] = [Register, Update, Password, Terminals, AuditLog],
        ["general"] = [Password],
        ["medical"] = [Password],
        ["app"] = [Password],
        ["webapi"] = [Password],
        ["face"] = [Password],
    };

    // Each screen of a capability, its heading, and the kinds it opens for; every other kind is refused.
    private static readonly (string Path, string H1, string[] Kinds)[] Screens =
    [
        ("/Accounts", "アカウント管理（更新）", ["master", "reset", "admin"]),
        ("/Accounts/Detail/{master}", "アカウント情報", ["master", "reset", "admin"]),
        ("/Accounts/Register", "アカウント管理（登録）", ["master", "admin"]),
        ("/ChangePassword", "パスワード変更", ["master", "admin", "general", "medical", "app", "webapi", "face"]),
        ("/Terminals", "端末証明書一覧", ["master", "admin"]),
        ("/AuditLog", "操作ログ照会", ["master", "admin"]),
        ("/AuditLog/Logins", "ログイン履歴", ["master", "admin"]),
        ("/Qualifications", "資格情報照会", ["admin", "general", "medical"]),
        ("/Qualifications/Results", "資格確認結果一覧", ["master", "admin"]),
        ("/Qualifications/Bulk", "一括照会", ["admin", "general", "medical"]),
    ];

    private OqsServer Server => shared.Server;

    public static TheoryData<string> Kinds() => [.. ExpectedMenu.Keys];

    [Fact]
    public void Kinds_EveryAccountKindHasItsRow() =>
        ExpectedMenu.Keys.Order().ShouldBe(Server.Demo.Accounts.Select(a => a.Kind).Order(), "the demo holds one account of each of the eight kinds");

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task EachKind_MenuShowsItsScreens_TheyOpen_EveryOtherScreenIsDeniedAndAudited(string kind)
    {
        var account = Server.Account(kind);
        using var client = Server.Client(Server.Demo.Terminal);
        var menu = await client.LoginAsync(account.UserId, account.Password);
        menu.Path.ShouldBe("/Menu");

        var groups = menu.MenuGroups();
        if (ExpectedQualificationMenu.TryGetValue(kind, out var qualification))
        {
            groups.Select(g => g.Title).ShouldBe([Qualification, Group], kind);
            groups[0].Items.ShouldBe(qualification, kind);
        }
        else
        {
            groups.Select(g => g.Title).ShouldBe([Group], kind);
        }

        groups[^1].Items.ShouldBe(ExpectedMenu[kind], kind);

        var masterId = (await Server.AccountRowAsync(Server.Account("master").UserId)).Id.ToString(CultureInfo.InvariantCulture);
        foreach (var (template, h1, kinds) in Screens)
        {
            var path = template.Replace("{master}", masterId, StringComparison.Ordinal);
            var denialsBefore = await DenialsAsync(account.UserId, path);

            var page = await client.GetAsync(path);

            if (kinds.Contains(kind))
            {
                page.Status.ShouldBe(HttpStatusCode.OK, $"{kind} {path}");
                page.Path.ShouldBe(path);
                page.H1.ShouldBe(h1);
                (await DenialsAsync(account.UserId, path)).ShouldBe(denialsBefore, $"{kind} {path}");
            }
            else
            {
                page.Status.ShouldBe(HttpStatusCode.Forbidden, $"{kind} {path}");
                page.Path.ShouldBe("/Denied");
                page.H1.ShouldBe("この画面は利用できません");
                (await DenialsAsync(account.UserId, path)).ShouldBe(denialsBefore + 1, $"{kind} {path}");
            }
        }
    }

    [Fact]
    public async Task ResetAccount_ChangePassword_DeniedSayingWhereTheSecretNumberChanges_PostChangesNothing()
    {
        var reset = Server.Account("reset", other: true);
        using var client = Server.Client(Server.Demo.OtherInstitution.Terminal);
        (await client.LoginAsync(reset.UserId, reset.Password)).Path.ShouldBe("/Menu");
        var before = await Server.AccountRowAsync(reset.UserId);

        // Its password is the 秘密の番号: never temporary, never expiring, so it is never sent to /ChangePassword.
        before.MustChangePassword.ShouldBeFalse();
        before.PasswordExpiresAt.ShouldBeNull();

        var page = await client.GetAsync("/ChangePassword");
        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        page.Path.ShouldBe("/Denied");
        page.Q("[data-testid=denied-hint]").ShouldNotBeNull().TextContent.ShouldContain("「利用開始・変更申請」から変更してください。");
        page.Q("input[name='Input.NewPassword']").ShouldBeNull();

        var token = (await client.GetAsync("/Menu")).Q("input[name=__af]").ShouldNotBeNull().GetAttribute("value")!;
        var post = await client.PostAsync("/ChangePassword",
        [
            new("__af", token), new("Input.CurrentPassword", reset.Password),
            new("Input.NewPassword", "Reset-Kaeru-2026!"), new("Input.ConfirmPassword", "Reset-Kaeru-2026!"),
        ]);

        post.Status.ShouldBe(HttpStatusCode.Forbidden);
        post.Path.ShouldBe("/Denied");
        var after = await Server.AccountRowAsync(reset.UserId);
        after.PasswordHash.ShouldBe(before.PasswordHash);
        after.SecurityStamp.ShouldBe(before.SecurityStamp);
        (await DenialsAsync(reset.UserId, "/ChangePassword")).ShouldBe(2);
    }

    [Fact]
    public async Task EveryPersonKindGivenATemporaryPassword_IsSentToChangePassword_WhichOpens_AMachineKindsSecretIsNot()
    {
        var master = Server.Account("master", other: true);
        using var client = Server.Client(Server.Demo.OtherInstitution.Terminal);
        (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        var form = await client.GetAsync("/Accounts/Register");
        var kinds = form.Document.QuerySelectorAll("#Kind option[value]:not([value=''])").Select(o => (Value: o.GetAttribute("value")!, Label: o.TextContent.Trim())).ToList();
        kinds.Select(k => k.Label).ShouldBe(["管理者", "一般", "医療情報閲覧", "連携アプリ用", "Web API用", "顔認証用"]);

        for (var i = 0; i < kinds.Count; i++)
        {
            var userId = $"KARI{i + 1:00}";
            var issued = await client.SubmitAsync(await client.GetAsync("/Accounts/Register"), "main form", new Dictionary<string, string>
            {
                ["Input.UserId"] = userId,
                ["Input.DisplayName"] = "仮 太郎",
                ["Input.Kind"] = kinds[i].Value,
            });
            var temporary = issued.IssuedPassword();
            using var user = Server.Client(Server.Demo.OtherInstitution.Terminal);
            if (kinds[i].Label is "連携アプリ用" or "Web API用")
            {
                // SPEC §12: a machine's secret is set into the client as issued — no first-use change.
                (await Server.AccountRowAsync(userId)).MustChangePassword.ShouldBeFalse();
                (await user.LoginAsync(userId, temporary)).Path.ShouldBe("/Menu", kinds[i].Label);
                continue;
            }

            (await Server.AccountRowAsync(userId)).MustChangePassword.ShouldBeTrue();
            var landed = await user.LoginAsync(userId, temporary);

            landed.Status.ShouldBe(HttpStatusCode.OK, kinds[i].Label);
            landed.Path.ShouldBe("/ChangePassword", kinds[i].Label);
            landed.H1.ShouldBe("パスワード変更");
            landed.Q("input[name='Input.NewPassword']").ShouldNotBeNull();
            (await user.GetAsync("/Menu")).Path.ShouldBe("/ChangePassword", kinds[i].Label);
        }
    }

    private Task<int> DenialsAsync(string userId, string path) =>
        Server.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .CountAsync(a => a.Action == AuditActions.AccessDenied && a.Outcome == AuditOutcomes.Denied && a.Actor == userId && a.Target == path));
}

public sealed class OqsCapabilityTestsSqlite(SharedOqsServerSqlite shared) : OqsCapabilityTests(shared), IClassFixture<SharedOqsServerSqlite>;

public sealed class OqsCapabilityTestsPostgres(SharedOqsServerPostgres shared) : OqsCapabilityTests(shared), IClassFixture<SharedOqsServerPostgres>;

/// <summary>
/// One OQS of a provider shared by the tests of a class, for tests that only read or that each use accounts of their own
/// (an account signed in twice would be asked whether to end its other session).
/// </summary>
public abstract class SharedOqsServer(string provider) : IAsyncLifetime
{
    public OqsServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await OqsServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SharedOqsServerSqlite() : SharedOqsServer("sqlite");

public sealed class SharedOqsServerPostgres() : SharedOqsServer("postgres");
