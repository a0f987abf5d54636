using System.Net;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>The steps of the seed, as a user at the terminal performs them.</summary>
public static class OqsStories
{
    /// <summary>P2: start page → 「システムの利用を始める」 → ログイン.</summary>
    public static async Task<OqsPage> LoginAsync(this OqsClient client, string userId, string password)
    {
        var start = await client.GetAsync("/");
        start.Status.ShouldBe(HttpStatusCode.OK);
        var startLink = start.Q("a[href='/Login']").ShouldNotBeNull();
        startLink.TextContent.Trim().ShouldBe("システムの利用を始める");
        var login = await client.GetAsync("/Login");
        login.H1.ShouldBe("ログイン");
        return await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = userId,
            ["Input.Password"] = password,
        });
    }

    /// <summary>
    /// P2 for an account that may have a live session elsewhere: logs in and, when asked
    /// 「該当のユーザは既に使用されています。強制的にログインしますか？」 (SPEC §4.8), answers OK.
    /// </summary>
    public static async Task<OqsPage> ForceLoginAsync(this OqsClient client, string userId, string password)
    {
        var page = await client.LoginAsync(userId, password);
        return page.Q("[data-testid=forced-login]") is null ? page : await client.SubmitAsync(page, "form[action*='handler=Force']");
    }

    public static async Task<OqsPage> ChangePasswordAsync(this OqsClient client, string current, string next, string? confirm = null)
    {
        var page = await client.GetAsync("/ChangePassword");
        page.H1.ShouldBe("パスワード変更");
        return await client.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = confirm ?? next,
        });
    }

    /// <summary>メニュー → 《アカウント管理（更新）》 → search with a 権限区分 label (全て, マスタ, 管理者, 一般, ...).</summary>
    public static async Task<OqsPage> SearchAsync(this OqsClient client, string kindLabel = "全て", string? userId = null)
    {
        var menu = await client.GetAsync("/Menu");
        menu.Q("a[href='/Accounts']").ShouldNotBeNull().TextContent.ShouldContain("アカウント管理（更新）");
        var search = await client.GetAsync("/Accounts");
        search.H1.ShouldBe("アカウント管理（更新）");
        var option = search.Document.QuerySelectorAll("#Kind option").Single(o => o.TextContent.Trim() == kindLabel);
        var values = new Dictionary<string, string> { ["Kind"] = option.GetAttribute("value")! };
        if (userId is not null)
        {
            values["UserId"] = userId;
        }

        return await client.SubmitAsync(search, "form[role=search]", values);
    }

    /// <summary>
    /// The メニュー as the user reads it: each group's heading with its lines (link target, and the title without the
    /// description under it), in order.
    /// </summary>
    public static IReadOnlyList<(string Title, IReadOnlyList<(string Href, string Label)> Items)> MenuGroups(this OqsPage menu)
    {
        menu.H1.ShouldBe("メニュー");
        return
        [
            .. menu.Document.QuerySelectorAll("main ul.menu").Select(list =>
            {
                var h = list.PreviousElementSibling.ShouldNotBeNull();
                h.LocalName.ShouldBe("h2");
                IReadOnlyList<(string, string)> items =
                    [.. list.QuerySelectorAll("li > a").Select(a => (a.GetAttribute("href") ?? "", a.ChildNodes[0].TextContent.Trim()))];
                return (h.TextContent.Trim(), items);
            }),
        ];
    }

    public static IReadOnlyList<string> ResultUserIds(this OqsPage results) =>
        [.. results.Document.QuerySelectorAll("tbody tr[data-user-id]").Select(r => r.GetAttribute("data-user-id")!)];

    /// <summary>Clicks アカウント情報 of <paramref name="userId"/> in the results.</summary>
    public static async Task<OqsPage> OpenDetailAsync(this OqsClient client, OqsPage results, string userId)
    {
        var row = results.Document.QuerySelector($"tbody tr[data-user-id='{userId}']").ShouldNotBeNull($"{userId} not in results");
        var link = row.QuerySelector("a").ShouldNotBeNull();
        link.TextContent.Trim().ShouldBe("アカウント情報");
        var detail = await client.GetAsync(link.GetAttribute("href")!);
        detail.H1.ShouldBe("アカウント情報");
        return detail;
    }

    /// <summary>P7-4 to P8-6: 「パスワード初期化」 → 「パスワードを初期化します。よろしいですか？」 → OK → the result dialog.</summary>
    public static async Task<OqsPage> InitializePasswordAsync(this OqsClient client, OqsPage detail)
    {
        var button = detail.Document.QuerySelectorAll("a.button").Single(a => a.TextContent.Trim() == "パスワード初期化");
        var confirm = await client.GetAsync(button.GetAttribute("href")!);
        confirm.H1.ShouldBe("パスワード初期化");
        confirm.Text.ShouldContain("パスワードを初期化します。よろしいですか？");
        confirm.Document.QuerySelectorAll("button").Select(b => b.TextContent.Trim()).ShouldContain("OK");
        confirm.Document.QuerySelectorAll("a").Select(b => b.TextContent.Trim()).ShouldContain("キャンセル");
        var result = await client.SubmitAsync(confirm, "main form");
        result.H1.ShouldBe("パスワード");
        return result;
    }

    /// <summary>The password the result dialog holds behind 「パスワード表示」.</summary>
    public static string IssuedPassword(this OqsPage result) =>
        result.Q("#issued-password").ShouldNotBeNull().GetAttribute("data-secret").ShouldNotBeNull();
}
