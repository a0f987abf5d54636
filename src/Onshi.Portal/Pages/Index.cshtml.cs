using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.PortalAccounts;

namespace Onshi.Portal.Pages;

/// <summary>The home after login (seed P4): 「はじめての方へ」 with the institution's step, カテゴリ and the オンライン資格確認 items.</summary>
public sealed class IndexModel(OnboardingProgressService progress) : PageModel
{
    public string DisplayName => HttpContext.Features.Get<PortalPrincipal>()?.DisplayName ?? "";

    /// <summary>Where the user's institution is in 利用申請 → … → 運用開始日; null without a signed-in user.</summary>
    public OnboardingProgress? Progress { get; private set; }

    public async Task OnGetAsync()
    {
        if (HttpContext.Features.Get<PortalPrincipal>() is { } principal)
        {
            Progress = await progress.GetAsync(principal.UserId, HttpContext.RequestAborted);
        }
    }
}
