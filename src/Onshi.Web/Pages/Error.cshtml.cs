using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Onshi.Web.Pages;

/// <summary>
/// Every site's error page (shared through Onshi.Web): every unexpected failure and every 4xx lands here — a calm
/// Japanese page, never a stack trace.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "エラーが発生しました";

    public string Message { get; private set; } = "";

    public void OnGet(int? code) => Set(code);

    public void OnPost(int? code) => Set(code);

    private void Set(int? code)
    {
        // A re-executed POST whose form could not be read (e.g. a NUL in it) binds no code: use the status.
        code ??= Response.StatusCode;
        var refusal = HttpContext.Features.Get<Onshi.Web.Hosting.RequestRefusal>()?.Reason;
        if (refusal == Onshi.Core.Features.Audit.RequestRefusalReasons.Host)
        {
            (Title, Message) = ("接続先のアドレスが正しくありません", "このアドレスではご利用いただけません。正しいアドレス（URL）から画面を開き直してください。");
            return;
        }

        if (refusal == Onshi.Core.Features.Audit.RequestRefusalReasons.ForwardedHeader)
        {
            (Title, Message) = ("接続経路が正しくありません", "この経路からの接続は受け付けられません。正しいアドレス（URL）から画面を開き直してください。");
            return;
        }

        (Title, Message) = code switch
        {
            404 => ("ページが見つかりません", "お探しのページは見つかりませんでした。トップページから操作をやり直してください。"),
            400 => ("操作を受け付けられませんでした", "画面を開いてから時間が経過したか、入力内容に使用できない文字が含まれていたため、操作を受け付けられませんでした。画面を開き直してから、もう一度操作してください。"),
            403 => ("この操作は行えません", "この操作を行う権限がありません。"),
            405 => ("操作が正しくありません", "画面のボタンから操作してください。"),
            413 => ("送信内容が大きすぎます", "入力内容を確認してください。"),
            503 => ("ただいま切り替え中です", "サーバーの切り替えのため、一時的にご利用いただけません。しばらく待ってから、もう一度操作してください。"),
            _ => ("エラーが発生しました", "処理中にエラーが発生しました。しばらくしてから、もう一度お試しください。"),
        };
    }
}
