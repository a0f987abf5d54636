using System.Net;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>The portal's steps as its user performs them (seed P4).</summary>
public static class PortalStories
{
    public const string Password = "Kanri-Hikari#2025";

    /// <summary>ログイン → 「アカウントがありませんか? 新規登録はこちら」 → 新規登録 form.</summary>
    public static async Task<OqsPage> RegisterAsync(this OqsClient client, string email, string displayName = "山田 花子",
        string password = Password, string? confirm = null)
    {
        var login = await client.GetAsync("/Account/Login");
        login.Q("a[href='/Account/Register']").ShouldNotBeNull().TextContent.ShouldBe("新規登録はこちら");
        var form = await client.GetAsync("/Account/Register");
        form.H1.ShouldBe("新規登録");
        return await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = displayName,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirm ?? password,
        });
    }

    public static async Task<OqsPage> PortalLoginAsync(this OqsClient client, string email, string password)
    {
        var login = await client.GetAsync("/Account/Login");
        login.Status.ShouldBe(HttpStatusCode.OK);
        login.H1.ShouldBe("ログイン");
        return await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }

    public static async Task<OqsPage> ForgotPasswordAsync(this OqsClient client, string email)
    {
        var login = await client.GetAsync("/Account/Login");
        login.Q("a[href='/Account/ForgotPassword']").ShouldNotBeNull().TextContent.ShouldBe("パスワードの再設定");
        var form = await client.GetAsync("/Account/ForgotPassword");
        return await client.SubmitAsync(form, "main form", new Dictionary<string, string> { ["Input.Email"] = email });
    }

    public static async Task<OqsPage> PortalLogoutAsync(this OqsClient client)
    {
        var home = await client.GetAsync("/");
        return await client.SubmitAsync(home, "header form");
    }

    /// <summary>Registers and follows the mailed verification link: a user that can log in.</summary>
    public static async Task RegisterVerifiedAsync(this PortalServer server, string email, string password = Password)
    {
        using var client = server.Client();
        (await client.RegisterAsync(email, password: password)).H1.ShouldBe("確認メールを送信しました");
        var verified = await client.GetAsync(server.LinkOf(server.LastMailTo(email)));
        verified.H1.ShouldBe("メールアドレスの確認が完了しました");
    }
}
