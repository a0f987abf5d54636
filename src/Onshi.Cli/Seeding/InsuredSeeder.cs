using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Seeding;

/// <summary>What <c>onshi seed-insured</c> is asked for.</summary>
internal sealed record SeedInsuredOptions
{
    /// <summary>Synthetic members wanted in all (a second run with a larger number adds the difference).</summary>
    public long Members { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>The date the data is as of (ages, histories, card periods); default <see cref="InsuredGenerator.DefaultAsOf"/>.</summary>
    public DateOnly AsOf { get; init; } = InsuredGenerator.DefaultAsOf;

    /// <summary>Run even where the database holds members that are not synthetic (imported).</summary>
    public bool Force { get; init; }

    /// <summary>From this many members to add, the lookup indexes are built after the load rather than kept during it.</summary>
    public long DeferIndexesFrom { get; init; } = 1_000_000;
}

/// <summary>What seed-insured wrote down about the synthetic population (DATA/seed-insured.json).</summary>
internal sealed record InsuredManifest(long Seed, DateOnly AsOf, long Members, bool Complete);

/// <summary>
/// <c>onshi seed-insured</c>: fills the simulated 中間サーバー with <see cref="InsuredGenerator"/>'s members, one chunk of
/// <see cref="InsuredGenerator.ChunkPersons"/> persons per transaction through the bulk writers of seed-scale (SQLite:
/// prepared INSERTs; PostgreSQL: binary COPY). For a large run the lookup indexes are dropped first and built once at the end
/// (a sort instead of millions of random B-tree inserts); a killed run leaves whole chunks and the same command continues
/// and builds them. Refuses a database with imported (non-synthetic) members unless forced, and synthetic data of another
/// seed or date.
/// </summary>
internal static class InsuredSeeder
{
    public const long MaxMembers = 200_000_000;

    public static async Task<(int Code, string Message)> RunAsync(OnshiSettings settings, SeedInsuredOptions options, TextWriter log,
        bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Members is < 1 or > MaxMembers)
        {
            return (2, $"--members は 1～{MaxMembers:N0} で指定してください。");
        }

        await using var services = await CommonOptions.BuildServicesAsync(settings, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        return await SeedAsync(scope.ServiceProvider, settings.DataDirectory, settings.ResolveConnectionString(), options, log, interactive, cancellationToken);
    }

    /// <summary>The load itself, for the command and for the demo (which adds a small population).</summary>
    public static async Task<(int Code, string Message)> SeedAsync(IServiceProvider sp, string dataDirectory, string connectionString,
        SeedInsuredOptions options, TextWriter log, bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sp);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var db = sp.GetRequiredService<OnshiDbContext>();
        var basePerson = InsuredGenerator.SyntheticPersonBase;
        var real = await db.InsuredQualifications.LongCountAsync(q => q.PersonId < basePerson, cancellationToken);
        if (real > 0 && !options.Force)
        {
            return (2, string.Create(CultureInfo.InvariantCulture,
                $"このデータベースには取込みによる（合成データではない）加入者の資格 {real:N0} 件があります。合成データを追加してよい場合だけ --force を付けてください。 (the database holds {real:N0} imported qualifications; refusing without --force)"));
        }

