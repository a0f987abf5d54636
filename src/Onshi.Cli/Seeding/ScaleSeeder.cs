using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Secrets;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Seeding;

/// <summary>What <c>onshi seed-scale</c> was asked for.</summary>
internal sealed record SeedScaleOptions
{
    /// <summary>The number of synthetic institutions the database should hold when done (a total, not an increment).</summary>
    public required int Institutions { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>The first K institutions get real certificates from our CA (PKCS#12 files and the manifest).</summary>
    public int RealCertificates { get; init; }

    /// <summary>The first L institutions get <see cref="SyntheticData.LargeInstitutionAccounts"/> accounts instead of about ten.</summary>
    public int LargeInstitutions { get; init; }

    /// <summary>Where the manifest and the PKCS#12 files go (default: DATA/seed-scale).</summary>
    public string? OutDirectory { get; init; }

    /// <summary>Institutions per transaction.</summary>
    public int BatchSize { get; init; } = 2_000;

    /// <summary>Seed even though the database holds non-synthetic institutions or portal users.</summary>
    public bool Force { get; init; }
}

/// <summary>The outcome: 0 done, 2 refused (message says why).</summary>
internal sealed record SeedScaleResult(int Code, string Message)
{
    public int InstitutionsBefore { get; init; }

    public int InstitutionsAfter { get; init; }

    public long Accounts { get; init; }

    public string? ManifestPath { get; init; }
}

/// <summary>
/// <c>onshi seed-scale</c>: fills the configured database with synthetic institutions, each what an approved
/// institution in use has (docs/scaling.md), in batches of complete institutions, one transaction each. A killed run
/// leaves a prefix of complete institutions; the same command again continues after it (same --seed). Refuses a database
/// holding non-synthetic institutions or portal users unless forced, and one holding synthetic data of another seed.
/// </summary>
internal static class ScaleSeeder
{
    public static async Task<SeedScaleResult> RunAsync(OnshiSettings settings, SeedScaleOptions options, TextWriter log, bool interactive,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (Validate(options) is { } invalid)
        {
            return new SeedScaleResult(2, invalid);
        }

        await using var services = await CommonOptions.BuildServicesAsync(settings, cancellationToken,
            (s, key) => s.AddOnshiDataProtection(settings.DataDirectory, key));
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<OnshiDbContext>();
        var environment = settings.Environment;

        // What is there already: real data (refused without --force), and synthetic data of this seed (continued).
        var realInstitutions = await CountAsync(db, $"SELECT COUNT(*) FROM \"Institutions\" WHERE NOT ({SyntheticData.IsSyntheticInstitutionSql})", cancellationToken);
        var realPortalUsers = await CountAsync(db, $"SELECT COUNT(*) FROM \"PortalUsers\" WHERE NOT ({SyntheticData.IsSyntheticPortalUserSql})", cancellationToken);
        if ((realInstitutions > 0 || realPortalUsers > 0) && !options.Force)
        {
            return new SeedScaleResult(2, string.Create(CultureInfo.InvariantCulture,
                $"このデータベースには合成データではない医療機関等 {realInstitutions} 件・ポータル利用者 {realPortalUsers} 件があります。" +
                $"合成データ（共通のパスワード）を追加してよい場合だけ --force を付けてください。 (the database holds {realInstitutions} non-synthetic institutions and {realPortalUsers} portal users; refusing without --force)"));
        }

        var existing = (int)await CountAsync(db, $"SELECT COUNT(*) FROM \"Institutions\" WHERE {SyntheticData.IsSyntheticInstitutionSql}", cancellationToken);
        if (existing > 0 && !await SameSeedAsync(db, options.Seed, environment, existing, cancellationToken))
        {
            return new SeedScaleResult(2, string.Create(CultureInfo.InvariantCulture,
                $"このデータベースには別の --seed（または別の環境）で作成した合成データ {existing} 件があります。新しいデータベースを使うか、同じ --seed を指定してください。 (synthetic data of another seed or environment; use a fresh database or the same --seed)"));
        }

        var outDirectory = Path.GetFullPath(options.OutDirectory ?? Path.Combine(settings.DataDirectory, "seed-scale"));
        var manifestPath = Path.Combine(outDirectory, "manifest.json");
        var previous = await SeedManifest.ReadAsync(manifestPath, cancellationToken);
        var entries = previous is not null && previous.Seed == options.Seed
            ? previous.RealCertificateInstitutions.Where(e => e.Index < existing).ToList()
            : [];
        var lost = Math.Min(existing, options.RealCertificates) - entries.Count(e => e.Index < options.RealCertificates);
        if (lost > 0)
        {
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"seed-scale: warning: {lost} institutions with real certificates are not in {manifestPath} (a run killed after its commit, or a deleted manifest); their PKCS#12 passphrases are lost."));
        }

        var caPath = Path.Combine(settings.DataDirectory, "ca", "ca.crt");
        var databaseName = settings.DatabaseProvider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? "postgres" : "sqlite";
        SeedManifest Manifest(int institutions, long accounts, bool complete) => new()
        {
            Complete = complete,
            Seed = options.Seed,
            Environment = environment == OqsEnvironment.Production ? "production" : "verification",
            Database = databaseName,
            CaCert = caPath,
            Institutions = institutions,
            Accounts = accounts,
            LargeInstitutions = options.LargeInstitutions,
            RealCertificateInstitutions = entries,
        };

        var progress = new SeedProgress(log, interactive, existing, Math.Max(existing, options.Institutions));
        if (existing < options.Institutions)
        {
            await SeedAsync(settings, options, sp, db, existing, entries, outDirectory, manifestPath, Manifest, progress, log, cancellationToken);
            progress.Complete();
        }

        var accounts = await CountAsync(db, $"SELECT COUNT(*) FROM \"Accounts\" WHERE \"CreatedBy\" = '{SyntheticData.Actor}'", cancellationToken);
        var after = Math.Max(existing, options.Institutions);
        await Manifest(after, accounts, complete: true).WriteAsync(manifestPath, cancellationToken);
        var size = await DatabaseSizeAsync(settings, db, cancellationToken);
        var message = existing >= options.Institutions
            ? string.Create(CultureInfo.InvariantCulture, $"seed-scale: the database already holds {existing:N0} synthetic institutions; nothing to do.")
            : string.Create(CultureInfo.InvariantCulture,
                $"seed-scale: {after:N0} synthetic institutions ({after - existing:N0} new) in {progress.Elapsed.TotalSeconds:0.0} s: {progress.Rows:N0} rows, {progress.RowsPerSecond:N0} rows/s; {accounts:N0} synthetic accounts; database {size / 1048576.0:N1} MiB");
        return new SeedScaleResult(0, message)
        {
            InstitutionsBefore = existing,
            InstitutionsAfter = after,
            Accounts = accounts,
            ManifestPath = manifestPath,
        };
    }

