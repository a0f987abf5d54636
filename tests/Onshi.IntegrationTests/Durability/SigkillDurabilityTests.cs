using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Features.Sessions;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Durability;

/// <summary>
/// Kills the real <c>onshi serve</c> (a child process) with SIGKILL while it serves many concurrent パスワード初期化 on the
/// OQS (terminal certificate + master login), 利用申請 approvals on the operator console and password-reset requests on
/// the portal (mail into the outbox), at randomized moments, several rounds in a row. After the last kill the system
/// starts again and must be consistent: every account entirely before or entirely after its initialization (hash,
/// must-change flag, stamp, history, audit row, its session ended), every approval all or nothing (status, institution,
/// master and reset accounts, portal documents, audit rows; a decision mail only after the commit), no partial file in the data
/// directory, an intact audit chain (<c>onshi audit verify</c> exits 0), and a login works.
/// </summary>
public abstract class SigkillDurabilityTests(string provider) : IAsyncLifetime
{
    private const int Rounds = 3;
    private const int TargetAccounts = 300;
    private const int Applications = 24;
    private const int MasterClients = 2;
    private const int OperatorClients = 2;
    private const string Applicant = "kill-applicant@example.jp";
    private static readonly string[] MailRecipients = ["kill-mail-1@example.jp", "kill-mail-2@example.jp", "kill-mail-3@example.jp"];

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("onshi-kill-").FullName;
    private TestDatabase? database;
    private bool passed;

    private enum Outcome
    {
        /// <summary>The server answered with the success redirect: the change must be there after any later kill.</summary>
        Committed,

        /// <summary>The server answered with something else.</summary>
        Refused,

        /// <summary>No answer (the process died under the request): either state is allowed, but a whole one.</summary>
        ConnectionError,
    }