        var manifestPath = Path.Combine(dataDirectory, "seed-insured.json");
        var manifest = File.Exists(manifestPath)
            ? JsonSerializer.Deserialize<InsuredManifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken))
            : null;
        var demoBase = DemoInsured.PersonBase;
        var maxPerson = await db.InsuredQualifications.Where(q => q.PersonId >= basePerson && q.PersonId < demoBase)
            .MaxAsync(q => (long?)q.PersonId, cancellationToken);
        var existing = maxPerson is { } max ? max - basePerson + 1 : 0;
        if (existing > 0 && (manifest is null || manifest.Seed != options.Seed || manifest.AsOf != options.AsOf))
        {
            return (2, "このデータベースには別の --seed または --as-of で作成した合成加入者データがあります。新しいデータベースを使うか、同じ指定で実行してください。 (synthetic members of another seed or date)");
        }

        if (existing % InsuredGenerator.ChunkPersons != 0 && existing < options.Members)
        {
            return (2, string.Create(CultureInfo.InvariantCulture,
                $"合成加入者 {existing:N0} 人の最後のまとまりは途中までです。増やすには新しいデータベースで --members {options.Members} を指定してください。 (the last chunk of {existing:N0} members is partial)"));
        }

        await using (var stream = File.Create(manifestPath))
        {
            await JsonSerializer.SerializeAsync(stream, new InsuredManifest(options.Seed, options.AsOf, options.Members, Complete: false), cancellationToken: cancellationToken);
        }

        // The insurers first (a few hundred rows, through EF).
        var known = (await db.Insurers.Select(i => i.Number).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        db.Insurers.AddRange(InsuredGenerator.Insurers.Where(i => !known.Contains(i.Number))
            .Select(i => new Insurer { Number = i.Number, Name = i.Name, Scheme = i.Scheme }));
        await db.SaveChangesAsync(cancellationToken);

        var toAdd = Math.Max(0, options.Members - existing);
        var generator = new InsuredGenerator(options.Seed, options.AsOf);
        var qualifications = BulkTable.For<InsuredQualification>(db);
        var limits = BulkTable.For<LimitCertificate>(db);
        var diseases = BulkTable.For<SpecificDiseaseCertificate>(db);
        var indexes = db.Model.FindEntityType(typeof(InsuredQualification))!.GetIndexes().ToList();
        var progress = new SeedProgress(log, interactive, (int)existing, (int)Math.Max(existing, options.Members), "seed-insured", "members");
        await using var writer = await BulkWriters.OpenAsync(db.Database.IsNpgsql(), connectionString, cancellationToken);
        try
        {
            if (toAdd >= options.DeferIndexesFrom)
            {
                foreach (var index in indexes)
                {
                    await writer.ExecuteAsync($"DROP INDEX IF EXISTS {BulkTable.Quote(index.GetDatabaseName()!)}", cancellationToken);
                }
            }

            var done = existing;
            while (done < options.Members)
            {
                var chunk = (int)(done / InsuredGenerator.ChunkPersons);
                var persons = (int)Math.Min(InsuredGenerator.ChunkPersons, options.Members - done);
                var rows = generator.Generate(chunk, persons);
                await writer.BeginAsync(lockAuditChain: false, cancellationToken);
                var nextQualification = await writer.NextIdAsync(qualifications, cancellationToken);
                foreach (var q in rows.Qualifications)
                {
                    q.Id = nextQualification++;
                }

                var nextLimit = await writer.NextIdAsync(limits, cancellationToken);
                foreach (var (i, c) in rows.Limits)
                {
                    c.Id = nextLimit++;
                    c.QualificationId = rows.Qualifications[i].Id;
                }

                var nextDisease = await writer.NextIdAsync(diseases, cancellationToken);
                foreach (var (i, c) in rows.Diseases)
                {
                    c.Id = nextDisease++;
                    c.QualificationId = rows.Qualifications[i].Id;
                }

                await writer.WriteAsync(qualifications, rows.Qualifications, cancellationToken);
                await writer.WriteAsync(limits, [.. rows.Limits.Select(l => (object)l.Certificate)], cancellationToken);
                await writer.WriteAsync(diseases, [.. rows.Diseases.Select(d => (object)d.Certificate)], cancellationToken);
                await writer.CommitAsync(cancellationToken);
                done += persons;
                progress.Report(persons, rows.Qualifications.Count + rows.Limits.Count + rows.Diseases.Count);
            }

            // Built here whether this run dropped them or a killed one did (IF NOT EXISTS: a no-op when they are there).
            foreach (var index in indexes)
            {
                var columns = string.Join(", ", index.Properties.Select(p => BulkTable.Quote(p.GetColumnName())));
                await writer.ExecuteAsync(
                    $"CREATE {(index.IsUnique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {BulkTable.Quote(index.GetDatabaseName()!)} ON {BulkTable.Quote(qualifications.Name)} ({columns})",
                    cancellationToken);
            }

            await writer.FinishAsync([qualifications, limits, diseases], cancellationToken);
            progress.Complete();
        }
        catch (OperationCanceledException)
        {
            progress.Interrupted();
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"seed-insured: interrupted; {existing + progress.Done:N0} synthetic members are committed. Run the same command again to continue."));
            throw;
        }

        await using (var stream = File.Create(manifestPath))
        {
            await JsonSerializer.SerializeAsync(stream, new InsuredManifest(options.Seed, options.AsOf, Math.Max(existing, options.Members), Complete: true), cancellationToken: cancellationToken);
        }

        var audit = sp.GetRequiredService<AuditLog>();
        audit.Record(new AuditRecord(AuditActions.InsuredSeed, AuditOutcomes.Success) { Actor = "cli", Detail = string.Create(CultureInfo.InvariantCulture, $"+{toAdd} members") });
        await audit.CommitAsync(cancellationToken);
        return (0, string.Create(CultureInfo.InvariantCulture,
            $"seed-insured: {Math.Max(existing, options.Members):N0} synthetic members ({toAdd:N0} new) in {progress.Elapsed.TotalSeconds:0.0} s: {progress.Rows:N0} rows, {progress.RowsPerSecond:N0} rows/s"));
    }
}
