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
        });

        modelBuilder.Entity<Account>(e =>
        {
            e.Property(x => x.UserId).HasMaxLength(16);
            e.Property(x => x.NormalizedUserId).HasMaxLength(16);
            e.Property(x => x.DisplayName).HasMaxLength(50);
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.Property(x => x.CreatedBy).HasMaxLength(32);
            e.Property(x => x.UpdatedBy).HasMaxLength(32);
            e.Property(x => x.SecurityStamp).HasMaxLength(64).IsConcurrencyToken();
            e.HasIndex(x => new { x.Environment, x.NormalizedUserId }).IsUnique();
            e.HasIndex(x => new { x.InstitutionId, x.Environment, x.Kind });
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
            e.Property(x => x.Key).HasMaxLength(64);
            e.Property(x => x.SecurityStamp).HasMaxLength(64);
            e.Property(x => x.CertificateThumbprint).HasMaxLength(64);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.EndReason).HasMaxLength(32);
            e.HasIndex(x => x.Key).IsUnique();
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
            e.HasIndex(x => x.OccurredAt);
            e.HasIndex(x => new { x.InstitutionId, x.OccurredAt });
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