    /// <summary>The children's output, beside (not in) the data directory; kept when the test fails.</summary>
    private string LogPath => dataDirectory + ".serve.log";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        File.Delete(MasterKey.DefaultKeyFilePath(dataDirectory));
        if (passed)
        {
            File.Delete(LogPath);
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Sigkill_DuringPasswordInitializationsApprovalsAndMails_LeavesEveryChangeWholeOrAbsent()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        var seedValue = Environment.TickCount;
        var random = new Random(seedValue);
        output.WriteLine($"random seed {seedValue}");
        var clock = Stopwatch.StartNew();

        var settings = new OnshiSettings { DataDirectory = dataDirectory, DatabaseProvider = provider };
        if (provider == TestDatabase.Postgres)
        {
            database = await TestDatabase.CreateAsync(provider, ct);
            settings.ConnectionString = database.ConnectionString;
        }

        var seed = await SeedAsync(settings, ct);
        output.WriteLine($"seeded in {clock.Elapsed.TotalSeconds:F1} s: {seed.Targets.Count} accounts with a session, {seed.Applications.Count} applications");
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dataDirectory, "ca", "ca.crt"));
        using var terminal = X509CertificateLoader.LoadPkcs12FromFile(seed.Demo.Terminal.Pfx, seed.Demo.Terminal.Passphrase);
        var environment = new Dictionary<string, string>
        {
            // The mail caps are per process and per 15 minutes; the load sends more than a person ever would.
            ["Onshi__Portal__MaxMailsPerAddress"] = "1000000",
            ["Onshi__Portal__MaxMailsPerRecipient"] = "1000000",
        };
        var logPath = LogPath;
        var targetQueue = new ConcurrentQueue<Target>(seed.Targets.OrderBy(_ => random.Next()));
        var applicationQueue = new ConcurrentQueue<long>(seed.Applications.OrderBy(_ => random.Next()));
        var attempts = new ConcurrentBag<Attempt>();

        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                var started = clock.Elapsed;
                await using var child = await OnshiChildProcess.ServeAsync(settings, logPath, environment, ct);
                var serving = clock.Elapsed;
                // One browser of the master with several connections (tabs): one account holds one live session (SPEC §4.8).
                // The previous round's session was cut off by the kill, so the login answers 強制ログイン's question with OK.
                var masterCookies = new CookieContainer();
                var masters = new List<(OqsClient Client, string Token)>();
                for (var i = 0; i < MasterClients; i++)
                {
                    var client = TestTls.Client(child.Oqs, ca, terminal, masterCookies);
                    var menu = i == 0 ? await client.ForceLoginAsync(seed.Master.UserId, seed.Master.Password) : await client.GetAsync("/Menu");
                    menu.Path.ShouldBe("/Menu");
                    masters.Add((client, Token(menu)));
                }

                var operators = new List<(OqsClient Client, string Token)>();
                for (var i = 0; i < OperatorClients; i++)
                {
                    var client = TestTls.Client(child.Console, ca);
                    var home = await client.OperatorLoginAsync(seed.Operator.UserId, seed.Operator.Password);
                    home.Path.ShouldBe("/");
                    operators.Add((client, Token(home)));
                }

                var portal = TestTls.Client(child.Portal, ca);
                var forgot = await portal.GetAsync("/Account/ForgotPassword");
                var portalToken = Token(forgot);

                var loading = clock.Elapsed;

                // Load: every client sends its next request as soon as the previous one is answered.
                var committedInits = 0;
                var committedApprovals = 0;
                var committedMails = 0;
                var workers = new List<Task>();
                foreach (var (client, token) in masters)
                {
                    workers.Add(Task.Run(async () =>
                    {
                        while (targetQueue.TryDequeue(out var target))
                        {
                            var (outcome, ms) = await PostAsync(client, $"/Accounts/InitializePassword/{target.AccountId}", token, [], "/Accounts/Issued");
                            attempts.Add(new Attempt("init", target.UserId, round, outcome, ms));
                            if (outcome == Outcome.Committed)
                            {
                                Interlocked.Increment(ref committedInits);
                            }
                            else if (outcome == Outcome.ConnectionError)
                            {
                                return;
                            }
                        }
                    }, CancellationToken.None));
                }

                foreach (var (client, token) in operators)
                {
                    workers.Add(Task.Run(async () =>
                    {
                        while (applicationQueue.TryDequeue(out var id))
                        {
                            var (outcome, ms) = await PostAsync(client, $"/Review/Usage/{id}?handler=Approve", token, [], $"/Review/Usage/{id}");
                            attempts.Add(new Attempt("approve", id.ToString(CultureInfo.InvariantCulture), round, outcome, ms));
                            if (outcome == Outcome.Committed)
                            {
                                Interlocked.Increment(ref committedApprovals);
                            }
                            else if (outcome == Outcome.ConnectionError)
                            {
                                return;
                            }
                        }
                    }, CancellationToken.None));
                }

                workers.Add(Task.Run(async () =>
                {
                    for (var n = 0; ; n++)
                    {
                        var to = MailRecipients[n % MailRecipients.Length];
                        var (outcome, ms) = await PostAsync(portal, "/Account/ForgotPassword", portalToken, [new("Input.Email", to)], "/Account/ForgotPassword?sent=1");
                        attempts.Add(new Attempt("mail", to, round, outcome, ms));
                        if (outcome == Outcome.Committed)
                        {
                            Interlocked.Increment(ref committedMails);
                        }
                        else if (outcome == Outcome.ConnectionError)
                        {
                            return;
                        }

                        // Cheap requests: a steady trickle of files being written, without starving the others.
                        await Task.Delay(10, CancellationToken.None);
                    }
                }, CancellationToken.None));

                // A randomized moment once work is committing (in the first round, once an approval, which takes
                // seconds of PDF rendering, has been committed too): then SIGKILL, with requests of every kind in flight.
                var minimumInits = random.Next(2, 10);
                var minimumApprovals = round == 1 ? 1 : 0;
                var waited = Stopwatch.StartNew();
                while (Volatile.Read(ref committedInits) < minimumInits || Volatile.Read(ref committedApprovals) < minimumApprovals)
                {
                    waited.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(120), "the load never got going; see " + logPath);
                    workers.ShouldNotContain(w => w.IsFaulted);
                    await Task.Delay(5, ct);
                }

                await Task.Delay(random.Next(0, 400), ct);
                var beforeKill = (Volatile.Read(ref committedInits), Volatile.Read(ref committedApprovals), Volatile.Read(ref committedMails));
                await child.KillAsync();
                child.ExitCode.ShouldBe(137, "killed by signal 9");
                await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60), ct);
                foreach (var (client, _) in masters.Concat(operators))
                {
                    client.Dispose();
                }

                portal.Dispose();
                var thisRound = attempts.Where(a => a.Round == round).ToList();
                output.WriteLine($"round {round}: start {(serving - started).TotalSeconds:F1} s, logins {(loading - serving).TotalSeconds:F1} s, " +
                    $"load {(clock.Elapsed - loading).TotalSeconds:F1} s (median init {Median(thisRound, "init")}, approval {Median(thisRound, "approve")}, " +
                    $"mail {Median(thisRound, "mail")}); killed pid {child.Pid} with committed " +
                    $"inits/approvals/mails {beforeKill}; requests cut off by the kill: {thisRound.Count(a => a.Outcome == Outcome.ConnectionError)} " +
                    $"({string.Join(", ", thisRound.Where(a => a.Outcome == Outcome.ConnectionError).Select(a => a.Kind))})");

                // The kill really happened mid-load: work had been committed, and requests were cut off.
                thisRound.Count(a => a.Kind == "init" && a.Outcome == Outcome.Committed).ShouldBeGreaterThanOrEqualTo(minimumInits);
                thisRound.Count(a => a.Kind == "approve" && a.Outcome == Outcome.Committed).ShouldBeGreaterThanOrEqualTo(minimumApprovals);
                thisRound.ShouldContain(a => a.Kind == "approve" && a.Outcome == Outcome.ConnectionError, "an approval was in flight");
                thisRound.Count(a => a.Outcome == Outcome.ConnectionError).ShouldBeGreaterThanOrEqualTo(1);
            }

            // Restarted after the last kill: it starts, and serves logins on the OQS and the console.
            await using (var child = await OnshiChildProcess.ServeAsync(settings, logPath, environment, ct))
            {
                using var master = TestTls.Client(child.Oqs, ca, terminal);
                (await master.ForceLoginAsync(seed.Master.UserId, seed.Master.Password)).Path.ShouldBe("/Menu");
                using var op = TestTls.Client(child.Console, ca);
                (await op.OperatorLoginAsync(seed.Operator.UserId, seed.Operator.Password)).Path.ShouldBe("/");
            }

            var (verifyCode, verifyOutput) = await OnshiChildProcess.RunAsync(settings, ["audit", "verify"], ct);
            verifyCode.ShouldBe(0, verifyOutput);
            verifyOutput.ShouldContain("OK");

            var all = attempts.ToList();
            attempts.Where(a => a.Outcome == Outcome.Refused).ShouldBeEmpty("no request of the load should have been refused");
            var stats = await CheckDatabaseAsync(settings, seed, all, ct);
            var temporaries = CheckFiles();
            output.WriteLine($"after {Rounds} kills: {stats}; leftover temporary files: {temporaries}; total {clock.Elapsed.TotalSeconds:F1} s");
            passed = true;
        }
        catch
        {
            output.WriteLine("serve log: " + logPath);
            throw;
        }
    }

    private static string Token(OqsPage page) =>
        page.Q("input[name=__af]").ShouldNotBeNull($"no antiforgery token on {page.Url}").GetAttribute("value")!;

    private static async Task<(Outcome Outcome, double Milliseconds)> PostAsync(OqsClient client, string path, string token,
        IEnumerable<KeyValuePair<string, string>> fields, string success)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var content = new FormUrlEncodedContent(fields.Append(new("__af", token)));
            using var response = await client.Http.PostAsync(path, content);
            return (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == success
                ? Outcome.Committed
                : Outcome.Refused, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            return (Outcome.ConnectionError, watch.Elapsed.TotalMilliseconds);
        }
    }

    private static string Median(IEnumerable<Attempt> attempts, string kind)
    {
        var times = attempts.Where(a => a.Kind == kind && a.Outcome == Outcome.Committed).Select(a => a.Milliseconds).Order().ToList();
        return times.Count == 0 ? "-" : times[times.Count / 2].ToString("F0", CultureInfo.InvariantCulture) + " ms";
    }

    /// <summary>Every target account and application: entirely before or entirely after. Returns a summary for the output.</summary>
    private async Task<string> CheckDatabaseAsync(OnshiSettings settings, Seed seed, IReadOnlyList<Attempt> attempts, CancellationToken ct)
    {
        var builder = new DbContextOptionsBuilder<OnshiDbContext>();
        TestDatabase.Configure(builder, provider, settings.ResolveConnectionString());
        await using var db = new OnshiDbContext(builder.Options);

        // パスワード初期化: hash changed ⇔ must change ⇔ new stamp ⇔ old hash in history ⇔ audit row ⇔ the session ended (audited).
        var ids = seed.Targets.Select(t => t.AccountId).ToList();
        var userIds = seed.Targets.Select(t => t.UserId).ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var sessions = await db.LoginSessions.AsNoTracking().Where(s => ids.Contains(s.AccountId)).ToListAsync(ct);
        var history = await db.PasswordHistory.AsNoTracking().Where(h => ids.Contains(h.AccountId)).ToListAsync(ct);
        var initRows = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.PasswordInitialize && userIds.Contains(a.Target)).ToListAsync(ct);
        var endRows = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.SessionEnd && userIds.Contains(a.Target)).ToListAsync(ct);
        var initialized = 0;
        var inFlightCommitted = 0;
        foreach (var target in seed.Targets)
        {
            var account = accounts[target.AccountId];
            var attempt = attempts.Where(a => a.Kind == "init" && a.Target == target.UserId).ToList();
            attempt.Count.ShouldBeLessThanOrEqualTo(1);
            var changed = account.PasswordHash != seed.InitialHash;
            var why = $"{target.UserId} (changed: {changed}, request: {attempt.FirstOrDefault()?.Outcome.ToString() ?? "never sent"})";
            account.MustChangePassword.ShouldBe(changed, why);
            account.PasswordExpiresAt.HasValue.ShouldBe(changed, why);
            (account.SecurityStamp != target.Stamp).ShouldBe(changed, why);
            history.Count(h => h.AccountId == target.AccountId).ShouldBe(changed ? 1 : 0, why);
            initRows.Count(r => r.Target == target.UserId && r.Outcome == AuditOutcomes.Success).ShouldBe(changed ? 1 : 0, why);
            var session = sessions.Single(s => s.KeyHash == SessionKeys.Hash(target.SessionKey));
            (session.EndedAt is not null).ShouldBe(changed, why);
            if (changed)
            {
                session.EndReason.ShouldBe(SessionEndReasons.PasswordInitialized, why);
            }

            endRows.Count(r => r.Target == target.UserId && r.Detail == SessionEndReasons.PasswordInitialized).ShouldBe(changed ? 1 : 0, why);
            if (attempt.Count == 0)
            {
                changed.ShouldBeFalse(why);
            }
            else if (attempt[0].Outcome == Outcome.Committed)
            {
                changed.ShouldBeTrue("an answered initialization must survive the kill: " + why);
            }
            else if (changed)
            {
                inFlightCommitted++;
            }

            initialized += changed ? 1 : 0;
        }

        // 承認: status ⇔ institution ⇔ 2 masters + 2 reset accounts ⇔ 2 ユーザ設定情報 documents ⇔ its audit rows.
        var applications = await db.UsageApplications.AsNoTracking().Where(a => seed.Applications.Contains(a.Id)).ToListAsync(ct);
        var codes = applications.Select(a => a.InstitutionCode).ToList();
        var institutions = await db.Institutions.AsNoTracking().Where(i => codes.Contains(i.Code)).ToDictionaryAsync(i => i.Code, ct);
        var institutionIds = institutions.Values.Select(i => i.Id).ToList();
        var newAccounts = await db.Accounts.AsNoTracking().Where(a => institutionIds.Contains(a.InstitutionId)).ToListAsync(ct);
        var documents = await db.PortalDocuments.AsNoTracking().Where(d => d.UsageApplicationId != null && seed.Applications.Contains(d.UsageApplicationId.Value))
            .Select(d => new { d.UsageApplicationId, d.InstitutionId, d.Environment, d.Kind }).ToListAsync(ct);
        var reviewRows = await db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == ApplicationAuditActions.UsageApprove || a.Action == ApplicationAuditActions.InstitutionCreate
                || (a.Action == AuditActions.AccountCreate && codes.Contains(a.InstitutionCode)))
            .ToListAsync(ct);
        var approved = 0;
        foreach (var application in applications)
        {
            var attempt = attempts.Where(a => a.Kind == "approve" && a.Target == application.Id.ToString(CultureInfo.InvariantCulture)).ToList();
            attempt.Count.ShouldBeLessThanOrEqualTo(1);
            var done = application.Status == ReviewStatus.Approved;
            var why = $"application {application.Id} {application.InstitutionCode} (status: {application.Status}, request: {attempt.FirstOrDefault()?.Outcome.ToString() ?? "never sent"})";
            if (!done)
            {
                application.Status.ShouldBe(ReviewStatus.Pending, why);
            }

            institutions.TryGetValue(application.InstitutionCode, out var institution);
            (institution is not null).ShouldBe(done, "the institution exists exactly when its application is approved: " + why);
            reviewRows.Count(r => r.Action == ApplicationAuditActions.InstitutionCreate && r.Target == application.InstitutionCode).ShouldBe(done ? 1 : 0, why);
            reviewRows.Count(r => r.Action == ApplicationAuditActions.UsageApprove && r.Target == "usage-application#" + application.Id).ShouldBe(done ? 1 : 0, why);
            reviewRows.Count(r => r.Action == AuditActions.AccountCreate && r.InstitutionCode == application.InstitutionCode).ShouldBe(done ? 4 : 0, why);
            var docs = documents.Where(d => d.UsageApplicationId == application.Id).ToList();
            docs.Count.ShouldBe(done ? 2 : 0, why);
            if (done)
            {
                application.DecidedAt.ShouldNotBeNull(why);
                application.DecidedBy.ShouldNotBeNullOrEmpty(why);
                application.SecretNumberHash.ShouldBe("", why);
                application.InstitutionId.ShouldBe(institution!.Id, why);
                institution.ContactPortalUserId.ShouldBe(seed.ApplicantId, why);
                var mine = newAccounts.Where(a => a.InstitutionId == institution.Id).ToList();
                mine.Count.ShouldBe(4, why);
                foreach (var env in new[] { OqsEnvironment.Production, OqsEnvironment.Verification })
                {
                    mine.Count(a => a.Environment == env && a.Kind == AccountKind.Master && a.MustChangePassword).ShouldBe(1, why);
                    mine.Count(a => a.Environment == env && a.Kind == AccountKind.MasterReset).ShouldBe(1, why);
                    docs.Count(d => d.Environment == env && d.Kind == PortalDocumentKind.UserSettings && d.InstitutionId == institution.Id).ShouldBe(1, why);
                }
            }
            else
            {
                application.DecidedAt.ShouldBeNull(why);
                application.InstitutionId.ShouldBeNull(why);
                application.SecretNumberHash.ShouldNotBeNullOrEmpty(why);
            }

            if (attempt.Count == 0)
            {
                done.ShouldBeFalse(why);
            }
            else if (attempt[0].Outcome == Outcome.Committed)
            {
                done.ShouldBeTrue("an answered approval must survive the kill: " + why);
            }

            approved += done ? 1 : 0;
        }

        // The reset requests: every answered one has its audit row, and every mail its row (the mail is queued only after
        // the row is committed, and written just after the answer; a kill may lose queued mails, never add one).
        var mailUsers = await db.PortalUsers.AsNoTracking().Where(u => MailRecipients.Contains(u.Email)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var sentRows = await db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == PortalAuditActions.ResetRequest && a.Outcome == AuditOutcomes.Success && a.Detail == "sent").Select(a => a.Actor).ToListAsync(ct);
        var mails = Directory.EnumerateFiles(Path.Combine(dataDirectory, "outbox"), "*.eml").Select(OutboxReaderForTest.Read).ToList();
        foreach (var (id, email) in mailUsers)
        {
            var rows = sentRows.Count(a => a == PortalAuditActions.Actor(id));
            var committed = attempts.Count(a => a.Kind == "mail" && a.Target == email && a.Outcome == Outcome.Committed);
            rows.ShouldBeGreaterThanOrEqualTo(committed, email);
            mails.Count(m => m.To == email).ShouldBeLessThanOrEqualTo(rows, email);
        }

        // An approval's decision mail is sent after its commit (issue 14): never for an approval that is not there, at most one
        // for each that is (a kill between the commit and the send loses the mail, never the approval).
        mails.Count(m => m.To == Applicant).ShouldBeLessThanOrEqualTo(approved, "one decision mail at most per committed approval");
        initialized.ShouldBeGreaterThan(0);
        approved.ShouldBeGreaterThan(0);
        return $"{initialized} initialized ({inFlightCommitted} of them committed under a cut-off request), {approved} approved, {mails.Count} mails";
    }

    /// <summary>No partial file: every file a reader would take is complete. Returns how many hidden temporary files a kill left.</summary>
    private int CheckFiles()
    {
        var temporaries = 0;
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            var relative = Path.GetRelativePath(dataDirectory, file);
            if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A write cut off before its rename: hidden, and no reader (outbox, key ring, backup) ever takes it.
                temporaries++;
                continue;
            }

            if (name.StartsWith("onshi.db", StringComparison.Ordinal))
            {
                // SQLite's own files: its journal makes them whole; the checks above read them.
                continue;
            }

            var bytes = File.ReadAllBytes(file);
            switch (Path.GetExtension(name))
            {
                case ".eml":
                    // Whole mails only: a reset mail with its link, or an approval's decision mail with its signature.
                    var mail = OutboxReaderForTest.Read(file);
                    if (mail.To == Applicant)
                    {
                        mail.Body.ShouldContain("承認しました", customMessage: relative);
                        mail.Body.ShouldContain("コールセンター", customMessage: relative);
                    }
                    else
                    {
                        mail.Body.ShouldContain("/Account/ResetPassword?", customMessage: relative);
                    }

                    break;
                case ".xml":
                    XDocument.Load(file).Descendants(OnshiXmlEncryptor.ElementName).ShouldNotBeEmpty(relative);
                    break;
                case ".pfx" or ".p12":
                    // One whole DER structure, nothing missing and nothing after it.
                    var reader = new AsnReader(bytes, AsnEncodingRules.BER);
                    reader.ReadSequence();
                    reader.HasData.ShouldBeFalse(relative);
                    break;
                case ".crt" or ".pem" or ".key":
                    Encoding.ASCII.GetString(bytes).TrimEnd().ShouldEndWith("-----", customMessage: relative);
                    break;
                case ".id":
                    MasterKey.ReadMarker(dataDirectory).ShouldNotBeNullOrEmpty(relative);
                    break;
                default:
                    bytes.Length.ShouldBeGreaterThan(0, relative);
                    break;
            }
        }

        return temporaries;
    }

    private static async Task<Seed> SeedAsync(OnshiSettings settings, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var masterKey = MasterKey.Resolve(settings.DataDirectory);
        services.AddSingleton(masterKey);
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        services.AddOnshiDataProtection(settings.DataDirectory, masterKey);
        services.AddOnshiMail(settings.DataDirectory);
        services.AddOnshiApplications();
        await using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await OnshiDatabase.MigrateAsync(sp, settings, ct);
        var demo = await DemoCommand.BuildAsync(sp, OqsEnvironment.Production, settings.DataDirectory, 0, ct, portalItems: false);

        // Accounts to initialize, each with an open session of its own, all with one known hash.
        var targets = new List<Target>();
        string initialHash;
        long applicantId;
        await using (var scope = sp.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            var hasher = scope.ServiceProvider.GetRequiredService<Argon2idPasswordHasher>();
            initialHash = hasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)));
            var masterId = demo.Accounts.Single(x => x.Kind == "master").UserId.ToUpperInvariant();
            var master = await db.Accounts.AsNoTracking().SingleAsync(a => a.NormalizedUserId == masterId, ct);
            var thumbprint = await db.TerminalCertificates.AsNoTracking().Where(c => c.InstitutionId == master.InstitutionId).Select(c => c.Thumbprint).FirstAsync(ct);
            var now = DateTime.UtcNow;
            var accounts = Enumerable.Range(1, TargetAccounts).Select(i => new Account
            {
                InstitutionId = master.InstitutionId,
                Environment = OqsEnvironment.Production,
                UserId = $"KILL{i:D3}",
                NormalizedUserId = $"KILL{i:D3}",
                DisplayName = $"受付 {i}",
                Kind = AccountKind.General,
                PasswordHash = initialHash,
                PasswordChangedAt = now,
                CreatedAt = now,
                CreatedBy = master.UserId,
                UpdatedAt = now,
                UpdatedBy = master.UserId,
            }).ToList();
            db.Accounts.AddRange(accounts);
            await db.SaveChangesAsync(ct);
            foreach (var account in accounts)
            {
                var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                db.LoginSessions.Add(new LoginSession
                {
                    KeyHash = SessionKeys.Hash(key),
                    AccountId = account.Id,
                    InstitutionId = account.InstitutionId,
                    SecurityStamp = account.SecurityStamp,
                    CertificateThumbprint = thumbprint,
                    ClientAddress = "127.0.0.1",
                    CreatedAt = now,
                    LastSeenAt = now,
                });
                targets.Add(new Target(account.Id, account.UserId, account.SecurityStamp, key));
            }

            var applicant = new PortalUser { Email = Applicant, NormalizedEmail = Applicant.ToUpperInvariant(), DisplayName = "申請 太郎", EmailConfirmed = true, CreatedAt = now };
            db.PortalUsers.Add(applicant);
            foreach (var email in MailRecipients)
            {
                db.PortalUsers.Add(new PortalUser { Email = email, NormalizedEmail = email.ToUpperInvariant(), DisplayName = "窓口 担当", EmailConfirmed = true, CreatedAt = now, PasswordHash = initialHash });
            }

            await db.SaveChangesAsync(ct);
            applicantId = applicant.Id;
        }

        // 新規 利用申請 waiting for approval, submitted the portal's way.
        var applications = new List<long>();
        for (var i = 0; i < Applications; i++)
        {
            await using var scope = sp.CreateAsyncScope();
            var code = InstitutionCode.WithCheckDigit("1319" + (50000 + i).ToString(CultureInfo.InvariantCulture));
            var submitted = await scope.ServiceProvider.GetRequiredService<UsageApplicationService>().SubmitNewAsync(applicantId, ApplicationsHarness.NewInput(code), ct);
            submitted.Succeeded.ShouldBeTrue(string.Join(" / ", submitted.Errors.Select(e => e.Message)));
            applications.Add(submitted.Value);
        }

        var masterAccount = demo.Accounts.Single(a => a.Kind == "master");
        return new Seed(demo, masterAccount, demo.Operator!, targets, initialHash, applications, applicantId);
    }

    private sealed record Target(long AccountId, string UserId, string Stamp, string SessionKey);

    private sealed record Attempt(string Kind, string Target, int Round, Outcome Outcome, double Milliseconds);

    private sealed record Seed(DemoFile Demo, DemoAccount Master, DemoOperator Operator, IReadOnlyList<Target> Targets, string InitialHash,
        IReadOnlyList<long> Applications, long ApplicantId);
}

/// <summary>Reads an outbox file strictly: a file cut short fails (the portal's reader is lenient on purpose).</summary>
internal static class OutboxReaderForTest
{
    public static Core.Features.Mail.OutboxMessage Read(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        text.ShouldEndWith("\r\n", customMessage: path);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        split.ShouldBeGreaterThan(0, path);
        var body = string.Concat(text[(split + 4)..].Where(c => !char.IsWhiteSpace(c)));
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(body));
        decoded.ShouldContain("※このメールは送信専用です。", customMessage: path);
        return Core.Features.Mail.OutboxReader.Read(path);
    }
}

/// <summary>The two providers one after the other: each loads both cores by itself.</summary>
[CollectionDefinition(nameof(SigkillDurabilityTests))]
public sealed class SigkillDurabilityGroup;

[Collection(nameof(SigkillDurabilityTests))]
public sealed class SigkillDurabilityTestsSqlite() : SigkillDurabilityTests(TestDatabase.Sqlite);

[Collection(nameof(SigkillDurabilityTests))]
public sealed class SigkillDurabilityTestsPostgres() : SigkillDurabilityTests(TestDatabase.Postgres);
