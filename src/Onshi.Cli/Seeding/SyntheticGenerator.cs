using System.Globalization;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Institutions;

namespace Onshi.Cli.Seeding;

/// <summary>The next free id of every table seed-scale writes (explicit ids: one round trip per batch, not per row).</summary>
internal sealed class IdCursor
{
    public long Institution { get; set; }

    public long PortalUser { get; set; }

    public long UsageApplication { get; set; }

    public long Account { get; set; }

    public long TerminalCertificate { get; set; }

    public long CertificateApplication { get; set; }

    public long PortalDocument { get; set; }

    public long OperationStart { get; set; }

    public long Audit { get; set; }
}

/// <summary>A terminal whose certificate was really issued by our CA (<c>--real-certificates</c>): the secrets live here until written.</summary>
internal sealed record RealTerminal(int InstitutionIndex, string InstitutionCode, string TerminalName, IssuedTerminalCertificate Issued);

/// <summary>The rows of a run of complete institutions, written in one transaction.</summary>
internal sealed class SeedBatch
{
    public int FirstIndex { get; init; }

    public List<PortalUser> PortalUsers { get; } = [];

    public List<Institution> Institutions { get; } = [];

    public List<UsageApplication> UsageApplications { get; } = [];

    public List<Account> Accounts { get; } = [];

    public List<TerminalCertificate> Certificates { get; } = [];

    public List<CertificateApplication> CertificateApplications { get; } = [];

    public List<PortalDocument> Documents { get; } = [];

    public List<OperationStartRegistration> OperationStarts { get; } = [];

    /// <summary>One <c>institution.create</c> row per institution; chained (PreviousHash, Hash) by the writer.</summary>
    public List<AuditEntry> Audit { get; } = [];

    public List<RealTerminal> RealTerminals { get; } = [];

    public long RowCount => PortalUsers.Count + Institutions.Count + UsageApplications.Count + Accounts.Count + Certificates.Count
        + CertificateApplications.Count + Documents.Count + OperationStarts.Count + Audit.Count;
}

/// <summary>The fixed inputs of a generation run.</summary>
internal sealed record GeneratorSettings(
    long Seed,
    OqsEnvironment Environment,
    DateTime Now,
    string PasswordHash,
    string SecretNumberHash,
    DateTime? PasswordExpiresAt,
    byte[] ProtectedDocument,
    int LargeInstitutions,
    int RealCertificates);

/// <summary>
/// Makes synthetic institution number <c>index</c> (0-based) — everything an approved institution in use has — as a
/// pure function of the seed and the index, except for (a) the 医療機関等コード, whose digits 6–9 count the institutions of
/// the same prefecture and 点数表 before it (so <see cref="Skip"/> replays the headers of a resumed run) and whose last digit
/// is the 検証番号 of the rest,
/// (b) the ids (from the database) and (c) real certificates (random keys). Times are relative to the run's "now".
/// </summary>
internal sealed class SyntheticGenerator(GeneratorSettings settings, CertificateAuthority? authority)
{
    private const ulong HeaderStream = 0x48454144UL; // "HEAD"
    private const ulong BodyStream = 0x424F4459UL; // "BODY"
    private const int NumbersPerBucket = 10_000; // digits 6–9; the 10th is the 検証番号

    private readonly int[,] counters = new int[48, 10];

    /// <summary>The number of institutions generated or skipped so far (the next index).</summary>
    public int Next { get; private set; }

    /// <summary>Replays the code allocation of institutions <see cref="Next"/> … <paramref name="count"/> − 1 (a resumed run).</summary>
    public void Skip(int count)
    {
        while (Next < count)
        {
            AllocateCode(Next++);
        }
    }

    /// <summary>The code institution <paramref name="index"/> gets (without allocating it), for checking a resumed run.</summary>
    public static string ExpectedCode(long seed, int index)
    {
        var replay = Replay(seed);
        replay.Skip(index);
        return replay.AllocateCode(index);
    }

    /// <summary>The codes institutions 0 … <paramref name="count"/> − 1 get, in order (without allocating them).</summary>
    public static IEnumerable<string> ExpectedCodes(long seed, int count)
    {
        var replay = Replay(seed);
        while (replay.Next < count)
        {
            yield return replay.AllocateCode(replay.Next++);
        }
    }

    private static SyntheticGenerator Replay(long seed) =>
        new(new GeneratorSettings(seed, OqsEnvironment.Production, DateTime.UnixEpoch, "", "", null, [], 0, 0), null);

