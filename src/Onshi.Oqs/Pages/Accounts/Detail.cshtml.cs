using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// アカウント情報: the account's details and the actions the matrix allows (seed P7-4, P9-4). 無効 and a change of 権限区分 are
/// confirmed on a step of their own (works without JavaScript) before anything changes (issue 14, item 8); the search's
/// filters travel with every link and form (<see cref="AccountSearchQuery"/>).
/// </summary>
public sealed class DetailModel(AccountAdministration accounts) : PageModel
{
    private AccountSearchQuery? back;

    public AccountDetail? Detail { get; private set; }

    [BindProperty]
    public UpdateInput Input { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    /// <summary>The search the user came from (「検索画面へ戻る」).</summary>
    public AccountSearchQuery Back => back ??= AccountSearchQuery.From(Request.Query);

    /// <summary>Set while the confirmation of 無効 or a change of 権限区分 is shown: what will change.</summary>
    public IReadOnlyList<string>? PendingChanges { get; private set; }

    /// <summary>Set with <see cref="PendingChanges"/> when the account is used by a machine (顔認証用, 連携アプリ用, Web API用).</summary>
    public string? MachineWarning { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFoundPage();

    /// <summary>A POST naming no handler (or an unknown one) is not a request this page answers.</summary>
    public IActionResult OnPost() => NotFound();

    public async Task<IActionResult> OnPostUpdateAsync(long id)
    {
        if (!Input.Confirmed)
        {
            if (!await LoadAsync(id))
            {
                return NotFoundPage();
            }

            var a = Detail!.Account;
            var disabling = a.Status == AccountStatus.Active && Input.Status == AccountStatus.Disabled;
            // A 権限区分 the actor may not choose goes straight to the service, which refuses it (audited).
            var kindChange = Input.Kind != a.Kind && Detail.KindChoices.Contains(Input.Kind);
            if (Detail.CanUpdate && (disabling || kindChange))
            {
                PendingChanges = [.. Changes(a, disabling, kindChange)];
                MachineWarning = MachineUse(a.Kind);
                return Page();
            }
        }

        var result = await accounts.UpdateAsync(HttpContext.Actor(), id, Input.DisplayName, Input.Kind, Input.Status, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Message = "アカウント情報を更新しました。";
            return Redirect(Back.DetailUrl(id));
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(result.Errors);
        return await LoadAsync(id) ? Page() : NotFoundPage();
    }

    public async Task<IActionResult> OnPostUnlockAsync(long id)
    {
        var result = await accounts.UnlockAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Message = "ロックを解除しました。";
            return Redirect(Back.DetailUrl(id));
        }

        ModelState.AddOnshiErrors(result.Errors);
        return await LoadAsync(id) ? Page() : NotFoundPage();
    }

    /// <summary>
    /// What an account of <paramref name="kind"/> stops doing when it is disabled or its 権限区分 changes: the machines that sign in
    /// with it stop working. Null for the accounts of people.
    /// </summary>
    public static string? MachineUse(AccountKind kind) => kind switch
    {
        AccountKind.FaceAuth => "このアカウントは顔認証付きカードリーダーが使用しています。無効にするか権限区分を変更すると、そのカードリーダーでの資格確認（顔認証・マイナ保険証の受付）ができなくなります。",
        AccountKind.LinkedApp => "このアカウントは連携アプリケーション（レセプトコンピュータ・電子カルテ等との連携）が使用しています。無効にするか権限区分を変更すると、連携アプリケーションからの資格確認が停止します。",
        AccountKind.WebApi => "このアカウントはWeb APIを利用するシステム（レセプトコンピュータ・電子カルテ等）が使用しています。無効にするか権限区分を変更すると、そのシステムからの資格確認が停止します。",
        _ => null,
    };

    private IEnumerable<string> Changes(AccountRow a, bool disabling, bool kindChange)
    {
        if (kindChange)
        {
            yield return $"権限区分を「{AccountKinds.Label(a.Kind)}」から「{AccountKinds.Label(Input.Kind)}」に変更します。このアカウントでログインしている利用者はログアウトされます。";
            if (AccountKinds.IsMachine(a.Kind) != AccountKinds.IsMachine(Input.Kind))
            {
                yield return AccountKinds.IsMachine(a.Kind)
                    ? "連携アプリ用・Web API用から変更するため、現在のシークレットは使えなくなります。変更後に「パスワード初期化」で初期パスワードを発行してください。"
                    : "連携アプリ用・Web API用に変更するため、現在のパスワードは使えなくなります。変更後に「パスワード初期化」でシークレット（13文字以上、有効期限なし）を発行してください。";
            }
        }

        if (disabling)
        {
            yield return "状態を「無効」にします。このアカウントではログインできなくなり、ログイン中の利用者はログアウトされます。";
        }
    }

    private async Task<bool> LoadAsync(long id)
    {
        var result = await accounts.GetAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        Detail = result.Value;
        return result.Succeeded;
    }

    private NotFoundResult NotFoundPage() => NotFound();
}

/// <summary>The update form.</summary>
public sealed class UpdateInput
{
    public string? DisplayName { get; set; }

    public AccountKind Kind { get; set; }

    public AccountStatus Status { get; set; }

    /// <summary>True once the user has confirmed 無効 or a change of 権限区分 (the confirmation step's 「変更する」).</summary>
    public bool Confirmed { get; set; }
}
