using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Onshi.Core.Data;

/// <summary>The system of record shared by all three sites.</summary>
public sealed class OnshiDbContext(DbContextOptions<OnshiDbContext> options) : DbContext(options)
{
    public DbSet<Institution> Institutions => Set<Institution>();

    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<PasswordHistoryEntry> PasswordHistory => Set<PasswordHistoryEntry>();

    public DbSet<TerminalCertificate> TerminalCertificates => Set<TerminalCertificate>();

    public DbSet<LoginSession> LoginSessions => Set<LoginSession>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<PortalUser> PortalUsers => Set<PortalUser>();

    public DbSet<UsageApplication> UsageApplications => Set<UsageApplication>();

    public DbSet<PortalDocument> PortalDocuments => Set<PortalDocument>();

    public DbSet<OperationStartRegistration> OperationStartRegistrations => Set<OperationStartRegistration>();

    public DbSet<CertificateApplication> CertificateApplications => Set<CertificateApplication>();

    public DbSet<SubsidyApplication> SubsidyApplications => Set<SubsidyApplication>();

    public DbSet<PortalSubmission> PortalSubmissions => Set<PortalSubmission>();

    public DbSet<SiteSession> SiteSessions => Set<SiteSession>();

    public DbSet<OperatorAccount> OperatorAccounts => Set<OperatorAccount>();

    public DbSet<OperatorPasswordHistoryEntry> OperatorPasswordHistory => Set<OperatorPasswordHistoryEntry>();

    public DbSet<CallCenterContact> CallCenterContacts => Set<CallCenterContact>();

    public DbSet<SecretReissue> SecretReissues => Set<SecretReissue>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ThrottleAttempt> ThrottleAttempts => Set<ThrottleAttempt>();

    public DbSet<Insurer> Insurers => Set<Insurer>();

    public DbSet<InsuredQualification> InsuredQualifications => Set<InsuredQualification>();

    public DbSet<LimitCertificate> LimitCertificates => Set<LimitCertificate>();

    public DbSet<SpecificDiseaseCertificate> SpecificDiseaseCertificates => Set<SpecificDiseaseCertificate>();

    public DbSet<QualificationResult> QualificationResults => Set<QualificationResult>();

    public DbSet<BackgroundJob> BackgroundJobs => Set<BackgroundJob>();

    public DbSet<BulkInquiry> BulkInquiries => Set<BulkInquiry>();

    public DbSet<BulkInquiryItem> BulkInquiryItems => Set<BulkInquiryItem>();

    public DbSet<MemberImport> MemberImports => Set<MemberImport>();

    public DbSet<MemberImportFile> MemberImportFiles => Set<MemberImportFile>();

    public DbSet<CacheSignal> CacheSignals => Set<CacheSignal>();

    /// <summary>This context's cache invalidations not yet published (<see cref="Features.Caching.CacheInvalidationInterceptor"/>).</summary>
    internal Features.Caching.PendingInvalidations Invalidations { get; } = new();

    /// <summary>
    /// Declares that the next write to a watched table (an <c>ExecuteUpdate</c> or <c>ExecuteDelete</c>; SaveChanges declares its
    /// own rows) changes the row of <paramref name="key"/> (<see cref="Features.Caching.CacheKeys"/>): the key is published when
    /// that write commits, and the entries read from the row are dropped in every instance. Call it right before the write,
    /// inside its transaction. A write to a watched table nothing declared drops the whole cache.
    /// </summary>
    public void InvalidateOnCommit(string key) => Invalidations.Declare(key);

