using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Applications;

/// <summary>The steps of 「はじめての方へ」, in order: 利用申請 → 審査 → マスタアカウント情報 → 電子証明書 → 運用開始日.</summary>
public enum OnboardingStep
{
    /// <summary>利用申請: no 新規 申請 yet, or the last one was sent back.</summary>
    Apply = 0,

    /// <summary>審査: a 新規 申請 waits for the operating body's review.</summary>
    Review = 1,

    /// <summary>マスタアカウント情報: approved; the ユーザ設定情報 is ready to download, no certificate applied for yet.</summary>
    MasterAccount = 2,

    /// <summary>電子証明書: a certificate is applied for and not issued yet.</summary>
    Certificate = 3,

    /// <summary>運用開始日: a certificate is issued; no 運用開始日 registered yet.</summary>
    OperationStart = 4,

    /// <summary>Every step is done (a 運用開始日 is registered).</summary>
    Done = 5,
}

/// <summary>Where a portal user's institution is in 「はじめての方へ」, and of which institution that is said.</summary>
public sealed record OnboardingProgress(OnboardingStep Current, string? InstitutionCode, string? InstitutionName, bool SentBack)
{
    /// <summary>The labels of the five steps, in order.</summary>
    public static readonly IReadOnlyList<string> StepLabels = ["利用申請", "審査", "マスタアカウント情報", "電子証明書", "運用開始日"];
}

/// <summary>Derives <see cref="OnboardingProgress"/> from what is stored: applications, institutions, certificates and 運用開始日.</summary>
public sealed class OnboardingProgressService(OnshiDbContext db)
{
    /// <summary>
    /// The progress of the user's first institution (by code); without one, of the user's latest 新規 申請. Each step is
    /// read from the data that proves it, never from a flag kept for the strip.
    /// </summary>
    public async Task<OnboardingProgress> GetAsync(long portalUserId, CancellationToken cancellationToken = default)
    {
        var institution = await db.Institutions.AsNoTracking()
            .Where(i => i.ContactPortalUserId == portalUserId)
            .OrderBy(i => i.Code)
            .Select(i => new { i.Id, i.Code, i.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (institution is null)
        {
            var latest = await db.UsageApplications.AsNoTracking()
                .Where(a => a.PortalUserId == portalUserId && a.Kind == ApplicationKind.New)
                .OrderByDescending(a => a.SubmittedAt).ThenByDescending(a => a.Id)
                .Select(a => new { a.InstitutionCode, a.InstitutionName, a.Status })
                .FirstOrDefaultAsync(cancellationToken);
            return latest switch
            {
                null => new OnboardingProgress(OnboardingStep.Apply, null, null, false),
                { Status: ReviewStatus.Pending } => new OnboardingProgress(OnboardingStep.Review, latest.InstitutionCode, latest.InstitutionName, false),
                _ => new OnboardingProgress(OnboardingStep.Apply, latest.InstitutionCode, latest.InstitutionName, latest.Status == ReviewStatus.SentBack),
            };
        }

        OnboardingStep step;
        if (await db.OperationStartRegistrations.AnyAsync(r => r.InstitutionId == institution.Id, cancellationToken))
        {
            step = OnboardingStep.Done;
        }
        else if (await db.CertificateApplications.AnyAsync(a => a.InstitutionId == institution.Id && a.TerminalCertificateId != null, cancellationToken))
        {
            step = OnboardingStep.OperationStart;
        }
        else if (await db.CertificateApplications.AnyAsync(a => a.InstitutionId == institution.Id, cancellationToken))
        {
            step = OnboardingStep.Certificate;
        }
        else
        {
            step = OnboardingStep.MasterAccount;
        }

        return new OnboardingProgress(step, institution.Code, institution.Name, false);
    }
}