    /// <summary>Adds institutions <see cref="Next"/> … <see cref="Next"/> + <paramref name="count"/> − 1 to <paramref name="batch"/>.</summary>
    public void Generate(int count, IdCursor ids, SeedBatch batch)
    {
        for (var n = 0; n < count; n++)
        {
            var index = Next++;
            var code = AllocateCode(index);
            GenerateInstitution(index, code, ids, batch);
        }
    }

    private string AllocateCode(int index)
    {
        var rng = SyntheticRandom.For(settings.Seed, index, HeaderStream);
        var prefecture = rng.Weighted(SyntheticNames.PrefectureCumulative) + 1;
        var kind = (int)SyntheticNames.Kinds[rng.Weighted(SyntheticNames.KindCumulative)];

        // A full bucket (10,000 institutions of one prefecture and kind) spills into the next prefecture.
        for (var tries = 0; counters[prefecture, kind] >= NumbersPerBucket; tries++)
        {
            if (tries >= 47)
            {
                throw new InvalidOperationException("No synthetic institution code left.");
            }

            prefecture = (prefecture % 47) + 1;
        }

        var number = counters[prefecture, kind]++;
        return InstitutionCode.WithCheckDigit(string.Create(CultureInfo.InvariantCulture, $"{prefecture:D2}{kind}{SyntheticData.CodeMarker}{number:D4}"));
    }

    private void GenerateInstitution(int index, string code, IdCursor ids, SeedBatch batch)
    {
        var rng = SyntheticRandom.For(settings.Seed, index, BodyStream);
        if (!InstitutionCode.TryParse(code, out _, out var kind, out _))
        {
            throw new InvalidOperationException("A synthetic institution code is not valid: " + code);
        }

        var prefecture = SyntheticNames.Prefectures[int.Parse(code.AsSpan(0, 2), CultureInfo.InvariantCulture) - 1];
        var now = settings.Now;

        // The life of an approved institution: the contact registers on the portal, applies (利用申請), the operator
        // approves (institution, master and reset accounts, ユーザ設定情報), the master changes its password and registers
        // staff, the terminals get their certificates through 電子証明書発行申請, the 運用開始日 is registered.
        var approvedAt = now - Days(rng.Next(30, 1000)) - Seconds(rng.Next(0, 86_400));
        var registeredAt = approvedAt - Days(rng.Next(3, 20));
        var submittedAt = registeredAt + Seconds(rng.Next(600, 86_400));
        var name = string.Create(CultureInfo.InvariantCulture, $"{SyntheticData.NamePrefix}{SyntheticNames.InstitutionBaseName(rng, kind)} {index:D6}");
        var phone = string.Create(CultureInfo.InvariantCulture, $"000-{index / 10_000:D4}-{index % 10_000:D4}");
        var address = string.Create(CultureInfo.InvariantCulture, $"{prefecture}合成市{rng.Next(1, 10)}-{rng.Next(1, 30)}-{rng.Next(1, 20)}");
        var contactName = SyntheticNames.PersonName(rng);
        var email = SyntheticData.Email(index);

        var portalUser = new PortalUser
        {
            Id = ids.PortalUser++,
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            DisplayName = contactName,
            PasswordHash = settings.PasswordHash,
            EmailConfirmed = true,
            SecurityStamp = rng.Hex(16),
            CreatedAt = registeredAt,
            LastLoginAt = now - Seconds(rng.Next(3_600, 60 * 86_400)),
        };
        var institution = new Institution
        {
            Id = ids.Institution++,
            Code = code,
            Name = name,
            Address = address,
            Phone = phone,
            ContactPortalUserId = portalUser.Id,
            CreatedAt = approvedAt,
        };
        var application = new UsageApplication
        {
            Id = ids.UsageApplication++,
            PortalUserId = portalUser.Id,
            Kind = ApplicationKind.New,
            Status = ReviewStatus.Approved,
            InstitutionCode = code,
            InstitutionName = name,
            Address = address,
            Phone = phone,
            Environments = settings.Environment == OqsEnvironment.Production ? EnvironmentSet.Production : EnvironmentSet.Verification,
            ContactName = contactName,
            ContactPhone = phone,
            SecretNumberHash = "", // what an approval leaves (ApplicationReviewService.Decide)
            InstitutionId = institution.Id,
            SubmittedAt = submittedAt,
            DecidedAt = approvedAt,
            DecidedBy = SyntheticData.Actor,
        };
        batch.PortalUsers.Add(portalUser);
        batch.Institutions.Add(institution);
        batch.UsageApplications.Add(application);
        batch.Documents.Add(new PortalDocument
        {
            Id = ids.PortalDocument++,
            InstitutionId = institution.Id,
            Environment = settings.Environment,
            Kind = PortalDocumentKind.UserSettings,
            ApplicationKind = ApplicationKind.New,
            FileName = UserSettingsInformationPdf.FileName(settings.Environment),
            ImportedOn = JapanDate(approvedAt),
            ProtectedContent = settings.ProtectedDocument,
            UsageApplicationId = application.Id,
            CreatedAt = approvedAt,
        });
        batch.OperationStarts.Add(new OperationStartRegistration
        {
            Id = ids.OperationStart++,
            InstitutionId = institution.Id,
            Environment = settings.Environment,
            StartDate = JapanDate(approvedAt + Days(rng.Next(7, 60))),
            PortalUserId = portalUser.Id,
            RegisteredAt = approvedAt + Days(rng.Next(1, 7)),
        });

        AddAccounts(index, institution, approvedAt, rng, ids, batch);
        AddTerminals(index, institution, portalUser, approvedAt, rng, ids, batch);

        // The one audit row of the institution: seed-scale created it (its time and chain links are set by the writer).
        batch.Audit.Add(new AuditEntry
        {
            Id = ids.Audit++,
            Environment = settings.Environment,
            InstitutionId = institution.Id,
            InstitutionCode = code,
            Actor = SyntheticData.Actor,
            Action = ApplicationAuditActions.InstitutionCreate,
            Target = code,
            Outcome = Core.Features.Audit.AuditOutcomes.Success,
            Detail = SyntheticData.AuditDetail(settings.Seed),
            PreviousHash = "",
            Hash = "",
        });
    }

