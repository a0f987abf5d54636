using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.Applications;

/// <summary>What the review queue shows; <see cref="All"/> = every kind.</summary>
public enum ReviewQueueKind
{
    All = 0,

    /// <summary>利用開始・変更申請.</summary>
    Usage = 1,

    /// <summary>電子証明書発行申請.</summary>
    Certificate = 2,

    /// <summary>補助金申請.</summary>
    Subsidy = 3,
}

/// <summary>A pending item of the operator's review queue.</summary>
public sealed record ReviewQueueItem(
    ReviewQueueKind Kind,
    long Id,
    string KindLabel,
    string InstitutionCode,
    string InstitutionName,
    long PortalUserId,
    DateTime SubmittedAt,
    string Summary)
{
    /// <summary>The 受付番号 (<see cref="ReceiptNumbers"/>).</summary>
    public string ReceiptNumber => Kind switch
    {
        ReviewQueueKind.Usage => ReceiptNumbers.Usage(Id, SubmittedAt),
        ReviewQueueKind.Certificate => ReceiptNumbers.Certificate(Id, SubmittedAt),
        _ => ReceiptNumbers.Subsidy(Id, SubmittedAt),
    };
}

/// <summary>The application a 受付番号 names: its kind and id (the console opens its review page).</summary>
public sealed record ReceiptNumberMatch(ReviewQueueKind Kind, long Id);

/// <summary>A 利用開始・変更申請 as the operator reviews it (never the 秘密の番号 or its hash).</summary>
public sealed record UsageApplicationReview(
    UsageApplicationRow Application,
    string Address,
    string Phone,
    string ContactName,
    string ContactPhone,
    string ApplicantEmail,
    string? DecidedBy);

/// <summary>What an approval produced: the institution and the portal documents posted for it.</summary>
public sealed record UsageApprovalResult(long ApplicationId, long InstitutionId, string InstitutionCode, IReadOnlyList<long> DocumentIds);