    /// <summary>
    /// Declares that the next write to <paramref name="entity"/>'s table (a watched one, <see cref="Features.Caching.CacheKeys"/>)
    /// changes nothing a cached read carries — the touch of <c>LastSeenAt</c> (each entry keeps its own), a failed-attempt
    /// counter — so it invalidates nothing. Call it right before the write.
    /// </summary>
    public void DeclareNeutralWrite(Type entity) => Invalidations.DeclareNeutral(entity);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored as UTC; SQLite hands DateTime back as Unspecified, so mark it on the way in.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Institution>(e =>
        {
            e.Property(x => x.Code).HasMaxLength(10);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Address).HasMaxLength(200);
            e.Property(x => x.Phone).HasMaxLength(20);
            e.HasIndex(x => x.Code).IsUnique();
            e.HasIndex(x => x.ContactPortalUserId);
            e.HasOne<PortalUser>().WithMany().HasForeignKey(x => x.ContactPortalUserId).OnDelete(DeleteBehavior.Restrict);
        });

        // The simulated 中間サーバー (SPEC §11.1, docs/qualification.md). No foreign key from a qualification to its insurer:
        // the generator and the import check the insurer, and tens of millions of rows load without a per-row check.
        modelBuilder.Entity<Insurer>(e =>
        {
            e.HasKey(x => x.Number);
            e.Property(x => x.Number).HasMaxLength(8);
            e.Property(x => x.Name).HasMaxLength(100);
        });

        modelBuilder.Entity<InsuredQualification>(e =>
        {
            e.Property(x => x.InsurerNumber).HasMaxLength(8);
            e.Property(x => x.Symbol).HasMaxLength(38);
            e.Property(x => x.Number).HasMaxLength(20);
            e.Property(x => x.Branch).HasMaxLength(2);
            e.Property(x => x.InsuredName).HasMaxLength(100);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.NameOfOther).HasMaxLength(100);
            e.Property(x => x.NameKana).HasMaxLength(100);
            e.Property(x => x.NameOfOtherKana).HasMaxLength(100);
            e.Property(x => x.PostNumber).HasMaxLength(7);
            e.Property(x => x.Address).HasMaxLength(200);
            e.Ignore(x => x.Span);
            // The lookup: 保険者番号 + 番号 + 記号 + 生年月日 (+ 枝番) is one seek, with or without the 枝番.
            e.HasIndex(x => new { x.InsurerNumber, x.Number, x.Symbol, x.Birthdate, x.Branch });
            // A person's history across insurers (無効（新しい資格あり）).
            e.HasIndex(x => x.PersonId);
        });

        modelBuilder.Entity<LimitCertificate>(e =>
        {
            e.Property(x => x.ClassificationFlag).HasMaxLength(3);
            e.HasIndex(x => x.QualificationId);
            e.HasOne<InsuredQualification>().WithMany().HasForeignKey(x => x.QualificationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SpecificDiseaseCertificate>(e =>
        {
            e.HasIndex(x => x.QualificationId);
            e.HasOne<InsuredQualification>().WithMany().HasForeignKey(x => x.QualificationId).OnDelete(DeleteBehavior.Cascade);
        });

        // The shared job table (Features/Jobs): a worker looks for the oldest claimable job of its kind.
        modelBuilder.Entity<BackgroundJob>(e =>
        {
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.LeaseOwner).HasMaxLength(64);
            e.Property(x => x.LastError).HasMaxLength(200);
            e.HasIndex(x => new { x.Kind, x.Status, x.Id });
        });

        // 加入者データ取込: the file's bytes in a table of their own, so the list and the progress never read them.
        modelBuilder.Entity<MemberImport>(e =>
        {
            e.Property(x => x.OperatorUserId).HasMaxLength(32);
            e.Property(x => x.FileName).HasMaxLength(100);
            e.HasOne<OperatorAccount>().WithMany().HasForeignKey(x => x.OperatorAccountId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.OperatorAccountId);
        });

        modelBuilder.Entity<MemberImportFile>(e =>
        {
            e.HasKey(x => x.ImportId);
            e.HasOne<MemberImport>().WithOne().HasForeignKey<MemberImportFile>(x => x.ImportId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<QualificationResult>(e =>
        {
            e.Property(x => x.TerminalSerial).HasMaxLength(64);
            e.Property(x => x.InsurerNumber).HasMaxLength(8);
            e.Property(x => x.Symbol).HasMaxLength(38);
            e.Property(x => x.Number).HasMaxLength(20);
            e.Property(x => x.Branch).HasMaxLength(2);
            e.Property(x => x.ReferenceNumber).HasMaxLength(16);
            e.Property(x => x.Explanation).HasMaxLength(400);
            e.HasIndex(x => x.ReferenceNumber).IsUnique();
            // 資格確認結果一覧: one institution's results of one environment, newest first.
            e.HasIndex(x => new { x.InstitutionId, x.Environment, x.ExecutedAt });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Restrict);
        });

        // 一括照会: the inquiry and one item per patient (unique position: a job re-run never answers twice).
        modelBuilder.Entity<BulkInquiry>(e =>
        {
            e.Property(x => x.ReceptionNumber).HasMaxLength(16);
            e.Property(x => x.TerminalSerial).HasMaxLength(64);
            e.Property(x => x.ArbitraryFileIdentifier).HasMaxLength(100);
            e.Property(x => x.FileName).HasMaxLength(100);
            e.HasIndex(x => x.ReceptionNumber).IsUnique();
            e.HasIndex(x => new { x.InstitutionId, x.Environment, x.SubmittedAt });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<BulkInquiryItem>(e =>
        {
            e.Property(x => x.ErrorCode).HasMaxLength(32);
            e.Property(x => x.ErrorMessage).HasMaxLength(1000);
            e.HasIndex(x => new { x.BulkInquiryId, x.Position }).IsUnique();
            e.HasOne<BulkInquiry>().WithMany().HasForeignKey(x => x.BulkInquiryId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<QualificationResult>().WithMany().HasForeignKey(x => x.QualificationResultId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Account>(e =>
        {
            e.Property(x => x.UserId).HasMaxLength(16);
            e.Property(x => x.NormalizedUserId).HasMaxLength(16);
            e.Property(x => x.DisplayName).HasMaxLength(50);
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.Property(x => x.PreviousPasswordHash).HasMaxLength(200);
            e.Property(x => x.CreatedBy).HasMaxLength(32);
            e.Property(x => x.UpdatedBy).HasMaxLength(32);
            e.Property(x => x.SecurityStamp).HasMaxLength(64).IsConcurrencyToken();
            e.HasIndex(x => new { x.Environment, x.NormalizedUserId }).IsUnique();
            // アカウント管理 search: an institution's accounts of one environment (and 権限区分) in user-ID order, from the index
            // alone (SQLite without statistics otherwise walked the whole environment's user-ID index: docs/scaling.md).
            e.HasIndex(x => new { x.InstitutionId, x.Environment, x.Kind, x.NormalizedUserId });
            e.HasOne(x => x.Institution).WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<PasswordHistoryEntry>(e =>
        {
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.HasIndex(x => new { x.AccountId, x.CreatedAt });
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TerminalCertificate>(e =>
        {
            e.Property(x => x.TerminalName).HasMaxLength(32);
            e.Property(x => x.SerialNumber).HasMaxLength(64);
            e.Property(x => x.Thumbprint).HasMaxLength(64);
            e.Property(x => x.CertificatePem).HasMaxLength(8000);
            e.Property(x => x.IssuedBy).HasMaxLength(32);
            e.Property(x => x.RevokedBy).HasMaxLength(32);
            e.HasIndex(x => x.Thumbprint).IsUnique();
            e.HasIndex(x => x.SerialNumber).IsUnique();
            e.HasIndex(x => new { x.InstitutionId, x.TerminalName });
            e.HasOne(x => x.Institution).WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<LoginSession>(e =>
        {
            e.Property(x => x.KeyHash).HasMaxLength(64);
            e.Property(x => x.SecurityStamp).HasMaxLength(64);
            e.Property(x => x.CertificateThumbprint).HasMaxLength(64);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.EndReason).HasMaxLength(32);
            e.HasIndex(x => x.KeyHash).IsUnique();
            e.HasIndex(x => new { x.AccountId, x.EndedAt });
            e.HasOne(x => x.Account).WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.Property(x => x.InstitutionCode).HasMaxLength(10);
            e.Property(x => x.Actor).HasMaxLength(64);
            e.Property(x => x.Action).HasMaxLength(64);
            e.Property(x => x.Target).HasMaxLength(64);
            e.Property(x => x.Outcome).HasMaxLength(16);
            e.Property(x => x.Detail).HasMaxLength(64);
            e.Property(x => x.CertificateSerial).HasMaxLength(64);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.PreviousHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.HasIndex(x => new { x.Chain, x.Id });
            e.HasIndex(x => x.OccurredAt);
            e.HasIndex(x => new { x.InstitutionId, x.OccurredAt });
        });

        ConfigurePortal(modelBuilder);
        ConfigureOperator(modelBuilder);
    }

    private static void ConfigurePortal(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PortalUser>(e =>
        {
            e.Property(x => x.Email).HasMaxLength(254);
            e.Property(x => x.NormalizedEmail).HasMaxLength(254);
            e.Property(x => x.DisplayName).HasMaxLength(50);
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.Property(x => x.SecurityStamp).HasMaxLength(64).IsConcurrencyToken();
            e.HasIndex(x => x.NormalizedEmail).IsUnique();
        });

        modelBuilder.Entity<UsageApplication>(e =>
        {
            e.Property(x => x.InstitutionCode).HasMaxLength(10);
            e.Property(x => x.InstitutionName).HasMaxLength(100);
            e.Property(x => x.NewInstitutionName).HasMaxLength(100);
            e.Property(x => x.Address).HasMaxLength(200);
            e.Property(x => x.Phone).HasMaxLength(20);
            e.Property(x => x.ContactName).HasMaxLength(50);
            e.Property(x => x.ContactPhone).HasMaxLength(20);
            e.Property(x => x.SecretNumberHash).HasMaxLength(200);
            e.Property(x => x.DecidedBy).HasMaxLength(32);
            e.Property(x => x.SendBackReason).HasMaxLength(500);
            e.HasIndex(x => new { x.PortalUserId, x.SubmittedAt });
            e.HasIndex(x => new { x.Status, x.SubmittedAt });
            e.HasIndex(x => x.InstitutionCode);
            e.HasOne(x => x.PortalUser).WithMany().HasForeignKey(x => x.PortalUserId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<PortalDocument>(e =>
        {
            e.Property(x => x.FileName).HasMaxLength(200);
            e.HasIndex(x => new { x.InstitutionId, x.Kind, x.CreatedAt });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<OperationStartRegistration>(e =>
        {
            e.HasIndex(x => new { x.InstitutionId, x.Environment });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<CertificateApplication>(e =>
        {
            e.Property(x => x.TerminalName).HasMaxLength(32);
            e.Property(x => x.DecidedBy).HasMaxLength(32);
            e.Property(x => x.SendBackReason).HasMaxLength(500);
            e.Property(x => x.ProtectedPassphrase).HasMaxLength(1000);
            e.HasIndex(x => new { x.InstitutionId, x.SubmittedAt });
            e.HasIndex(x => new { x.Status, x.SubmittedAt });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<SubsidyApplication>(e =>
        {
            e.Property(x => x.Description).HasMaxLength(1000);
            e.Property(x => x.ReceiptFileName).HasMaxLength(200);
            e.Property(x => x.ReceiptContentType).HasMaxLength(100);
            e.Property(x => x.DecidedBy).HasMaxLength(32);
            e.Property(x => x.SendBackReason).HasMaxLength(500);
            e.HasIndex(x => new { x.InstitutionId, x.SubmittedAt });
            e.HasIndex(x => new { x.Status, x.SubmittedAt });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<PortalSubmission>(e =>
        {
            e.Property(x => x.Nonce).HasMaxLength(64);
            e.HasIndex(x => x.Nonce).IsUnique();
            e.HasIndex(x => x.ExpiresAt);
        });

        modelBuilder.Entity<SiteSession>(e =>
        {
            e.Property(x => x.Site).HasMaxLength(16);
            e.Property(x => x.KeyHash).HasMaxLength(64);
            e.Property(x => x.SecurityStamp).HasMaxLength(64);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.EndReason).HasMaxLength(32);
            e.HasIndex(x => x.KeyHash).IsUnique();
            e.HasIndex(x => new { x.Site, x.SubjectId, x.EndedAt });
        });
    }

    private static void ConfigureOperator(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OperatorAccount>(e =>
        {
            e.Property(x => x.UserId).HasMaxLength(32);
            e.Property(x => x.NormalizedUserId).HasMaxLength(32);
            e.Property(x => x.DisplayName).HasMaxLength(50);
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.Property(x => x.SecurityStamp).HasMaxLength(64).IsConcurrencyToken();
            e.HasIndex(x => x.NormalizedUserId).IsUnique();
        });

        modelBuilder.Entity<OperatorPasswordHistoryEntry>(e =>
        {
            e.ToTable("OperatorPasswordHistory");
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.HasIndex(x => new { x.OperatorAccountId, x.CreatedAt });
            e.HasOne<OperatorAccount>().WithMany().HasForeignKey(x => x.OperatorAccountId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CallCenterContact>(e =>
        {
            e.Property(x => x.CallerName).HasMaxLength(50);
            e.Property(x => x.VerificationMethod).HasMaxLength(64);
            e.Property(x => x.Action).HasMaxLength(32);
            e.Property(x => x.Note).HasMaxLength(500);
            e.HasIndex(x => new { x.InstitutionId, x.At });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<OperatorAccount>().WithMany().HasForeignKey(x => x.OperatorAccountId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<SecretReissue>(e =>
        {
            e.Property(x => x.RequestId).HasMaxLength(32);
            e.HasIndex(x => x.RequestId).IsUnique();
            e.Property(x => x.Environments).HasMaxLength(32);
            e.Property(x => x.FileName).HasMaxLength(128);
            e.HasIndex(x => new { x.InstitutionId, x.At });
            e.HasOne<Institution>().WithMany().HasForeignKey(x => x.InstitutionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<OperatorAccount>().WithMany().HasForeignKey(x => x.OperatorAccountId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<DataProtectionKey>(e =>
        {
            e.Property(x => x.FriendlyName).HasMaxLength(200);
            e.HasIndex(x => x.FriendlyName).IsUnique();
        });

        modelBuilder.Entity<ThrottleAttempt>(e =>
        {
            e.Property(x => x.KeyHash).HasMaxLength(64);
            e.HasIndex(x => new { x.KeyHash, x.AttemptedAt });
            e.HasIndex(x => x.AttemptedAt);
        });

        modelBuilder.Entity<CacheSignal>(e =>
        {
            e.Property(x => x.Keys).HasMaxLength(8000);
            e.HasIndex(x => x.At);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
