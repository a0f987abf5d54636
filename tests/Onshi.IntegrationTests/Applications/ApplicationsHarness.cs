using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Web.Hosting;

using Shouldly;

namespace Onshi.IntegrationTests.Applications;

/// <summary>The master and reset credentials read back from a ユーザ設定情報 PDF.</summary>
public sealed record UserSettingsCredentials(string MasterUserId, string MasterPassword, string ResetUserId, string Text);

/// <summary>
/// The core composed the way the CLI composes it (<c>AddOnshiCore</c>) plus the applications and Data Protection keys in a
/// temp directory, on a fresh database of one provider, with a fake clock at 2026-06-21 01:00 JST (still the 20th in UTC,
/// so a date taken in UTC instead of JST shows).
/// </summary>
public sealed partial class ApplicationsHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 6, 20, 16, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly TodayJst = new(2026, 6, 21);

    private readonly string _directory;

    private OperatorActor? _reviewer;

    private ApplicationsHarness(TestDatabase database, string directory, ServiceProvider services, FakeTimeProvider time)
    {
        Database = database;
        _directory = directory;
        Services = services;
        Time = time;
    }

    public TestDatabase Database { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public static async Task<ApplicationsHarness> CreateAsync(string provider, CancellationToken cancellationToken)
    {
        var database = await TestDatabase.CreateAsync(provider, cancellationToken);
        var directory = Path.Combine(Path.GetTempPath(), "onshi-apps-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = provider, ConnectionString = database.ConnectionString };
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var masterKey = MasterKey.Generate();
        services.AddSingleton(masterKey);
        services.AddOnshiCore(directory, o => OnshiDatabase.Configure(o, settings));
        services.AddSingleton<TimeProvider>(time);
        services.AddOnshiDataProtection(directory, masterKey);
        services.AddOnshiMail(directory);
        services.AddOnshiApplications();
        var provider2 = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new ApplicationsHarness(database, directory, provider2, time);
    }

    /// <summary>Runs <paramref name="action"/> with <typeparamref name="TService"/> in a scope of its own, like one request.</summary>
    public async Task<TResult> With<TService, TResult>(Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<TResult> Db<TResult>(Func<OnshiDbContext, Task<TResult>> action)
    {
        await using var context = Database.CreateDbContext();
        return await action(context);
    }

    /// <summary>The console's 審査担当 <c>reviewer01</c>, created on first use, as the actor of the operator's reviews.</summary>
    public async Task<OperatorActor> ReviewerAsync() => _reviewer ??= await OperatorAsync("reviewer01", OperatorRole.Reviewer);

    /// <summary>A new operator of the console of <paramref name="role"/>, as the actor of its calls.</summary>
    public Task<OperatorActor> OperatorAsync(string userId, OperatorRole role) => TestOperators.CreateAsync(Services, userId, role);

    public async Task<long> PortalUserAsync(string email, string name = "山田 太郎") =>
        await Db(async db =>
        {
            var user = new PortalUser
            {
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = name,
                EmailConfirmed = true,
                CreatedAt = Start.UtcDateTime,
            };
            db.PortalUsers.Add(user);
            await db.SaveChangesAsync();
            return user.Id;
        });

    public static NewApplicationInput NewInput(string code, string secret = "3870", EnvironmentSet environments = EnvironmentSet.Production | EnvironmentSet.Verification) => new()
    {
        InstitutionCode = code,
        InstitutionName = "テスト医科診療所",
        Address = "東京都千代田区千代田1-1",
        Phone = "03-5555-0101",
        Environments = environments,
        ContactName = "山田 太郎",
        ContactPhone = "090-5555-0202",
        SecretNumber = secret,
        SecretNumberConfirm = secret,
    };

    /// <summary>Submits a 新規 for <paramref name="code"/> and approves it; returns the application id and the institution id.</summary>
    public async Task<(long ApplicationId, long InstitutionId)> ApprovedInstitutionAsync(long portalUserId, string code, string secret = "3870",
        EnvironmentSet environments = EnvironmentSet.Production | EnvironmentSet.Verification)
    {
        var submitted = await With<UsageApplicationService, Core.Common.OpResult<long>>(s => s.SubmitNewAsync(portalUserId, NewInput(code, secret, environments)));
        submitted.Succeeded.ShouldBeTrue(string.Join(" / ", submitted.Errors.Select(e => e.Message)));
        var reviewer = await ReviewerAsync();
        var approved = await With<ApplicationReviewService, Core.Common.OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, submitted.Value));
        approved.Succeeded.ShouldBeTrue(string.Join(" / ", approved.Errors.Select(e => e.Message)));
        return (submitted.Value, approved.Value!.InstitutionId);
    }

    /// <summary>Reads ユーザID, パスワード and リセット用ユーザID out of a ユーザ設定情報 PDF.</summary>
    public static async Task<UserSettingsCredentials> ReadCredentialsAsync(byte[] pdf)
    {
        var text = await PdfText.ExtractAsync(pdf);
        string Value(Regex regex)
        {
            var match = regex.Match(text);
            match.Success.ShouldBeTrue($"{regex} not found in:\n{text}");
            return match.Groups[1].Value;
        }

        return new UserSettingsCredentials(Value(MasterIdLine()), Value(PasswordLine()), Value(ResetIdLine()), text);
    }

    /// <summary>
    /// Every string and binary value of every table, for the "stored nowhere in plain" checks: the names of the columns
    /// where <paramref name="needle"/> occurs (as text, or as UTF-8 bytes in a blob).
    /// </summary>
    public async Task<IReadOnlyList<string>> ColumnsContainingAsync(string needle)
    {
        var hits = new List<string>();
        var bytes = Encoding.UTF8.GetBytes(needle);
        // A short secret (a 4-digit 秘密の番号) turns up by chance inside hex hashes and thumbprints: like SecretScanner,
        // it counts only as a token of its own, not inside a longer run of letters and digits.
        var wholeToken = needle.Length < 8
            ? new System.Text.RegularExpressions.Regex($"(?<![0-9A-Za-z]){System.Text.RegularExpressions.Regex.Escape(needle)}(?![0-9A-Za-z])")
            : null;
        await using var context = Database.CreateDbContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var table in context.Model.GetEntityTypes().Select(e => e.GetTableName()).Where(t => t is not null).Distinct())
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (reader.IsDBNull(i))
                    {
                        continue;
                    }

                    var found = reader.GetValue(i) switch
                    {
                        string s => wholeToken is null ? s.Contains(needle, StringComparison.Ordinal) : wholeToken.IsMatch(s),
                        byte[] b => wholeToken is null ? b.AsSpan().IndexOf(bytes) >= 0 : wholeToken.IsMatch(Encoding.Latin1.GetString(b)),
                        _ => false,
                    };
                    if (found)
                    {
                        hits.Add(table + "." + reader.GetName(i));
                    }
                }
            }
        }

        return hits;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    [GeneratedRegex(@"^\s*ユーザID\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex MasterIdLine();

    [GeneratedRegex(@"^\s*パスワード\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"^\s*リセット用ユーザID\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex ResetIdLine();
}