    private void AddAccounts(int index, Institution institution, DateTime approvedAt, SyntheticRandom rng, IdCursor ids, SeedBatch batch)
    {
        var institutionName = institution.Name.Length > 50 ? institution.Name[..50] : institution.Name;
        Add(SyntheticData.MasterUserId(index), AccountKind.Master, institutionName, approvedAt, settings.PasswordHash);
        Add(SyntheticData.ResetUserId(index), AccountKind.MasterReset, institutionName, approvedAt, settings.SecretNumberHash);

        int admins, faceAuth, medicalInfo, linkedApp, webApi, general;
        if (index < settings.LargeInstitutions)
        {
            (admins, faceAuth, medicalInfo, linkedApp, webApi) = (10, 2, 40, 3, 2);
            general = SyntheticData.LargeInstitutionAccounts - 2 - admins - faceAuth - medicalInfo - linkedApp - webApi;
        }
        else
        {
            // About ten accounts: a master, a reset account, one to three admins, usually a 顔認証付きカードリーダー, some
            // 医療情報閲覧 staff, sometimes a linked application or Web API client, and general (受付) staff.
            admins = 1 + (rng.Chance(0.5) ? 1 : 0) + (rng.Chance(0.15) ? 1 : 0);
            faceAuth = rng.Chance(0.8) ? 1 : 0;
            medicalInfo = rng.Next(0, 3);
            linkedApp = rng.Chance(0.3) ? 1 : 0;
            webApi = rng.Chance(0.1) ? 1 : 0;
            var total = rng.Next(8, 13);
            general = Math.Max(1, total - 2 - admins - faceAuth - medicalInfo - linkedApp - webApi);
        }

        Staff(AccountKind.Admin, admins);
        Staff(AccountKind.General, general);
        Staff(AccountKind.MedicalInfo, medicalInfo);
        Staff(AccountKind.LinkedApp, linkedApp);
        Staff(AccountKind.WebApi, webApi);
        Staff(AccountKind.FaceAuth, faceAuth);

        void Staff(AccountKind kind, int count)
        {
            for (var n = 1; n <= count; n++)
            {
                var displayName = kind switch
                {
                    AccountKind.FaceAuth => "顔認証付きカードリーダー" + (n > 1 ? n.ToString(CultureInfo.InvariantCulture) : ""),
                    AccountKind.LinkedApp => "レセプトコンピュータ連携" + (n > 1 ? n.ToString(CultureInfo.InvariantCulture) : ""),
                    AccountKind.WebApi => "電子カルテ連携（Web API）" + (n > 1 ? n.ToString(CultureInfo.InvariantCulture) : ""),
                    _ => SyntheticNames.PersonName(rng),
                };
                Add(SyntheticData.StaffUserId(index, kind, n), kind, displayName, approvedAt + Days(rng.Next(1, 30)), settings.PasswordHash);
            }
        }

        void Add(string userId, AccountKind kind, string displayName, DateTime createdAt, string hash)
        {
            // Every synthetic account is in use: active, its first password already changed (not temporary), logged in lately.
            var changedAt = createdAt + Seconds(rng.Next(600, 7 * 86_400));
            batch.Accounts.Add(new Account
            {
                Id = ids.Account++,
                InstitutionId = institution.Id,
                Environment = settings.Environment,
                UserId = userId,
                NormalizedUserId = userId.ToUpperInvariant(),
                DisplayName = displayName,
                Kind = kind,
                Status = AccountStatus.Active,
                PasswordHash = hash,
                PasswordChangedAt = kind == AccountKind.MasterReset ? null : changedAt,
                PasswordExpiresAt = kind == AccountKind.MasterReset ? null : settings.PasswordExpiresAt,
                MustChangePassword = false,
                AccessFailedCount = 0,
                LockoutEnd = null,
                LastLoginAt = kind == AccountKind.MasterReset ? null : settings.Now - Seconds(rng.Next(60, 14 * 86_400)),
                CreatedAt = createdAt,
                CreatedBy = SyntheticData.Actor,
                UpdatedAt = changedAt,
                UpdatedBy = SyntheticData.Actor,
                SecurityStamp = rng.Hex(16),
            });
        }
    }