/// <summary>
/// The operator's decisions on 利用開始・変更申請 (SPEC §7) and the review queue of every kind. Each method takes the
/// <see cref="OperatorActor"/> and needs <see cref="OperatorCapability.ReviewQueues"/> (<see cref="ReviewDecisions"/>);
/// the audit actor is the operator's (<c>op:</c> + user ID). 承認 of a 新規 creates the institution, its master and reset
/// accounts per environment and posts one ユーザ設定情報 PDF per environment to the portal; 承認 of a 変更 applies it and
/// posts a 登録内容変更のお知らせ per environment. A decided application cannot be decided again.
/// </summary>
public sealed class ApplicationReviewService(
    OnshiDbContext db,
    ReviewDecisions decisions,
    InstitutionProvisioning provisioning,
    CredentialService credentials,
    IPdfRenderer<UserSettingsInformationDocument> userSettingsPdf,
    IPdfRenderer<NoticeDocument> noticePdf,
    ApplicationProtection protection,
    AuditLog audit,
    ApplicationMail mail,
    TimeProvider time)
{
    /// <summary>The title of the change notice.</summary>
    public const string ChangeNoticeTitle = "オンライン資格確認等システム登録内容変更のお知らせ";

    /// <summary>The gate's target of a refused look at one 利用開始・変更申請.</summary>
    public const string UsageViewOperation = "usage-application.view";

    /// <summary>Who signs the notices.</summary>
    public const string Issuer = "オンライン資格確認等システム 運用事務局";

    /// <summary>本_…pdf / 接続_…pdf, like <see cref="UserSettingsInformationPdf.FileName"/>.</summary>
    public static string ChangeNoticeFileName(OqsEnvironment environment) =>
        (environment == OqsEnvironment.Production ? "本_" : "接続_") + ChangeNoticeTitle + ".pdf";

    /// <summary>The pending applications of <paramref name="kind"/>, oldest first (first come, first served).</summary>
    public async Task<OpResult<IReadOnlyList<ReviewQueueItem>>> ListPendingAsync(OperatorActor actor, ReviewQueueKind kind = ReviewQueueKind.All,
        CancellationToken cancellationToken = default)
    {
        if (await decisions.ReviewerAsync(actor, ReviewDecisions.QueueOperation, cancellationToken) is null)
        {
            return OpResult<IReadOnlyList<ReviewQueueItem>>.Fail(OperatorErrors.NotPermitted);
        }

        var items = new List<ReviewQueueItem>();
        if (kind is ReviewQueueKind.All or ReviewQueueKind.Usage)
        {
            var usage = await db.UsageApplications.AsNoTracking().Where(a => a.Status == ReviewStatus.Pending).ToListAsync(cancellationToken);
            items.AddRange(usage.Select(a => new ReviewQueueItem(
                ReviewQueueKind.Usage, a.Id, "利用開始・変更申請（" + ApplicationLabels.Kind(a.Kind) + "）", a.InstitutionCode, a.InstitutionName,
                a.PortalUserId, a.SubmittedAt, UsageSummary(a))));
        }

        if (kind is ReviewQueueKind.All or ReviewQueueKind.Certificate)
        {
            var certificates = await (from a in db.CertificateApplications.AsNoTracking()
                                      join i in db.Institutions.AsNoTracking() on a.InstitutionId equals i.Id
                                      where a.Status == ReviewStatus.Pending
                                      select new { a, i.Code, i.Name }).ToListAsync(cancellationToken);
            items.AddRange(certificates.Select(x => new ReviewQueueItem(
                ReviewQueueKind.Certificate, x.a.Id, "電子証明書発行申請", x.Code, x.Name, x.a.PortalUserId, x.a.SubmittedAt, "端末名：" + x.a.TerminalName)));
        }

        if (kind is ReviewQueueKind.All or ReviewQueueKind.Subsidy)
        {
            var subsidies = await (from a in db.SubsidyApplications.AsNoTracking()
                                   join i in db.Institutions.AsNoTracking() on a.InstitutionId equals i.Id
                                   where a.Status == ReviewStatus.Pending
                                   select new { a.Id, a.PortalUserId, a.SubmittedAt, a.ClaimedAmount, a.TotalCost, i.Code, i.Name }).ToListAsync(cancellationToken);
            items.AddRange(subsidies.Select(x => new ReviewQueueItem(
                ReviewQueueKind.Subsidy, x.Id, "補助金申請", x.Code, x.Name, x.PortalUserId, x.SubmittedAt,
                "申請額：" + ApplicationLabels.Yen(x.ClaimedAmount) + "（事業費：" + ApplicationLabels.Yen(x.TotalCost) + "）")));
        }

        return OpResult<IReadOnlyList<ReviewQueueItem>>.Success([.. items.OrderBy(i => i.SubmittedAt).ThenBy(i => i.Kind).ThenBy(i => i.Id)]);
    }

    /// <summary>The gate's target of a refused 受付番号 search.</summary>
    public const string ReceiptSearchOperation = "review.receipt-number";

    /// <summary>
    /// The application a 受付番号 names, in any state (the call center reads it out on the phone; full-width and hyphen
    /// look-alikes accepted, <see cref="ReceiptNumbers.Parse"/>). The kind letter, the day and the id must all match: a
    /// number with another day is not found, rather than opening a different application. Like the console's other
    /// searches, only a refusal is audited (by the gate).
    /// </summary>
    public async Task<OpResult<ReceiptNumberMatch>> FindByReceiptNumberAsync(OperatorActor actor, string? receiptNumber,
        CancellationToken cancellationToken = default)
    {
        if (await decisions.ReviewerAsync(actor, ReceiptSearchOperation, cancellationToken) is null)
        {
            return OpResult<ReceiptNumberMatch>.Fail(OperatorErrors.NotPermitted);
        }

        if (string.IsNullOrWhiteSpace(receiptNumber))
        {
            return OpResult<ReceiptNumberMatch>.Fail(ApplicationErrors.ReceiptNumberRequired);
        }

        if (ReceiptNumbers.Parse(receiptNumber) is not { } number)
        {
            return OpResult<ReceiptNumberMatch>.Fail(ApplicationErrors.ReceiptNumberInvalid);
        }

        var id = number.Id;
        var (kind, submittedAt) = number.Prefix switch
        {
            ReceiptNumbers.UsagePrefix => (ReviewQueueKind.Usage,
                await db.UsageApplications.AsNoTracking().Where(a => a.Id == id).Select(a => (DateTime?)a.SubmittedAt).FirstOrDefaultAsync(cancellationToken)),
            ReceiptNumbers.CertificatePrefix => (ReviewQueueKind.Certificate,
                await db.CertificateApplications.AsNoTracking().Where(a => a.Id == id).Select(a => (DateTime?)a.SubmittedAt).FirstOrDefaultAsync(cancellationToken)),
            _ => (ReviewQueueKind.Subsidy,
                await db.SubsidyApplications.AsNoTracking().Where(a => a.Id == id).Select(a => (DateTime?)a.SubmittedAt).FirstOrDefaultAsync(cancellationToken)),
        };
        return submittedAt is { } at && number.Day == Jst.DayOf(at)
            ? OpResult<ReceiptNumberMatch>.Success(new ReceiptNumberMatch(kind, id))
            : OpResult<ReceiptNumberMatch>.Fail(ApplicationErrors.ReceiptNumberNotFound);
    }

    /// <summary>One 利用開始・変更申請 with the applicant's details, for the operator's review screen.</summary>
    public async Task<OpResult<UsageApplicationReview>> GetUsageAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        if (await decisions.ReviewerAsync(actor, UsageViewOperation, cancellationToken) is null)
        {
            return OpResult<UsageApplicationReview>.Fail(OperatorErrors.NotPermitted);
        }

        var a = await db.UsageApplications.AsNoTracking().Include(x => x.PortalUser).FirstOrDefaultAsync(x => x.Id == applicationId, cancellationToken);
        if (a is null)
        {
            return OpResult<UsageApplicationReview>.Fail(ApplicationErrors.NotFound);
        }

        var row = new UsageApplicationRow(a.Id, a.Kind, ApplicationLabels.Kind(a.Kind), a.Status, ApplicationLabels.Status(a.Status), a.InstitutionCode,
            a.InstitutionName, a.NewInstitutionName, a.Kind == ApplicationKind.Change && a.SecretNumberHash is not null, a.Environments,
            ApplicationLabels.Environments(a.Environments), a.InstitutionId, a.SubmittedAt, a.DecidedAt, a.SendBackReason);
        return OpResult<UsageApplicationReview>.Success(new UsageApplicationReview(row, a.Address, a.Phone, a.ContactName, a.ContactPhone,
            a.PortalUser?.Email ?? "", a.DecidedBy));
    }

    /// <summary>承認 of a 利用開始・変更申請 (see the class summary).</summary>
    public async Task<OpResult<UsageApprovalResult>> ApproveUsageAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        var pending = await decisions.PendingAsync(actor, ApplicationAuditActions.UsageApprove,
            db.UsageApplications.Where(a => a.Id == applicationId), cancellationToken);
        if (!pending.Succeeded)
        {
            return OpResult<UsageApprovalResult>.Fail(pending.Errors);
        }

        var (operatorId, application) = pending.Value!;
        try
        {
            return application.Kind == ApplicationKind.New
                ? await ApproveNewAsync(application, operatorId, cancellationToken)
                : await ApproveChangeAsync(application, operatorId, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent decision or a code registered meanwhile (unique index): nothing of this attempt was written.
            db.ChangeTracker.Clear();
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.Conflict);
        }
    }

    /// <summary>差戻し of a 利用開始・変更申請 with a reason the applicant sees (required, at most 500 characters).</summary>
    public Task<OpResult> SendBackUsageAsync(OperatorActor actor, long applicationId, string? reason, CancellationToken cancellationToken = default) =>
        decisions.SendBackAsync(actor, ApplicationAuditActions.UsageSendBack, db.UsageApplications.Where(a => a.Id == applicationId), reason,
            (application, operatorId, _) =>
            {
                if (application.SecretNumberHash is not null)
                {
                    application.SecretNumberHash = "";
                }

                return Task.FromResult(new AuditRecord(ApplicationAuditActions.UsageSendBack, AuditOutcomes.Success)
                {
                    InstitutionId = application.InstitutionId,
                    InstitutionCode = application.InstitutionCode,
                    Actor = operatorId,
                    Target = "usage-application#" + application.Id,
                    Detail = application.Kind == ApplicationKind.New ? "new" : "change",
                });
            }, cancellationToken);

    private async Task<OpResult<UsageApprovalResult>> ApproveNewAsync(UsageApplication application, string operatorId, CancellationToken cancellationToken)
    {
        var environments = ApplicationLabels.Split(application.Environments);
        if (environments.Count == 0 || string.IsNullOrEmpty(application.SecretNumberHash))
        {
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.Conflict);
        }

        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Code == application.InstitutionCode, cancellationToken);
        if (institution is { ContactPortalUserId: { } contact } && contact != application.PortalUserId)
        {
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.InstitutionTakenAtApproval);
        }

        if (institution is not null && await db.Accounts.AnyAsync(
            a => a.InstitutionId == institution.Id && a.Kind == AccountKind.Master && environments.Contains(a.Environment), cancellationToken))
        {
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.EnvironmentAlreadyProvisioned);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var isNew = institution is null;
        institution ??= new Institution
        {
            Code = application.InstitutionCode,
            Name = application.InstitutionName,
            Address = application.Address,
            Phone = application.Phone,
            CreatedAt = now,
        };

        // The slow part first, outside the transaction: the accounts (an Argon2id hash each) and the PDFs, none of
        // which needs the institution's id.
        var importedOn = ApplicationLabels.JapanDate(now);
        var prepared = new List<(PreparedAccounts Accounts, PortalDocument Document)>(environments.Count);
        foreach (var environment in environments)
        {
            var accounts = await provisioning.PrepareAccountsAsync(institution, environment, application.SecretNumberHash, operatorId, cancellationToken);
            var pdf = userSettingsPdf.Render(new UserSettingsInformationDocument(
                environment,
                institution.Code,
                institution.Name,
                accounts.Master.UserId,
                AccountName(institution.Name),
                accounts.MasterPassword,
                accounts.Master.PasswordExpiresAt!.Value,
                accounts.Reset.UserId,
                now));
            prepared.Add((accounts, NewDocument(environment, PortalDocumentKind.UserSettings, ApplicationKind.New,
                UserSettingsInformationPdf.FileName(environment), importedOn, pdf, application.Id, now)));
        }

        // Then one commit: the institution (its insert gives the id the rest needs, inside the transaction), its
        // accounts, the documents, the decision and every audit row. A process killed at any moment leaves all of it
        // or none of it, and the application stays 申請中 until it is all there.
        await audit.CommitAsync(async ct =>
        {
            if (isNew)
            {
                db.Institutions.Add(institution);
                audit.Record(new AuditRecord(ApplicationAuditActions.InstitutionCreate, AuditOutcomes.Success)
                {
                    InstitutionCode = institution.Code,
                    Actor = operatorId,
                    Target = institution.Code,
                    Detail = "usage-application#" + application.Id,
                });
                await db.SaveChangesAsync(ct);
            }

            institution.ContactPortalUserId = application.PortalUserId;
            foreach (var (accounts, document) in prepared)
            {
                provisioning.AddAccounts(institution, accounts, operatorId);
                document.InstitutionId = institution.Id;
                db.PortalDocuments.Add(document);
            }

            Decide(application, operatorId, now);
            application.InstitutionId = institution.Id;
            audit.Record(new AuditRecord(ApplicationAuditActions.UsageApprove, AuditOutcomes.Success)
            {
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = operatorId,
                Target = "usage-application#" + application.Id,
                Detail = "new:" + string.Join('+', environments).ToLowerInvariant(),
            });
            return true;
        }, cancellationToken);
        await mail.UsageApprovedAsync(application.Id,
            [.. prepared.Select(p => (p.Accounts.Master.Environment, p.Accounts.Master.PasswordExpiresAt!.Value))], cancellationToken);
        return OpResult<UsageApprovalResult>.Success(new UsageApprovalResult(application.Id, institution.Id, institution.Code,
            [.. prepared.Select(p => p.Document.Id)]));
    }

    private async Task<OpResult<UsageApprovalResult>> ApproveChangeAsync(UsageApplication application, string operatorId, CancellationToken cancellationToken)
    {
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Id == application.InstitutionId, cancellationToken);
        if (institution is null)
        {
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.NotFound);
        }

        if (institution.ContactPortalUserId != application.PortalUserId)
        {
            return OpResult<UsageApprovalResult>.Fail(ApplicationErrors.ContactChanged);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var accounts = await db.Accounts
            .Where(a => a.InstitutionId == institution.Id && (a.Kind == AccountKind.Master || a.Kind == AccountKind.MasterReset))
            .ToListAsync(cancellationToken);
        var changes = new List<string>();
        var oldName = institution.Name;
        if (application.NewInstitutionName is { Length: > 0 } newName && newName != oldName)
        {
            institution.Name = newName;
            // The master and reset accounts were named after the institution; follow the new name unless renamed since.
            foreach (var account in accounts.Where(a => a.DisplayName == AccountName(oldName)))
            {
                account.DisplayName = AccountName(newName);
                account.UpdatedAt = now;
                account.UpdatedBy = operatorId;
            }

            changes.Add("医療機関等名（変更前：" + oldName + "）");
            audit.Record(new AuditRecord(ApplicationAuditActions.InstitutionUpdate, AuditOutcomes.Success)
            {
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = operatorId,
                Target = institution.Code,
                Detail = "name",
            });
        }

        var resets = accounts.Where(a => a.Kind == AccountKind.MasterReset).OrderBy(a => a.Environment).ToList();
        if (!string.IsNullOrEmpty(application.SecretNumberHash))
        {
            foreach (var reset in resets)
            {
                // The new 秘密の番号 replaces the old one in every environment at once, and frees a reset account
                // that the forgotten number had locked. The new stamp ends its open sessions.
                credentials.Replace(reset, application.SecretNumberHash);
                reset.UpdatedAt = now;
                reset.UpdatedBy = operatorId;
                audit.Record(new AuditRecord(AuditActions.AccountUpdate, AuditOutcomes.Success)
                {
                    Environment = reset.Environment,
                    InstitutionId = institution.Id,
                    InstitutionCode = institution.Code,
                    Actor = operatorId,
                    Target = reset.UserId,
                    Detail = "secret-number-change+unlock",
                });
            }

            changes.Add("秘密の番号（マスタアカウントリセット用アカウントのパスワード）");
        }

        var importedOn = ApplicationLabels.JapanDate(now);
        var documents = new List<PortalDocument>();
        foreach (var environment in accounts.Where(a => a.Kind == AccountKind.Master).Select(a => a.Environment).Distinct().Order())
        {
            var reset = resets.FirstOrDefault(r => r.Environment == environment);
            var fields = new List<DocumentField>
            {
                new("利用環境", ApplicationLabels.Environment(environment)),
                new("医療機関等コード", institution.Code),
                new("医療機関等名", institution.Name),
                new("変更内容", string.Join("\n", changes)),
            };
            if (reset is not null && !string.IsNullOrEmpty(application.SecretNumberHash))
            {
                fields.Add(new("リセット用ユーザID", reset.UserId));
            }

            fields.Add(new("変更日", importedOn.ToString("yyyy'年'MM'月'dd'日'", System.Globalization.CultureInfo.InvariantCulture)));
            var notes = new List<string> { "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。" };
            if (!string.IsNullOrEmpty(application.SecretNumberHash))
            {
                notes.Add("※ 新しい秘密の番号は、変更申請の際に設定いただいた番号です（本書には記載していません）。");
                notes.Add("※ マスタアカウントリセット用アカウントがロックされていた場合は、ロックを解除しました。");
            }

            var pdf = noticePdf.Render(new NoticeDocument(
                ChangeNoticeTitle,
                [institution.Name + " 御中"],
                [Issuer],
                [
                    "平素よりオンライン資格確認等システムをご利用いただき、誠にありがとうございます。",
                    "お申し出のありました登録内容の変更を、下記のとおり反映しましたのでお知らせします。",
                ],
                fields,
                notes,
                now,
                Environment: environment));
            var document = NewDocument(environment, PortalDocumentKind.ChangeNotice, ApplicationKind.Change,
                ChangeNoticeFileName(environment), importedOn, pdf, application.Id, now);
            document.InstitutionId = institution.Id;
            db.PortalDocuments.Add(document);
            documents.Add(document);
        }

        Decide(application, operatorId, now);
        audit.Record(new AuditRecord(ApplicationAuditActions.UsageApprove, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = operatorId,
            Target = "usage-application#" + application.Id,
            Detail = "change",
        });
        await audit.CommitAsync(cancellationToken);
        await mail.UsageApprovedAsync(application.Id, [], cancellationToken);
        return OpResult<UsageApprovalResult>.Success(new UsageApprovalResult(application.Id, institution.Id, institution.Code, [.. documents.Select(d => d.Id)]));
    }

    /// <summary>A document holding only the protected copy of <paramref name="pdf"/> (which is wiped); the caller sets the institution and adds it.</summary>
    private PortalDocument NewDocument(OqsEnvironment? environment, PortalDocumentKind kind, ApplicationKind applicationKind,
        string fileName, DateOnly importedOn, byte[] pdf, long? usageApplicationId, DateTime now)
    {
        var document = new PortalDocument
        {
            Environment = environment,
            Kind = kind,
            ApplicationKind = applicationKind,
            FileName = fileName,
            ImportedOn = importedOn,
            ProtectedContent = protection.ProtectDocument(pdf),
            UsageApplicationId = usageApplicationId,
            CreatedAt = now,
        };
        // The plain PDF may hold the master's initial password: keep only the protected copy.
        CryptographicOperations.ZeroMemory(pdf);
        return document;
    }

    private static void Decide(UsageApplication application, string operatorId, DateTime now)
    {
        application.Status = ReviewStatus.Approved;
        application.DecidedAt = now;
        application.DecidedBy = operatorId;
        if (application.SecretNumberHash is not null)
        {
            application.SecretNumberHash = "";
        }
    }

    private static string AccountName(string institutionName) => institutionName.Length > 50 ? institutionName[..50] : institutionName;

    private static string UsageSummary(UsageApplication a) => a.Kind == ApplicationKind.New
        ? "環境：" + ApplicationLabels.Environments(a.Environments)
        : string.Join("、", new[]
        {
            a.NewInstitutionName is { } n ? "医療機関等名 → " + n : null,
            a.SecretNumberHash is not null ? "秘密の番号の変更" : null,
        }.Where(s => s is not null));
}
