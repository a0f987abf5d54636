using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Seeding;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Qualifications;

/// <summary>
/// 資格情報照会 through <see cref="QualificationLookupService"/> on both databases: every demo patient gives the 資格有効性
/// demo.json promises, the result and one audit row are written together (the audit text never holds the patient's numbers
/// or name), kinds without the capability and bad input change nothing.
/// </summary>
public sealed class QualificationLookupTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EveryDemoPatient_GivesTheValidityDemoJsonPromises_WithOneResultAndOneAuditRowEach(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var (general, _, _) = await SeedAsync(h);
        var entries = await h.Db(db => DemoInsured.AddAsync(db, ApplicationsHarness.TodayJst, TestContext.Current.CancellationToken));
        entries.Select(e => e.Validity).Distinct().Order().ShouldBe([1, 2, 3, 4, 5]);

        foreach (var e in entries)
        {
            var outcome = await LookupAsync(h, general, new LookupInput(e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate, null, false));
            outcome.Succeeded.ShouldBeTrue();
            ((int)outcome.Value!.Verdict.Validity).ShouldBe(e.Validity, e.Name);
            outcome.Value.Body.QualificationValidity.ShouldBe(e.Validity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await h.Db(async db =>
        {
            (await db.QualificationResults.CountAsync()).ShouldBe(entries.Count);
            var rows = await db.AuditEntries.Where(a => a.Action == AuditActions.QualificationLookup).ToListAsync();
            rows.Count.ShouldBe(entries.Count);
            var references = await db.QualificationResults.Select(r => r.ReferenceNumber).ToListAsync();
            rows.Select(r => r.Target).Order().ShouldBe(references.Order());
            foreach (var row in rows)
            {
                row.ActorKind.ShouldBe(AccountKind.General);
                row.CertificateSerial.ShouldBe("AB12");
                foreach (var e in entries)
                {
                    // Never the patient's identifying numbers or name in the audit text.
                    string.Join('|', row.Target, row.Detail, row.Actor).ShouldNotContain(e.Number);
                    string.Join('|', row.Target, row.Detail).ShouldNotContain(e.Name.Split('　')[0]);
                }
            }

            return 0;
        });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TheDesksCases_BranchFound_RatioWarning_Certificates_FullWidthInput(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var (general, _, _) = await SeedAsync(h);
        var entries = await h.Db(db => DemoInsured.AddAsync(db, ApplicationsHarness.TodayJst, TestContext.Current.CancellationToken));

        // Without 枝番: the one person found, and the 枝番 the answer carries.
        var yamada = entries[0];
        var found = (await LookupAsync(h, general, new LookupInput(yamada.InsurerNumber, yamada.Symbol, yamada.Number, null, yamada.Birthdate, null, false))).Value!;
        found.Verdict.Validity.ShouldBe(QualificationValidity.Valid);
        found.FoundBranch.ShouldBe("00");
        found.RatioDisagrees.ShouldBeFalse();

        // Typed through an IME: full-width digits and a full-width symbol; a 国保 number padded to 8 with zeros.
        var takahashi = entries.Single(e => e.Name.StartsWith("髙橋", StringComparison.Ordinal));
        var wide = (await LookupAsync(h, general, new LookupInput("００" + ToWide(takahashi.InsurerNumber), "１２あ", ToWide(takahashi.Number), "０", ToWide(takahashi.Birthdate), null, false))).Value!;
        wide.Verdict.Validity.ShouldBe(QualificationValidity.Valid);
        wide.Key.InsurerNumber.ShouldBe(takahashi.InsurerNumber);
        // 72 years old with a 2割 高齢受給者証 while the insurer holds 3割: the warning.
        wide.RatioDisagrees.ShouldBeTrue();
        wide.Derived!.ExpectedPercent.ShouldBe(20);

        // 限度額 and 特定疾病 only with the patient's consent.
        var yoshida = entries.Single(e => e.Name.Contains("𠮷", StringComparison.Ordinal));
        var without = (await LookupAsync(h, general, new LookupInput(yoshida.InsurerNumber, null, yoshida.Number, yoshida.Branch, yoshida.Birthdate, null, false))).Value!;
        without.Body.ResultList![0].ResultOfQualificationConfirmation!.LimitApplicationCertificateRelatedInfo.ShouldBeNull();
        var with = (await LookupAsync(h, general, new LookupInput(yoshida.InsurerNumber, null, yoshida.Number, yoshida.Branch, yoshida.Birthdate, null, true))).Value!;
        var result = with.Body.ResultList![0].ResultOfQualificationConfirmation!;
        result.LimitApplicationCertificateRelatedInfo!.LimitApplicationCertificateClassificationFlag.ShouldBe("B05");
        result.SpecificDiseasesCertificateList!.Single().SpecificDiseasesDiseaseCategory.ShouldBe("1");
        result.Name.ShouldBe("𠮷田　トメ");
        result.InsuredPartialContributionRatio.ShouldBe("010");

        // 無効（新しい資格あり） says when the new one began.
        var changed = entries.Single(e => e.Validity == 3);
        var invalid = (await LookupAsync(h, general, new LookupInput(changed.InsurerNumber, changed.Symbol, changed.Number, changed.Branch, changed.Birthdate, null, false))).Value!;
        invalid.Verdict.Explanation.ShouldContain("新しい資格");
        invalid.Qualification!.ReasonOfLoss.ShouldBe(ReasonOfLoss.OtherInsurance);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task KindsWithoutTheCapability_AndBadInput_ChangeNothing(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var (general, master, reset) = await SeedAsync(h);
        var entries = await h.Db(db => DemoInsured.AddAsync(db, ApplicationsHarness.TodayJst, TestContext.Current.CancellationToken));
        var e = entries[0];
        var input = new LookupInput(e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate, null, false);

        foreach (var actor in new[] { master, reset })
        {
            var refused = await LookupAsync(h, actor, input);
            refused.Succeeded.ShouldBeFalse();
            refused.Errors.Single().ShouldBe(QualificationErrors.NotPermitted);
        }

        var bad = new[]
        {
            input with { InsurerNumber = "01130013" }, // 検証番号
            input with { InsurerNumber = "" },
            input with { Number = "" },
            input with { Number = "12-34" },
            input with { Branch = "123" },
            input with { Birthdate = "1985-13-01" },
            input with { Birthdate = "20991231" },
            input with { ConfirmationDate = ApplicationsHarness.TodayJst.AddDays(1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) },
            input with { Symbol = "記号\u0001" },
            input with { Symbol = new string('あ', 39) },
        };
        foreach (var b in bad)
        {
            var refused = await LookupAsync(h, general, b);
            refused.Succeeded.ShouldBeFalse(b.ToString());
            refused.Errors.ShouldAllBe(x => x.Message.Length > 0);
        }

        await h.Db(async db =>
        {
            (await db.QualificationResults.CountAsync()).ShouldBe(0);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationLookup)).ShouldBe(0);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied && a.Target == AuditDetails.QualificationTarget)).ShouldBe(2);
            return 0;
        });
    }

    private static string ToWide(string s) => new([.. s.Select(c => c is >= '0' and <= '9' ? (char)(c - '0' + '０') : c)]);

    private static Task<Onshi.Core.Common.OpResult<LookupOutcome>> LookupAsync(ApplicationsHarness h, ActorContext actor, LookupInput input) =>
        h.With<QualificationLookupService, Onshi.Core.Common.OpResult<LookupOutcome>>(s =>
            s.LookupAsync(actor, input, LookupChannel.Screen, TestContext.Current.CancellationToken));

    private static async Task<(ActorContext General, ActorContext Master, ActorContext Reset)> SeedAsync(ApplicationsHarness h)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var now = h.Time.GetUtcNow().UtcDateTime;
        var institution = new Institution { Code = "1310000018", Name = "資格 医院", CreatedAt = now };
        db.Institutions.Add(institution);
        await db.SaveChangesAsync();
        ActorContext Actor(AccountKind kind, string userId)
        {
            var account = new Account
            {
                InstitutionId = institution.Id,
                Environment = OqsEnvironment.Production,
                UserId = userId,
                NormalizedUserId = userId,
                DisplayName = userId,
                Kind = kind,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Accounts.Add(account);
            db.SaveChanges();
            return new ActorContext(new SessionPrincipal(1, "k", account.Id, userId, userId, kind, institution.Id, institution.Code, institution.Name,
                OqsEnvironment.Production, false, false, now), "AB12", "127.0.0.1");
        }

        return (Actor(AccountKind.General, "UKETSUKE01"), Actor(AccountKind.Master, "M1234567"), Actor(AccountKind.MasterReset, "R1234567"));
    }
}