    private void AddTerminals(int index, Institution institution, PortalUser contact, DateTime approvedAt, SyntheticRandom rng, IdCursor ids, SeedBatch batch)
    {
        for (var t = 1; t <= SyntheticData.TerminalsPerInstitution; t++)
        {
            var terminal = string.Create(CultureInfo.InvariantCulture, $"T{t:D4}");
            var submittedAt = approvedAt + Days(rng.Next(1, 10)) + Seconds(rng.Next(0, 86_400));
            var decidedAt = submittedAt + Seconds(rng.Next(3_600, 3 * 86_400));
            TerminalCertificate certificate;
            if (index < settings.RealCertificates)
            {
                var issued = authority!.IssueTerminalCertificate(institution.Code, institution.Name, terminal);
                var notBefore = issued.Certificate.NotBefore.ToUniversalTime();
                decidedAt = notBefore + CertificateAuthority.ClockSkewAllowance;
                submittedAt = decidedAt - Seconds(rng.Next(3_600, 86_400));
                certificate = new TerminalCertificate
                {
                    Id = ids.TerminalCertificate++,
                    InstitutionId = institution.Id,
                    TerminalName = terminal,
                    SerialNumber = issued.SerialNumber,
                    Thumbprint = issued.Thumbprint,
                    CertificatePem = issued.CertificatePem,
                    NotBefore = notBefore,
                    NotAfter = issued.Certificate.NotAfter.ToUniversalTime(),
                    IssuedAt = decidedAt,
                    IssuedBy = SyntheticData.Actor,
                };
                batch.RealTerminals.Add(new RealTerminal(index, institution.Code, terminal, issued));
            }
            else
            {
                // No certificate exists: a unique serial and thumbprint nobody can present, and no PEM.
                certificate = new TerminalCertificate
                {
                    Id = ids.TerminalCertificate++,
                    InstitutionId = institution.Id,
                    TerminalName = terminal,
                    SerialNumber = rng.Hex(16, positive: true),
                    Thumbprint = rng.Hex(32),
                    CertificatePem = "",
                    NotBefore = decidedAt - CertificateAuthority.ClockSkewAllowance,
                    NotAfter = decidedAt.AddMonths(CertificateAuthority.TerminalValidityMonths),
                    IssuedAt = decidedAt,
                    IssuedBy = SyntheticData.Actor,
                };
            }

            batch.Certificates.Add(certificate);
            batch.CertificateApplications.Add(new CertificateApplication
            {
                Id = ids.CertificateApplication++,
                PortalUserId = contact.Id,
                InstitutionId = institution.Id,
                TerminalName = terminal,
                Status = ReviewStatus.Approved,
                SubmittedAt = submittedAt,
                DecidedAt = decidedAt,
                DecidedBy = SyntheticData.Actor,
                TerminalCertificateId = certificate.Id,
                ProtectedPkcs12 = null, // downloaded: the one download erased it
                ProtectedPassphrase = null,
                DownloadedAt = decidedAt + Seconds(rng.Next(60, 86_400)),
            });
        }
    }

    private static DateOnly JapanDate(DateTime utc) => DateOnly.FromDateTime(utc.AddHours(9));

    private static TimeSpan Days(int days) => TimeSpan.FromDays(days);

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}