    private static async Task SeedAsync(OnshiSettings settings, SeedScaleOptions options, IServiceProvider sp, OnshiDbContext db, int existing,
        List<ManifestInstitution> entries, string outDirectory, string manifestPath, Func<int, long, bool, SeedManifest> manifest,
        SeedProgress progress, TextWriter log, CancellationToken cancellationToken)
    {
        var time = sp.GetRequiredService<TimeProvider>();
        var hasher = sp.GetRequiredService<Argon2idPasswordHasher>();
        var policy = sp.GetRequiredService<PasswordPolicy>();
        // The shared password must be one the policy accepts for these accounts (product words, the account's own words).
        var sample = SyntheticGenerator.ExpectedCode(options.Seed, 0);
        var errors = policy.Validate(SyntheticData.StaffUserId(0, AccountKind.Admin, 1), SyntheticData.Password,
                PasswordContext.ForOqsAccount(sample, SyntheticData.NamePrefix, "佐藤 花子"))
            .Concat(policy.Validate(SyntheticData.Email(0), SyntheticData.Password, PasswordContext.ForPortalUser(SyntheticData.Email(0), "佐藤 花子")))
            .ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The synthetic password breaks the password policy: " + string.Join(" ", errors.Select(e => e.Code)));
        }

        // Two Argon2id hashes for the whole run (2.5 M would take hours): one salt shared by every synthetic account.
        var passwordHash = hasher.Hash(SyntheticData.Password);
        var secretHash = hasher.Hash(SyntheticData.SecretNumber);
        var nowTicks = time.GetUtcNow().UtcDateTime.Ticks;
        var now = new DateTime(nowTicks - (nowTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var protection = new ApplicationProtection(sp.GetRequiredService<IDataProtectionProvider>());
        var authority = options.RealCertificates > existing ? sp.GetRequiredService<CertificateAuthority>() : null;
        var generator = new SyntheticGenerator(new GeneratorSettings(options.Seed, settings.Environment, now, passwordHash, secretHash,
            policy.ComputeExpiry(SyntheticData.Password, now), protection.ProtectDocument(SyntheticDocument.Pdf()),
            options.LargeInstitutions, options.RealCertificates), authority);
        generator.Skip(existing);

        var tables = new SeedTables(db);
        var connectionString = settings.ResolveConnectionString();
        await using var writer = await BulkWriters.OpenAsync(db.Database.IsNpgsql(), connectionString, cancellationToken);
        try
        {
            while (generator.Next < options.Institutions)
            {
                var count = Math.Min(options.BatchSize, options.Institutions - generator.Next);
                var start = await writer.BeginBatchAsync(tables, cancellationToken);
                var batch = new SeedBatch { FirstIndex = generator.Next };
                generator.Generate(count, start.Ids, batch);
                Chain(batch.Audit, start.LastAuditHash, time);
                if (batch.RealTerminals.Count > 0)
                {
                    // Files and manifest before the commit: a run killed after it still has them; one killed before it
                    // regenerates these institutions (a resumed run keeps only the entries of committed institutions).
                    AddRealCertificates(batch, entries, Path.Combine(outDirectory, "terminals"));
                    await manifest(batch.FirstIndex, 0, false).WriteAsync(manifestPath, cancellationToken);
                }

                await writer.WriteAsync(tables, batch, cancellationToken);
                await writer.CommitAsync(cancellationToken);
                progress.Report(count, batch.RowCount);
            }

            await writer.FinishAsync(tables.All, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            progress.Interrupted();
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"seed-scale: interrupted; {existing + progress.Done:N0} complete synthetic institutions are committed. Run the same command again to continue."));
            throw;
        }
    }

