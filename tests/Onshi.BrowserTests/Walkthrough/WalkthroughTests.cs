using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Walkthrough;

/// <summary>
/// The seed guide walked end to end in Debian's Chromium, from an empty data directory, through the UI only: the real
/// <c>onshi</c> process serves the three sites; the only step outside a browser is <c>onshi operator add</c>, which
/// creates the first operator of a new system. Every step is a screenshot checked by axe-core, indexed under
/// artifacts/screenshots/walkthrough/.
/// </summary>
public sealed partial class WalkthroughTests : IAsyncLifetime
{
    private const string Email = "uketsuke@sakura-clinic.example.jp";
    private const string PortalPassword = "Sakura-Madoguchi-2026";
    private const string Code = "1310000059";
    private const string InstitutionName = "さくら内科クリニック";
    private const string Secret = "3870";
    private const string OtherCode = "2740000076";
    private const string OtherName = "みなと調剤薬局";
    private const string OperatorId = "sv-walk";
    private const string OperatorPassword = "Shinsa-Kanri-2026!";
    private const string MasterPassword = "Sakura-Master-2026!";
    private const string MasterPassword2 = "Sakura-Master-2027!";
    private const string AdminId = "SAKURA-ADMIN";
    private const string GeneralId = "SAKURA-UKE01";
    private const string AdminPassword = "Sakura-Kanri-2026!";
    private const string ProductionFile = "本_オンライン資格確認等システムユーザ設定情報.pdf";

    private string dataDirectory = null!;
    private string workDirectory = null!;
    private OnshiProcess onshi = null!;
    private BrowserSession browser = null!;
    private string operatorTemporary = null!;

    public async ValueTask InitializeAsync()
    {
        dataDirectory = Directory.CreateTempSubdirectory("onshi-walk-").FullName;
        workDirectory = Directory.CreateTempSubdirectory("onshi-walk-files-").FullName;
        Directory.EnumerateFileSystemEntries(dataDirectory).ShouldBeEmpty();

        // A new system has no operator: the first one is created on the command line, with a temporary password.
        var (exit, output) = await OnshiProcess.RunAsync(dataDirectory, "operator", "add", "--user-id", OperatorId, "--name", "審査 花子", "--role", "supervisor");
        exit.ShouldBe(0, output);
        operatorTemporary = TemporaryPassword().Match(output).Groups[1].Value;
        operatorTemporary.ShouldNotBeNullOrEmpty(output);

        onshi = await OnshiProcess.ServeAsync(dataDirectory, Path.Combine(workDirectory, "onshi.log"));
        browser = await BrowserSession.StartAsync("walkthrough", onshi.CaCertificatePath);
    }

