using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Scale;
using Onshi.Oqs.Api;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Api;

/// <summary>
/// The Web API of SPEC §12 through the real OQS (Kestrel, mutual TLS) on both databases: a レセコン authenticates, looks up
/// every demo patient, sends a 一括照会 and fetches its result; every refusal is a JSON message of §11.3 (never HTML, never a
/// 500), audited; tokens end with the account's stamp on every instance; nothing crosses institutions.
/// </summary>
public sealed class WebApiTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AReceptionSystem_Authenticates_LooksUpEveryDemoPatient_AndGetsItsBulkResult(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var account = server.Account("webapi");
        var auth = await api.AuthAsync(account.UserId, account.Password);
        auth.Status.ShouldBe(HttpStatusCode.OK, auth.Body);
        ((string?)auth.Json!["status"]).ShouldBe("0");
        ((string?)auth.Json["result"]!["accessToken"]).ShouldBe(api.Token);
        ((string?)auth.Json["result"]!["linkSysCharCd"]).ShouldBe("0");
        var code = server.Demo.Institution.Code;

        foreach (var e in server.Demo.Insured)
        {
            var answer = await api.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate, arbitrary: "A-" + e.Number);
            answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
            answer.ContentType.ShouldBe("application/json");
            answer.Segment.ShouldBe("1");
            ((string?)answer.Header!["MedicalInstitutionCode"]).ShouldBe(code);
            ((string?)answer.Header["ArbitraryFileIdentifier"]).ShouldBe("FILE0001");
            ((string?)answer.Body2!["QualificationValidity"]).ShouldBe(e.Validity.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Name);
            ((string?)answer.Body2["QualificationConfirmSearchInfo"]!["ArbitraryIdentifier"]).ShouldBe("A-" + e.Number);
        }

        // The same patients and one with a wrong 生年月日, in one 一括照会.
        var patients = server.Demo.Insured.Select(e => ApiClient.Search(e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).ToList();
        patients.Insert(1, ApiClient.Search("33120015", null, "1", null, "19991399"));
        var accepted = await api.BulkAsync(code, patients);
        accepted.Status.ShouldBe(HttpStatusCode.OK, accepted.Body);
        accepted.Segment.ShouldBe("2");
        var reception = (string?)accepted.Body2!["ReceptionNumber"];
        reception.ShouldNotBeNullOrEmpty();

        var result = await api.WaitForBulkAsync(code, reception!);
        result.Segment.ShouldBe("1", result.Body);
        ((string?)result.Header!["NumberOfProcessingResult"]).ShouldBe(patients.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ((string?)result.Header["NumberOfError"]).ShouldBe("1");
        ((string?)result.Header["ArbitraryFileIdentifier"]).ShouldBe("BULK0001");
        var units = result.Body2!["BulkConfirmUnit"]!.AsArray();
        units.Count.ShouldBe(patients.Count);
        ((string?)units[1]!["ProcessingResultStatus"]).ShouldBe("2");
        ((string?)units[1]!["ProcessingResultCode"]).ShouldBe(WireErrors.InputInvalid);
        ((string?)units[1]!["ProcessingResultMessage"] ?? "").ShouldContain("生年月日");
        var expected = server.Demo.Insured.Select(e => e.Validity.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        units.Where((_, i) => i != 1).Select(u => (string?)u!["QualificationValidity"]).ShouldBe(expected);
        units.Where((_, i) => i != 1).ShouldAllBe(u => ((string?)u!["ReferenceNumber"])!.Length == 16);

        await server.WithDbAsync(async db =>
        {
            (await db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.WebApi)).ShouldBe(server.Demo.Insured.Count);
            (await db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.Bulk)).ShouldBe(server.Demo.Insured.Count);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkAccept && a.Target == reception)).ShouldBe(1);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkResult && a.Target == reception)).ShouldBe(1);
            (await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.Login && a.Actor == account.UserId && a.Outcome == AuditOutcomes.Success)).ShouldBeTrue();
            return 0;
        });

        // The 連携アプリ用 account uses the same API; its lookups are kept as the 連携アプリ's.
        using var link = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var app = server.Account("app");
        (await link.AuthAsync(app.UserId, app.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var first = server.Demo.Insured[0];
        (await link.SearchAsync(code, first.InsurerNumber, first.Symbol, first.Number, first.Branch, first.Birthdate)).Segment.ShouldBe("1");
        (await server.WithDbAsync(db => db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.LinkApp))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task WrongCredentials_AnswerAlike_ForKnownUnknownPersonAndOtherInstitution_AndCountTowardLockout(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var account = server.Account("webapi");
        var general = server.Account("general");
        var other = server.Account("webapi", other: true);
        var answers = new[]
        {
            await api.AuthAsync(account.UserId, "wrong-password-123"),
            await api.AuthAsync("NOSUCHUSER", "wrong-password-123"),
            await api.AuthAsync(general.UserId, general.Password),
            await api.AuthAsync(other.UserId, other.Password),
            await api.PostAsync(WebApi.AuthPath, "{\"userId\":\"" + account.UserId + "\"}", withToken: false),
        };
        foreach (var a in answers)
        {
            a.Status.ShouldBe(HttpStatusCode.Unauthorized, a.Body);
            ((string?)a.Json!["status"]).ShouldBe("1");
            ((string?)a.Json["errorCode"]).ShouldBe(WireErrors.CredentialsRejected.Code);
            ((string?)a.Json["msg"]).ShouldBe(WireErrors.CredentialsRejected.Message);
            a.Json["result"].ShouldBeNull();
        }

        (await server.AccountRowAsync(account.UserId)).AccessFailedCount.ShouldBe(2);
        (await server.AccountRowAsync(general.UserId)).AccessFailedCount.ShouldBe(0);
        var max = server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoginOptions>>().Value.MaxFailedAccessAttempts;
        for (var i = 2; i < max; i++)
        {
            await api.AuthAsync(account.UserId, "wrong-password-123");
        }

        (await server.AccountRowAsync(account.UserId)).LockoutEnd.ShouldNotBeNull();
        var locked = await api.AuthAsync(account.UserId, account.Password);
        locked.Status.ShouldBe(HttpStatusCode.Unauthorized);
        ((string?)locked.Json!["msg"]).ShouldBe(WireErrors.CredentialsRejected.Message);
        (await server.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.Login && a.Detail == "not-machine-account"))).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Tokens_AreBoundToTheCertificate_AndEndWithTheStamp_OnEveryInstance(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        await using var second = await OqsInstance.StartAsync(server);
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        using var api2 = ApiClient.For(second.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        using var stranger = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.OtherInstitution.Terminal);
        var account = server.Account("webapi");
        var code = server.Demo.Institution.Code;
        var e = server.Demo.Insured[0];
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        api2.Token = api.Token;
        stranger.Token = api.Token;

        (await api.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Segment.ShouldBe("1");
        (await api2.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Segment.ShouldBe("1");

        // Another terminal's certificate: the token is not valid from there (and that session ends).
        var refused = await stranger.SearchAsync(server.Demo.OtherInstitution.Code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate);
        refused.Status.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Code.ShouldBe(WireErrors.Unauthenticated.Code);

        // A fresh token, then the account's stamp changes (what パスワード初期化 and disabling do): refused on both instances.
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        api2.Token = api.Token;
        (await api2.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Segment.ShouldBe("1");
        await server.WithDbAsync(db => db.Accounts.Where(a => a.UserId == account.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.SecurityStamp, Guid.NewGuid().ToString("N"))));
        foreach (var client in new[] { api, api2 })
        {
            var gone = await client.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate);
            gone.Status.ShouldBe(HttpStatusCode.Unauthorized);
            gone.Code.ShouldBe(WireErrors.Unauthenticated.Code);
        }

        // The token's life: past MachineTokenLifetime it is refused even when used all along.
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < 7; i++)
        {
            server.Time.Advance(TimeSpan.FromMinutes(10));
            (await api.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Segment.ShouldBe(i < 5 ? "1" : "9");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EveryRefusal_IsAJsonMessage_NeverHtmlNorA500_AndTheInstitutionIsTheCertificates(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        using var anonymous = ApiClient.For(server.BaseAddress, server.CaCertificate, null);
        var account = server.Account("webapi");
        var code = server.Demo.Institution.Code;
        var e = server.Demo.Insured[0];

        var noCertificate = await anonymous.AuthAsync(account.UserId, account.Password);
        Check(noCertificate, HttpStatusCode.Forbidden, WireErrors.CertificateRejected.Code);
        Check(await api.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate), HttpStatusCode.Unauthorized, WireErrors.Unauthenticated.Code);
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);

        var mismatch = await api.SearchAsync(server.Demo.OtherInstitution.Code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate);
        Check(mismatch, HttpStatusCode.Forbidden, WireErrors.InstitutionMismatch.Code);
        (await server.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied && a.Detail == "institution-mismatch"))).ShouldBe(1);
        var mismatchBulk = await api.BulkAsync(server.Demo.OtherInstitution.Code, [ApiClient.Search(e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)]);
        Check(mismatchBulk, HttpStatusCode.Forbidden, WireErrors.InstitutionMismatch.Code);

        var bodies = new (string Body, string ContentType, HttpStatusCode Status, string Code)[]
        {
            ("not json at all", "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
            ("{\"XmlMsg\":{\"MessageHeader\":{\"MedicalInstitutionCode\":1234567890}}}", "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
            ("{\"XmlMsg\":{\"MessageHeader\":{\"MedicalInstitutionCode\":\"" + code + "\"},\"MessageBody\":{}}}", "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
            ("{\"XmlMsg\":[]}", "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
            ("null", "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
            ("{\"XmlMsg\":{}}", "text/plain", HttpStatusCode.UnsupportedMediaType, WireErrors.ContentType.Code),
            ("{\"XmlMsg\":{\"MessageHeader\":{\"MedicalInstitutionCode\":\"" + new string('9', 70_000) + "\"}}}", "application/json", HttpStatusCode.RequestEntityTooLarge,
                WireErrors.TooLarge.Code),
            (new string('[', 5000), "application/json", HttpStatusCode.BadRequest, WireErrors.Malformed.Code),
        };
        foreach (var (body, contentType, status, errorCode) in bodies)
        {
            Check(await api.PostAsync(WebApi.SearchPath, body, contentType: contentType), status, errorCode);
        }

        // Wrong values of a patient: the message says which, in Japanese, and nothing is kept.
        var before = await server.WithDbAsync(db => db.QualificationResults.CountAsync());
        var wrong = await api.SearchAsync(code, "12345678", null, "番号!", "123", "20991301", consent: "7");
        Check(wrong, HttpStatusCode.BadRequest, WireErrors.InputInvalid);
        ((string?)wrong.Body2!["ProcessingResultStatus"]).ShouldBe("2");
        var bad = await api.SearchAsync(code, "12345678", null, "番号!", "123", "20991301");
        Check(bad, HttpStatusCode.BadRequest, WireErrors.InputInvalid);
        (bad.Message ?? "").ShouldContain("保険者番号");
        (bad.Message ?? "").ShouldContain("枝番");
        (await server.WithDbAsync(db => db.QualificationResults.CountAsync())).ShouldBe(before);

        Check(await api.PostAsync("/oqs-api-pro/no/such/path", "{}"), HttpStatusCode.NotFound, WireErrors.UnknownPath.Code);
        using (var get = new HttpRequestMessage(HttpMethod.Get, WebApi.SearchPath))
        {
            Check(await api.SendAsync(get), HttpStatusCode.MethodNotAllowed, WireErrors.UnknownPath.Code);
        }

        Check(await api.BulkAsync(code, []), HttpStatusCode.BadRequest, WireErrors.BulkEmpty.Code);
        Check(await api.BulkResultAsync(code, "0000000000000000"), HttpStatusCode.NotFound, WireErrors.BulkNotFound.Code);

        // Every refusal audited (request.refused summarised per reason and address).
        var reasons = await server.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditActions.RequestRefused).Select(a => a.Detail).ToListAsync());
        foreach (var reason in new[] { RequestRefusalReasons.ApiToken, RequestRefusalReasons.ApiMalformed, RequestRefusalReasons.TooLarge, RequestRefusalReasons.ApiUnknownPath })
        {
            reasons.ShouldContain(d => d.StartsWith(reason, StringComparison.Ordinal), reason);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TokensAndCertificates_AreRateLimited_With429Messages(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider, s => s.Configure<WebApiOptions>(o =>
        {
            o.TokenBurst = 3;
            o.TokenRequestsPerSecond = 1;
            o.CertificateBurst = 8;
            o.CertificateRequestsPerSecond = 1;
        }));
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var account = server.Account("webapi");
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var e = server.Demo.Insured[0];
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await api.SearchAsync(server.Demo.Institution.Code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Status);
        }

        statuses.Count(s => s == HttpStatusCode.OK).ShouldBeInRange(3, 4);
        var limited = await api.SearchAsync(server.Demo.Institution.Code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate);
        Check(limited, HttpStatusCode.TooManyRequests, WireErrors.Throttled.Code);

        // The certificate's own bucket: whatever the token, this terminal is refused once it is spent.
        for (var i = 0; i < 10; i++)
        {
            await api.AuthAsync("NOSUCHUSER", "x");
        }

        Check(await api.AuthAsync(account.UserId, account.Password), HttpStatusCode.TooManyRequests, WireErrors.Throttled.Code);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bulk_IsIsolated_ResumesWithoutDuplicates_SurvivesALostLease_AndIsPurgedAfterTheKeptPeriod(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider, s =>
        {
            s.Configure<BulkInquiryOptions>(o => o.BatchSize = 2);
            // No worker runs on its own here (the worker has no kinds to work on): the test drives each run.
            s.RemoveAll<BackgroundJobKind>();
        });
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        using var stranger = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.OtherInstitution.Terminal);
        var account = server.Account("webapi");
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var otherAccount = server.Account("webapi", other: true);
        (await stranger.AuthAsync(otherAccount.UserId, otherAccount.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var code = server.Demo.Institution.Code;
        var patients = server.Demo.Insured.Select(e => ApiClient.Search(e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).ToList();
        var accepted = await api.BulkAsync(code, patients);
        var reception = (string)accepted.Body2!["ReceptionNumber"]!;
        var inquiryId = await server.WithDbAsync(db => db.BulkInquiries.Where(b => b.ReceptionNumber == reception).Select(b => b.Id).SingleAsync());

        // 受付 → 処理中 while no worker has finished it.
        (await api.BulkResultAsync(code, reception)).Segment.ShouldBe("2");

        // Another institution asking for this number: unknown to it, and audited.
        var foreign = await stranger.BulkResultAsync(server.Demo.OtherInstitution.Code, reception);
        Check(foreign, HttpStatusCode.NotFound, WireErrors.BulkNotFound.Code);
        (await server.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied && a.Target == reception))).ShouldBe(1);

        // A run that lost its lease (its instance stalled, another took the job over) writes nothing; the new holder does all.
        var lease = server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BackgroundJobOptions>>().Value.LeaseDuration;
        var stale = await ClaimAsync(server, "instance-a");
        server.Time.Advance(lease + TimeSpan.FromSeconds(1));
        var current = await ClaimAsync(server, "instance-b");
        current!.JobId.ShouldBe(stale!.JobId);
        await RunAsync<BulkInquiryJob>(server, stale);
        (await server.WithDbAsync(db => db.BulkInquiryItems.CountAsync(i => i.BulkInquiryId == inquiryId))).ShouldBe(0);

        // The holder stopped after its first batch (as if killed): the next run resumes after it, never answering a patient twice.
        await server.WithDbAsync(async db =>
        {
            await db.BackgroundJobs.Where(j => j.Id == current.JobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, server.Time.GetUtcNow().UtcDateTime));
            return 0;
        });
        using (var killed = new CancellationTokenSource())
        {
            // One batch: the batch size is 2, and the run is cancelled as soon as its first commit is seen.
            var watcher = Task.Run(async () =>
            {
                while (await server.WithDbAsync(db => db.BulkInquiryItems.CountAsync(i => i.BulkInquiryId == inquiryId)) == 0)
                {
                    await Task.Delay(5);
                }

                await killed.CancelAsync();
            });
            server.Time.Advance(TimeSpan.FromSeconds(1));
            var dying = await ClaimAsync(server, "instance-c");
            await Should.ThrowAsync<OperationCanceledException>(() => RunAsync<BulkInquiryJob>(server, dying, slowly: true, killed.Token));
            await watcher;
        }

        var partial = await server.WithDbAsync(db => db.BulkInquiryItems.CountAsync(i => i.BulkInquiryId == inquiryId));
        partial.ShouldBeGreaterThan(0);
        partial.ShouldBeLessThan(patients.Count);
        server.Time.Advance(lease + TimeSpan.FromSeconds(1));
        await RunAsync<BulkInquiryJob>(server, await ClaimAsync(server, "instance-d"));
        await server.WithDbAsync(async db =>
        {
            var positions = await db.BulkInquiryItems.Where(i => i.BulkInquiryId == inquiryId).Select(i => i.Position).ToListAsync();
            positions.Order().ShouldBe(Enumerable.Range(0, patients.Count));
            (await db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.Bulk)).ShouldBe(patients.Count);
            var inquiry = await db.BulkInquiries.SingleAsync(b => b.Id == inquiryId);
            inquiry.Status.ShouldBe(BulkInquiryStatus.Completed);
            inquiry.RequestJson.ShouldBeNull();
            inquiry.NormalCount.ShouldBe(patients.Count);
            return 0;
        });
        var done = await api.BulkResultAsync(code, reception);
        done.Segment.ShouldBe("1");
        (done.Body2?["BulkConfirmUnit"]?.AsArray().Count ?? 0).ShouldBe(patients.Count);

        // The kept period: the purge job becomes claimable at its end, deletes the items (the 資格確認結果 stay), audited.
        var kept = server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BulkInquiryOptions>>().Value.KeptFor;
        server.Time.Advance(kept - TimeSpan.FromMinutes(1));
        (await ClaimAsync(server, "purger", BulkInquiryService.PurgeJobKind, required: false)).ShouldBeNull();
        server.Time.Advance(TimeSpan.FromMinutes(2));
        await RunAsync<BulkInquiryPurgeJob>(server, (await ClaimAsync(server, "purger", BulkInquiryService.PurgeJobKind))!);
        var purged = await api.AuthAsync(account.UserId, account.Password);
        purged.Status.ShouldBe(HttpStatusCode.OK);
        Check(await api.BulkResultAsync(code, reception), HttpStatusCode.OK, WireErrors.BulkPurged.Code);
        await server.WithDbAsync(async db =>
        {
            (await db.BulkInquiryItems.CountAsync(i => i.BulkInquiryId == inquiryId)).ShouldBe(0);
            (await db.QualificationResults.CountAsync(r => r.Channel == LookupChannel.Bulk)).ShouldBe(patients.Count);
            (await db.AuditEntries.CountAsync(a => a.Action == AuditActions.QualificationBulkPurge && a.Target == reception && a.Actor == "system")).ShouldBe(1);
            return 0;
        });
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheFourOperations_WithExamples_AndIsTheOneInDocs()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        using var get = new HttpRequestMessage(HttpMethod.Get, WebApiOpenApi.DocumentPath);
        var answer = await api.SendAsync(get);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        var paths = answer.Json!["paths"]!.AsObject();
        paths.Select(p => p.Key).Order(StringComparer.Ordinal).ShouldBe(
            new[] { WebApi.AuthPath, WebApi.SearchPath, WebApi.BulkPath, WebApi.BulkResultPath }.Order(StringComparer.Ordinal));
        foreach (var (path, item) in paths)
        {
            var post = item!["post"]!;
            post["requestBody"]!["content"]!["application/json"]!["example"].ShouldNotBeNull(path);
            post["responses"]!["200"]!["content"]!["application/json"]!["example"].ShouldNotBeNull(path);
            ((string?)post["summary"]).ShouldNotBeNullOrEmpty(path);
        }

        answer.Body.ShouldContain("QualificationConfirmSearchInfo");
        answer.Body.ShouldContain("BulkConfirmUnit");

        // docs/webapi.openapi.json is this document (ONSHI_UPDATE_DOCS=1 rewrites it).
        var file = Path.Combine(RepositoryRoot(), "docs", "webapi.openapi.json");
        var served = answer.Json.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }).Replace(server.BaseAddress.ToString().TrimEnd('/'), "https://localhost:8443", StringComparison.Ordinal) + "\n";
        if (Environment.GetEnvironmentVariable("ONSHI_UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(file, served, TestContext.Current.CancellationToken);
        }

        (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).ShouldBe(served,
            "docs/webapi.openapi.json is out of date: run this test with ONSHI_UPDATE_DOCS=1");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Onshi.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }

    private static async Task<BackgroundJobRun?> ClaimAsync(OqsServer server, string owner, string kind = BulkInquiryService.JobKind, bool required = true)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<BackgroundJobStore>().ClaimAsync(kind, owner, CancellationToken.None);
        if (required)
        {
            run.ShouldNotBeNull();
        }

        return run;
    }

    private static async Task RunAsync<THandler>(OqsServer server, BackgroundJobRun? run, bool slowly = false, CancellationToken cancellationToken = default)
        where THandler : IBackgroundJobHandler
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var scope = server.App.Services.CreateAsyncScope();
        if (slowly)
        {
            // The first batch commits, then each lookup waits for the cancellation the watcher sends.
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            db.SavedChanges += (_, _) => Thread.Sleep(200);
        }

        await scope.ServiceProvider.GetRequiredService<THandler>().RunAsync(run, cancellationToken);
    }

    private static void Check(ApiAnswer answer, HttpStatusCode status, string code)
    {
        answer.Status.ShouldBe(status, answer.Body);
        answer.ContentType.ShouldBe("application/json", answer.Body);
        answer.Body.ShouldNotContain("<html", Case.Insensitive);
        if (answer.Json?["status"] is not null)
        {
            ((string?)answer.Json["errorCode"]).ShouldBe(code);
            ((string?)answer.Json["msg"]).ShouldNotBeNullOrEmpty();
            return;
        }

        answer.Segment.ShouldBe("9", answer.Body);
        answer.Code.ShouldBe(code, answer.Body);
        answer.Message.ShouldNotBeNullOrEmpty();
        answer.Message!.Any(c => c is >= '\u3040' and <= '\u30ff').ShouldBeTrue("the message is Japanese");
    }
}