    /// <summary>Links the batch's audit rows to the chain: each row's previous hash is the row before it.</summary>
    private static void Chain(List<AuditEntry> entries, string previous, TimeProvider time)
    {
        var at = AuditLog.StoredTime(time.GetUtcNow().UtcDateTime);
        foreach (var entry in entries)
        {
            entry.OccurredAt = at;
            entry.PreviousHash = previous;
            entry.Hash = AuditLog.ComputeHash(entry);
            previous = entry.Hash;
        }
    }

    private static void AddRealCertificates(SeedBatch batch, List<ManifestInstitution> entries, string directory)
    {
        foreach (var group in batch.RealTerminals.GroupBy(t => t.InstitutionIndex))
        {
            var institution = batch.Institutions[group.Key - batch.FirstIndex];
            var terminals = new List<ManifestTerminal>();
            foreach (var terminal in group)
            {
                using var issued = terminal.Issued;
                var files = TerminalFiles.Write(directory, terminal.InstitutionCode, terminal.TerminalName, issued, includePlainKey: false);
                terminals.Add(new ManifestTerminal(terminal.TerminalName, issued.SerialNumber, issued.Thumbprint, files.Pfx, issued.Passphrase, files.CertPem));
            }

            var accounts = batch.Accounts.Where(a => a.InstitutionId == institution.Id)
                .Select(a => new ManifestAccount(a.UserId, AccountKinds.Code(a.Kind), a.Kind == AccountKind.MasterReset ? SyntheticData.SecretNumber : SyntheticData.Password))
                .ToList();
            entries.Add(new ManifestInstitution(group.Key, institution.Code, institution.Name, batch.PortalUsers[group.Key - batch.FirstIndex].Email, terminals, accounts));
        }

        batch.RealTerminals.Clear();
    }

    /// <summary>True when the synthetic institutions 0 … existing − 1 are this seed's (first and last code, last master ID).</summary>
    private static async Task<bool> SameSeedAsync(OnshiDbContext db, long seed, OqsEnvironment environment, int existing, CancellationToken cancellationToken)
    {
        string[] codes = [SyntheticGenerator.ExpectedCode(seed, 0), SyntheticGenerator.ExpectedCode(seed, existing - 1)];
        var found = await db.Institutions.AsNoTracking().CountAsync(i => codes.Contains(i.Code), cancellationToken);
        var master = SyntheticData.MasterUserId(existing - 1);
        var lastCode = codes[1];
        var masterFound = await db.Accounts.AsNoTracking()
            .AnyAsync(a => a.Environment == environment && a.NormalizedUserId == master && a.Institution!.Code == lastCode, cancellationToken);
        return found == codes.Distinct().Count() && masterFound;
    }

    private static string? Validate(SeedScaleOptions o)
    {
        if (o.Institutions is < 1 or > SyntheticData.MaxInstitutions)
        {
            return $"--institutions は 1～{SyntheticData.MaxInstitutions} で指定してください。";
        }

        if (o.RealCertificates < 0 || o.RealCertificates > o.Institutions || o.LargeInstitutions < 0 || o.LargeInstitutions > o.Institutions)
        {
            return "--real-certificates と --large-institutions は 0～--institutions で指定してください。";
        }

        return o.BatchSize is < 1 or > 100_000 ? "--batch は 1～100000 で指定してください。" : null;
    }

    private static async Task<long> CountAsync(OnshiDbContext db, string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<long> DatabaseSizeAsync(OnshiSettings settings, OnshiDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return await CountAsync(db, "SELECT pg_database_size(current_database())", cancellationToken);
        }

        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ResolveConnectionString()).DataSource;
        return new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
    }
}