    public async ValueTask DisposeAsync()
    {
        var shots = browser.ShotDirectory;
        await browser.DisposeAsync();
        await onshi.DisposeAsync();

        // The server's own log beside the screenshots, for a failed run's reader (the work directory goes below).
        if (File.Exists(onshi.LogPath))
        {
            File.Copy(onshi.LogPath, Path.Combine(shots, "onshi.log"), overwrite: true);
        }

        // The demo default keeps the master key beside the data directory (DATA.master-key).
        File.Delete(dataDirectory + ".master-key");
        foreach (var dir in new[] { dataDirectory, workDirectory })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Seed_WalkedEndToEnd_FromEmptyDataDirectory()
    {
        // 1. Portal: register, verify by the mail in the outbox, log in, 利用開始・変更申請 (新規, 本番 + 接続確認).
        var portal = await browser.NewPageAsync(onshi.Portal);
        await RegisterAndLogInAsync(portal);
        await ApplyForInstitutionAsync(portal, Code, InstitutionName, "東京都千代田区霞が関1-2-2", both: true, "step1");

        // 2. Operator console: the first operator's first login (forced change), then 審査 → 承認.
        var console = await browser.NewPageAsync(onshi.Console);
        await OperatorFirstLoginAsync(console);
        var (masterFromConsole, resetFromConsole) = await ApproveUsageAsync(console, InstitutionName, "step2");

        // 3. Portal: マスタアカウント情報ダウンロード → list → detail → the PDF; the IDs and password read out of its text.
        var credentials = await DownloadUserSettingsAsync(portal);
        credentials.MasterUserId.ShouldBe(masterFromConsole);
        credentials.ResetUserId.ShouldBe(resetFromConsole);

        // 4. A terminal certificate through 電子証明書発行申請; P2 with it; the master's first login; two accounts registered.
        var terminal = await IssueCertificateAsync(portal, console, Code, InstitutionName, "UKETSUKE-01", "step4");
        var master = await browser.NewPageAsync(onshi.Oqs, terminal.Pfx, terminal.Passphrase);
        await MasterFirstLoginAsync(master, credentials);
        var adminInitial = await RegisterAccountAsync(master, "管理者", AdminId, "受付 管理子", "admin");
        await RegisterAccountAsync(master, "一般", GeneralId, "受付 一郎", "general");

        // 5. P6–P8: 権限区分「管理者」 finds the admin; initialization, show/hide, the PDF, OK; the admin must change it.
        var adminTemporary = await InitializeFromSearchAsync(master, "管理者", AdminId, "p6-p8");
        adminTemporary.ShouldNotBe(adminInitial);
        var admin = await browser.NewPageAsync(onshi.Oqs, terminal.Pfx, terminal.Passphrase);
        await LoginMustChangeAsync(admin, AdminId, adminTemporary, AdminPassword, "admin");

        // 6. P9–P10: the master's password is forgotten; the reset account initializes it; the master logs in with it.
        var reset = await browser.NewPageAsync(onshi.Oqs, terminal.Pfx, terminal.Passphrase);
        await LoginAsync(reset, credentials.ResetUserId, Secret);
        await Assertions.Expect(reset.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(reset, "p9-reset-menu", "the reset account, logged in with the 秘密の番号, sees アカウント管理（更新） only");
        await Assertions.Expect(reset.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（登録）" })).ToHaveCountAsync(0);
        var masterTemporary = await InitializeFromSearchAsync(reset, "全て", credentials.MasterUserId, "p9-p10");
        await reset.GetByRole(AriaRole.Button, new() { Name = "ログアウト" }).ClickAsync();
        await Assertions.Expect(reset.GetByRole(AriaRole.Heading, new() { Name = "ログアウトしました" })).ToBeVisibleAsync();
        await Assertions.Expect(reset.GetByRole(AriaRole.Button, new() { Name = "ログアウト" })).ToHaveCountAsync(0);
        await browser.ShotAsync(reset, "p10-reset-logout", "「ログアウトしました」; the header no longer names the account");

        // The master's old session ended with the initialization; a fresh login with the new password, then a change.
        await master.ReloadAsync();
        await Assertions.Expect(master.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(master, "p10-master-session-ended", "the master's earlier session ended when its password was initialized");
        await LoginMustChangeAsync(master, credentials.MasterUserId, masterTemporary, MasterPassword2, "master");

        // 7. P3's last branch: the 秘密の番号 is forgotten; five wrong tries lock the reset account; the call center re-issues it.
        var locked = await browser.NewPageAsync(onshi.Oqs, terminal.Pfx, terminal.Passphrase);
        await LockResetAccountAsync(locked, credentials.ResetUserId);
        var newSecret = await CallCenterReissueAsync(console);
        newSecret.ShouldNotBe(Secret);
        await LoginAsync(locked, credentials.ResetUserId, Secret);
        await Assertions.Expect(locked.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await LoginAsync(locked, credentials.ResetUserId, newSecret);
        await Assertions.Expect(locked.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(locked, "p3-reset-new-secret", "the old number is refused; the reset account logs in with the number read from the notice PDF");

        // Certificates: none, another institution's, a revoked one — each sees the right page and gets nowhere.
        await NoCertificateAsync();
        await OtherInstitutionCertificateAsync(portal, console, credentials.MasterUserId);
        await RevokedCertificateAsync(portal, console);
    }

    private async Task RegisterAndLogInAsync(IPage page)
    {
        await page.GotoAsync(onshi.Portal.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step1-portal-login", "portal ログイン (P4): ユーザーID (原則メールアドレス), パスワード, 新規登録はこちら");
        await page.GetByRole(AriaRole.Link, new() { Name = "新規登録はこちら" }).ClickAsync();
        await page.GetByLabel("メールアドレス").FillAsync(Email);
        await page.GetByLabel("担当者名").FillAsync("桜井 窓子");
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalPassword);
        await page.GetByLabel("パスワード（確認）").FillAsync(PortalPassword);
        await browser.ShotAsync(page, "step1-register", "新規登録 filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "登録する" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "確認メールを送信しました" })).ToBeVisibleAsync();

        await page.GotoAsync(new Uri(onshi.Portal, "/Dev/Outbox").ToString());
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = Email }).GetByRole(AriaRole.Link).ClickAsync();
        await browser.ShotAsync(page, "step1-mail", "the verification mail in the outbox");
        await page.GetByTestId("mail-link").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メールアドレスの確認が完了しました" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "ログイン画面へ" }).ClickAsync();
        await page.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("categories")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step1-portal-home", "portal home: カテゴリ and the オンライン資格確認 items (P4)");
    }

    private async Task ApplyForInstitutionAsync(IPage page, string code, string name, string address, bool both, string step)
    {
        await page.GotoAsync(new Uri(onshi.Portal, "/").ToString());
        await page.GetByTestId("online-eligibility").GetByRole(AriaRole.Link).Filter(new() { HasText = "利用開始・変更申請" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "新規申請" }).ClickAsync();
        await page.GetByLabel("医療機関等コード").FillAsync(code);
        await page.GetByLabel("医療機関等名").FillAsync(name);
        await page.GetByLabel("所在地").FillAsync(address);
        await page.Locator("#Phone").FillAsync("03-3581-0101");
        await page.GetByLabel("本番環境").CheckAsync();
        if (both)
        {
            await page.GetByLabel("接続確認環境").CheckAsync();
        }

        await page.Locator("#ContactName").FillAsync("桜井 窓子");
        await page.Locator("#ContactPhone").FillAsync("090-3581-0202");
        await page.GetByLabel("秘密の番号（数字4桁）").FillAsync(Secret);
        await page.GetByLabel("秘密の番号（確認）").FillAsync(Secret);
        await browser.ShotAsync(page, $"{step}-application", $"利用開始・変更申請（新規申請）: {code} {name}, secret number twice");
        // 入力 → 確認 → 完了 (issue 14 item 10): the entries with the 秘密の番号 masked, then the 受付番号.
        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-summary")).ToContainTextAsync("●●●●");
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("done")).ToContainTextAsync("新規申請を受け付けました。");
        await page.GetByTestId("to-list").ClickAsync();
        var row = page.GetByTestId("applications").Locator("tbody tr").Filter(new() { HasText = code });
        await Assertions.Expect(row.GetByTestId("status")).ToHaveTextAsync("申請中");
        await browser.ShotAsync(page, $"{step}-applied", $"申請一覧: {code} 申請中");
    }

    private async Task OperatorFirstLoginAsync(IPage op)
    {
        await op.GotoAsync(onshi.Console.ToString());
        await op.GetByLabel("ユーザID").FillAsync(OperatorId);
        await op.GetByLabel("パスワード").FillAsync(operatorTemporary);
        await browser.ShotAsync(op, "step2-console-login", "運用者コンソール ログイン with the temporary password from `onshi operator add`");
        await op.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(op.GetByText("パスワードの変更が必要です。")).ToBeVisibleAsync();
        await op.GetByLabel("現在のパスワード").FillAsync(operatorTemporary);
        await op.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync(OperatorPassword);
        await op.GetByLabel("新しいパスワード（確認）").FillAsync(OperatorPassword);
        await op.GetByRole(AriaRole.Button, new() { Name = "変更する" }).ClickAsync();
        await Assertions.Expect(op.GetByText("パスワードを変更しました。")).ToBeVisibleAsync();
        await op.GetByRole(AriaRole.Link, new() { Name = "トップへ" }).ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "運用者コンソール" })).ToBeVisibleAsync();
        await browser.ShotAsync(op, "step2-console-home", "console home after the forced change");
    }

    /// <summary>審査 → the 新規 application of <paramref name="name"/> → 承認 → 承認する; returns the 本番 master and reset IDs shown.</summary>
    private async Task<(string Master, string Reset)> ApproveUsageAsync(IPage op, string name, string step)
    {
        await op.GotoAsync(new Uri(onshi.Console, "/Review?kind=usage").ToString());
        var row = op.GetByTestId("queue-usage").Locator("tbody tr").Filter(new() { HasText = name });
        await Assertions.Expect(row).ToContainTextAsync(Email);
        await browser.ShotAsync(op, $"{step}-queue", $"審査: the 新規 application of {name}");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(op.GetByTestId("secret")).ToHaveTextAsync("秘密の番号：設定あり");
        await op.GetByTestId("approve").ClickAsync();
        var confirm = op.GetByTestId("confirm-approve");
        await Assertions.Expect(confirm.GetByRole(AriaRole.Heading, new() { Name = "この申請を承認します。よろしいですか？" })).ToBeVisibleAsync();
        await browser.ShotAsync(op, $"{step}-confirm", "「この申請を承認します。よろしいですか？」");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "承認する" }).ClickAsync();
        await Assertions.Expect(op.GetByTestId("done")).ToContainTextAsync("承認しました");
        var production = op.GetByTestId("accounts").Locator("tbody tr").Filter(new() { HasText = "本番環境" });
        var masterId = (await production.Locator("td").Nth(1).TextContentAsync())!.Trim();
        var resetId = (await production.Locator("td").Nth(2).TextContentAsync())!.Trim();
        await browser.ShotAsync(op, $"{step}-approved", $"承認しました: the institution, its master {masterId} and reset {resetId} accounts created");
        return (masterId, resetId);
    }

    private async Task<Credentials> DownloadUserSettingsAsync(IPage page)
    {
        await page.GotoAsync(new Uri(onshi.Portal, "/").ToString());
        await page.GetByTestId("online-eligibility").GetByRole(AriaRole.Link).Filter(new() { HasText = "マスタアカウント情報ダウンロード" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "オンライン資格確認マスタアカウント情報管理" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("count")).ToHaveTextAsync("1~2 件目 / 2 件");
        await browser.ShotAsync(page, "step3-master-account-list", "マスタアカウント情報 list (P5): 本番環境 and 接続確認環境, 「1~2 件目 / 2 件」");
        await page.GetByRole(AriaRole.Link, new() { Name = ProductionFile }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "添付ファイル" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step3-master-account-detail", "the detail with 添付ファイル " + ProductionFile);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("attachment").ClickAsync());
        download.SuggestedFilename.ShouldBe(ProductionFile);
        var pdf = Path.Combine(browser.ShotDirectory, "user-settings.pdf");
        await download.SaveAsAsync(pdf);
        var text = await BrowserSession.PdfToTextAsync(pdf);
        text.ShouldContain(Code);
        var credentials = new Credentials(
            PdfValue(text, "ユーザID"),
            PdfValue(text, "パスワード"),
            PdfValue(text, "リセット用ユーザID"));
        return credentials;
    }

    /// <summary>電子証明書発行申請 on the portal, 承認 in the console, the one-time download: the PKCS#12 and its passphrase.</summary>
    private async Task<(string Pfx, string Passphrase)> IssueCertificateAsync(IPage page, IPage op, string code, string name, string terminalName, string step)
    {
        await page.GotoAsync(new Uri(onshi.Portal, "/").ToString());
        await page.GetByTestId("online-eligibility").GetByRole(AriaRole.Link).Filter(new() { HasText = "電子証明書発行申請" }).ClickAsync();
        await page.GetByLabel("医療機関等").SelectOptionAsync(new SelectOptionValue { Label = $"{code} {name}" });
        await page.GetByLabel("端末名").FillAsync(terminalName);
        await browser.ShotAsync(page, $"{step}-certificate-apply", $"電子証明書発行申請: 個別申請 for {terminalName}");
        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("receipt-number")).ToBeVisibleAsync();

        await op.GotoAsync(new Uri(onshi.Console, "/Review?kind=certificate").ToString());
        await op.GetByTestId("queue-certificate").Locator("tbody tr").Filter(new() { HasText = terminalName }).GetByRole(AriaRole.Link).ClickAsync();
        await op.GetByTestId("approve").ClickAsync();
        await browser.ShotAsync(op, $"{step}-certificate-confirm", "「この申請を承認し、電子証明書を発行します。よろしいですか？」");
        await op.GetByTestId("confirm-approve").GetByRole(AriaRole.Button, new() { Name = "承認する（証明書を発行）" }).ClickAsync();
        await Assertions.Expect(op.GetByTestId("issued")).ToBeVisibleAsync();

        await page.GetByTestId("to-list").ClickAsync();
        var row = page.Locator($"[data-testid=certificate-applications] tbody tr").Filter(new() { HasText = terminalName });
        await Assertions.Expect(row.GetByTestId("status")).ToHaveTextAsync("承認");
        await browser.ShotAsync(page, $"{step}-certificate-approved", "申請照会: 承認, 「ダウンロード」 offered once");
        await row.GetByRole(AriaRole.Button, new() { Name = "ダウンロード" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "電子証明書のダウンロード" })).ToBeVisibleAsync();
        var passphrase = page.GetByTestId("passphrase");
        await Assertions.Expect(passphrase).ToHaveTextAsync("●●●●●●●●");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" }).ClickAsync();
        var secret = (await passphrase.TextContentAsync())!.Trim();
        secret.ShouldNotContain("●");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "証明書ファイルを保存" }).ClickAsync());
        var pfx = Path.Combine(workDirectory, terminalName + ".p12");
        await download.SaveAsAsync(pfx);
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" }).ClickAsync();
        await browser.ShotAsync(page, $"{step}-certificate-download", $"the certificate of {terminalName} saved; its passphrase shown once (hidden again for the screenshot)");
        await page.GetByTestId("issued-ok").ClickAsync();
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "ダウンロード" })).ToHaveCountAsync(0);
        return (pfx, secret);
    }

    private async Task MasterFirstLoginAsync(IPage page, Credentials credentials)
    {
        await page.GotoAsync(onshi.Oqs.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "オンライン資格確認等システム" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step4-p2-start", "P2: the start page with 「システムの利用を始める」, reached with the new terminal certificate");
        await page.GetByRole(AriaRole.Link, new() { Name = "システムの利用を始める" }).ClickAsync();
        await LoginAsync(page, credentials.MasterUserId, credentials.MasterPassword, shot: "step4-p2-login");
        await Assertions.Expect(page.GetByText("パスワードの変更が必要です。")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step4-forced-change", "the master must change the password of the PDF");
        await ChangePasswordAsync(page, credentials.MasterPassword, MasterPassword);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step4-menu", "メニュー of the master: アカウント管理（登録）/（更新）");
    }

    /// <summary>アカウント管理（登録）: returns the initial password shown (once) in the result.</summary>
    private async Task<string> RegisterAccountAsync(IPage page, string kind, string userId, string displayName, string shot)
    {
        await page.GotoAsync(new Uri(onshi.Oqs, "/Menu").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（登録）" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント管理（登録）" })).ToBeVisibleAsync();
        await page.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = kind });
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("ユーザ名").FillAsync(displayName);
        await browser.ShotAsync(page, $"step4-register-{shot}", $"アカウント管理（登録）: {kind} {userId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "登録", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("アカウントを登録しました。利用者にパスワード情報を通知してください。")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("issued-user-id")).ToHaveTextAsync(userId);
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" }).ClickAsync();
        var password = (await page.Locator("#issued-password").TextContentAsync())!.Trim();
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" }).ClickAsync();
        await browser.ShotAsync(page, $"step4-registered-{shot}", $"「アカウントを登録しました。」 with the initial password of {userId} (masked)");
        await page.GetByTestId("issued-ok").ClickAsync();
        return password;
    }

    /// <summary>P6–P8 from the account logged in on <paramref name="page"/>: search, アカウント情報, initialization; the new password.</summary>
    private async Task<string> InitializeFromSearchAsync(IPage page, string kind, string userId, string step)
    {
        await page.GotoAsync(new Uri(onshi.Oqs, "/Menu").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（更新）" }).ClickAsync();
        await page.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = kind });
        await page.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = userId, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(CountText())).ToBeVisibleAsync();
        await browser.ShotAsync(page, $"{step}-search", $"アカウント管理（更新）: 権限区分「{kind}」 lists {userId} with 「1~N 件目 / M 件」");
        await page.GetByRole(AriaRole.Link, new() { Name = $"{userId} のアカウント情報" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, $"{step}-detail", $"アカウント情報 of {userId}");

        await page.GetByRole(AriaRole.Link, new() { Name = "パスワード初期化" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "パスワード初期化" });
        await Assertions.Expect(dialog.GetByText("パスワードを初期化します。よろしいですか？")).ToBeVisibleAsync();
        await browser.ShotAsync(page, $"{step}-confirm", "「パスワードを初期化します。よろしいですか？」 OK / キャンセル");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "OK" }).ClickAsync();

        await Assertions.Expect(page.GetByText("パスワードを初期化しました。利用者にパスワード情報を通知してください。")).ToBeVisibleAsync();
        var secret = page.Locator("#issued-password");
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");
        await browser.ShotAsync(page, $"{step}-result", "result: ●●●●●●●●, パスワード表示, ダウンロード, OK");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" }).ClickAsync();
        var password = (await secret.TextContentAsync())!.Trim();
        password.ShouldNotContain("●");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "ダウンロード" }).ClickAsync());
        var pdf = Path.Combine(workDirectory, $"{step}-account-settings.pdf");
        await download.SaveAsAsync(pdf);
        var text = await BrowserSession.PdfToTextAsync(pdf);
        text.ShouldContain("アカウント設定情報");
        text.ShouldContain(userId);
        text.ShouldContain(password);
        await page.GetByRole(AriaRole.Link, new() { Name = "OK" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();
        return password;
    }

    private async Task LoginMustChangeAsync(IPage page, string userId, string temporary, string newPassword, string shot)
    {
        await page.GotoAsync(new Uri(onshi.Oqs, "/Login").ToString());
        await LoginAsync(page, userId, temporary);
        await Assertions.Expect(page.GetByText("パスワードの変更が必要です。")).ToBeVisibleAsync();
        await browser.ShotAsync(page, $"forced-change-{shot}", $"{userId} logs in with the initialized password and must change it");
        await ChangePasswordAsync(page, temporary, newPassword);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, $"menu-{shot}", $"{userId} reaches the menu with the new password");
    }

    private async Task LockResetAccountAsync(IPage page, string resetUserId)
    {
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(page, resetUserId, $"{i}{i + 1}{i + 3}9");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.Locator(".error-summary")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step7-wrong-secret", "five wrong 秘密の番号: the reset account is locked (the message names the call center)");
        await LoginAsync(page, resetUserId, Secret);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "step7-locked", "even the right number is refused while locked");
    }

    /// <summary>コールセンター → the institution → 本人確認 → 秘密の番号を再発行 → the notice PDF; the new number read from it.</summary>
    private async Task<string> CallCenterReissueAsync(IPage op)
    {
        await op.GotoAsync(new Uri(onshi.Console, "/").ToString());
        await op.GetByRole(AriaRole.Link).Filter(new() { HasText = "コールセンター" }).First.ClickAsync();
        await op.GetByLabel("医療機関等コードまたは医療機関等名").FillAsync(Code);
        await op.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await browser.ShotAsync(op, "step7-callcenter-search", "コールセンター: the institution found by its code");
        await op.GetByTestId("institutions").GetByRole(AriaRole.Link, new() { Name = Code }).ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = InstitutionName })).ToBeVisibleAsync();
        await Assertions.Expect(op.GetByTestId("unlock-Production")).ToBeVisibleAsync();
        await op.GetByLabel("本人確認の方法").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await op.GetByLabel("発信者名").FillAsync("桜井 窓子");
        await op.GetByLabel("メモ").FillAsync("秘密の番号を忘れたとの相談。登録情報で本人確認済み。");
        await browser.ShotAsync(op, "step7-callcenter-desk", "the desk: reset account locked, 本人確認 recorded");
        await op.GetByTestId("reissue-Production").ClickAsync();
        var confirm = op.GetByTestId("confirm-reissue");
        await Assertions.Expect(confirm.GetByRole(AriaRole.Heading, new() { Name = "秘密の番号を再発行します。よろしいですか？" })).ToBeVisibleAsync();
        await browser.ShotAsync(op, "step7-callcenter-confirm", "「秘密の番号を再発行します。よろしいですか？」 (the number is never shown)");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "再発行する" }).ClickAsync();
        var result = op.GetByTestId("reissue-result");
        await Assertions.Expect(result).ToBeVisibleAsync();
        await Assertions.Expect(op.GetByTestId("confirm-reissue")).ToHaveCountAsync(0);
        await browser.ShotAsync(op, "step7-callcenter-reissued", "the result page (PRG): 再発行結果, 通知書PDFをダウンロード, the updated 対応履歴");
        var download = await op.RunAndWaitForDownloadAsync(() => result.GetByRole(AriaRole.Link, new() { Name = "通知書PDFをダウンロード" }).ClickAsync());
        var pdf = Path.Combine(workDirectory, "notice.pdf");
        await download.SaveAsAsync(pdf);
        var text = await BrowserSession.PdfToTextAsync(pdf);
        text.ShouldContain(InstitutionName);
        var match = NoticeSecret().Match(text);
        match.Success.ShouldBeTrue(text);
        return match.Groups[1].Value;
    }

    private async Task NoCertificateAsync()
    {
        var page = await browser.NewPageAsync(onshi.Oqs);
        var response = await page.GotoAsync(onshi.Oqs.ToString());
        response!.Status.ShouldBe(403);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "認証用の証明書が確認できません" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "cert-none", "no certificate: 403 「認証用の証明書が確認できません」 with the call center");
        (await page.GotoAsync(new Uri(onshi.Oqs, "/Login").ToString()))!.Status.ShouldBe(403);
        await Assertions.Expect(page.GetByLabel("ユーザID")).ToHaveCountAsync(0);
    }

    private async Task OtherInstitutionCertificateAsync(IPage portal, IPage console, string masterUserId)
    {
        await ApplyForInstitutionAsync(portal, OtherCode, OtherName, "大阪府大阪市港区築港1-1-1", both: false, "cert-other");
        await ApproveUsageAsync(console, OtherName, "cert-other");
        var other = await IssueCertificateAsync(portal, console, OtherCode, OtherName, "MINATO-01", "cert-other");
        var page = await browser.NewPageAsync(onshi.Oqs, other.Pfx, other.Passphrase);
        await page.GotoAsync(new Uri(onshi.Oqs, "/Login").ToString());
        await LoginAsync(page, masterUserId, MasterPassword2);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        await browser.ShotAsync(page, "cert-other-refused", $"{OtherName}'s terminal: {InstitutionName}'s master with the right password is refused, like a wrong password");
        (await page.GotoAsync(new Uri(onshi.Oqs, "/Menu").ToString()))!.Url.ShouldNotContain("/Menu");
    }

    private async Task RevokedCertificateAsync(IPage portal, IPage console)
    {
        var spare = await IssueCertificateAsync(portal, console, Code, InstitutionName, "UKETSUKE-02", "cert-revoked");
        await console.GotoAsync(new Uri(onshi.Console, "/Certificates").ToString());
        var row = console.GetByTestId("certificates").Locator("tbody tr").Filter(new() { HasText = "UKETSUKE-02" });
        await row.GetByRole(AriaRole.Link, new() { Name = "失効" }).ClickAsync();
        var confirm = console.GetByTestId("confirm-revoke");
        await Assertions.Expect(confirm.GetByRole(AriaRole.Heading, new() { Name = "この証明書を失効させます。よろしいですか？" })).ToBeVisibleAsync();
        await browser.ShotAsync(console, "cert-revoke-confirm", "端末証明書: 「この証明書を失効させます。よろしいですか？」");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "失効" }).ClickAsync();
        await Assertions.Expect(console.GetByText($"{InstitutionName} の端末 UKETSUKE-02 の証明書を失効しました。")).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("失効");
        await browser.ShotAsync(console, "cert-revoked-list", "端末証明書: UKETSUKE-02 失効");

        var page = await browser.NewPageAsync(onshi.Oqs, spare.Pfx, spare.Passphrase);
        var response = await page.GotoAsync(onshi.Oqs.ToString());
        response!.Status.ShouldBe(403);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "認証用の証明書が失効しています" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "cert-revoked", "revoked certificate: 403 「認証用の証明書が失効しています」");
        (await page.GotoAsync(new Uri(onshi.Oqs, "/Login").ToString()))!.Status.ShouldBe(403);
    }

    private async Task LoginAsync(IPage page, string userId, string password, string? shot = null)
    {
        if (!new Uri(page.Url).AbsolutePath.Equals("/Login", StringComparison.Ordinal))
        {
            await page.GotoAsync(new Uri(onshi.Oqs, "/Login").ToString());
        }

        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード").FillAsync(password);
        if (shot is not null)
        {
            await browser.ShotAsync(page, shot, "ログイン with the ユーザID and パスワード");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        try
        {
            await page.WaitForLoadStateAsync();
        }
        catch (TimeoutException)
        {
            // Once seen in CI under load (the page after ログイン never finished loading): keep what the browser had.
            await File.WriteAllTextAsync(Path.Combine(browser.ShotDirectory, "login-timeout.txt"),
                $"{page.Url}\n\n{await page.ContentAsync()}");
            await page.ScreenshotAsync(new() { Path = Path.Combine(browser.ShotDirectory, "login-timeout.png") });
            throw;
        }
    }

    private static async Task ChangePasswordAsync(IPage page, string current, string next)
    {
        await page.GetByLabel("現在のパスワード").FillAsync(current);
        await page.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync(next);
        await page.GetByLabel("新しいパスワード（確認）").FillAsync(next);
        await page.GetByRole(AriaRole.Button, new() { Name = "変更する" }).ClickAsync();
        await Assertions.Expect(page.GetByText("パスワードを変更しました。")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "メニューへ" }).ClickAsync();
    }

    private static string PdfValue(string text, string label)
    {
        var match = Regex.Match(text, $@"(?m)^\s*{Regex.Escape(label)}\s+(\S+)\s*$");
        match.Success.ShouldBeTrue($"{label} not found in:\n{text}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"仮パスワード \(temporary password\): (\S+)")]
    private static partial Regex TemporaryPassword();

    [GeneratedRegex(@"秘密の番号\S*\s+(\d{4})\b")]
    private static partial Regex NoticeSecret();

    [GeneratedRegex(@"1~\d+ 件目 / \d+ 件")]
    private static partial Regex CountText();

    private sealed record Credentials(string MasterUserId, string MasterPassword, string ResetUserId);
}
