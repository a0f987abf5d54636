using System.Security.Cryptography.X509Certificates;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

public sealed class TerminalCertificateServiceTests : IDisposable
{
    private readonly CertificateServiceHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task IssueAsync_NewTerminal_PersistsPublicCertificateOnly()
    {
        OpResult<IssuedTerminalCertificate> result = await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct);

        result.Succeeded.ShouldBeTrue();
        using IssuedTerminalCertificate issued = result.Value!;
        using OnshiDbContext db = _h.NewContext();
        TerminalCertificate row = await db.TerminalCertificates.SingleAsync(Ct);
        row.InstitutionId.ShouldBe(_h.InstitutionId);
        row.TerminalName.ShouldBe("T0001");
        row.SerialNumber.ShouldBe(issued.SerialNumber);
        row.Thumbprint.ShouldBe(issued.Thumbprint);
        row.CertificatePem.ShouldBe(issued.CertificatePem);
        row.NotAfter.ShouldBe(issued.Certificate.NotAfter.ToUniversalTime());
        row.IssuedAt.ShouldBe(TestCa.Start.UtcDateTime);
        row.IssuedBy.ShouldBe("operator1");
        row.RevokedAt.ShouldBeNull();

        // No column of the stored row holds key material or the passphrase.
        using SqliteCommand select = _h.Connection.CreateCommand();
        select.CommandText = "SELECT * FROM TerminalCertificates";
        using SqliteDataReader reader = await select.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            for (int i = 0; i < reader.FieldCount; i++)
            {
                string value = reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                value.ShouldNotContain("PRIVATE KEY");
                value.ShouldNotContain(issued.Passphrase);
            }
        }
    }

    [Fact]
    public async Task IssueAsync_CertificateSubject_NamesInstitutionOfTheRow()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;

        issued.Certificate.Subject.ShouldBe($"CN=T0001, OU={CertificateServiceHarness.InstitutionCode}, O={CertificateServiceHarness.InstitutionName}, C=JP");
    }

    [Fact]
    public async Task IssueAsync_TerminalHasValidCertificateOutsideRenewalWindow_Refused()
    {
        using IssuedTerminalCertificate first = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        _h.Time.SetUtcNow(new DateTimeOffset(first.Certificate.NotAfter.ToUniversalTime().AddDays(-91), TimeSpan.Zero));

        OpResult<IssuedTerminalCertificate> second = await _h.Service.IssueAsync(_h.InstitutionId, "t0001", "operator1", Ct);

        second.Succeeded.ShouldBeFalse();
        second.Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate.already_issued");
        second.Errors[0].Message.ShouldContain("90日前");
        (await CountRowsAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task IssueAsync_InsideRenewalWindow_IssuesFreshFullTermAndKeepsOldValid()
    {
        using IssuedTerminalCertificate first = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        DateTimeOffset renewalDay = new(first.Certificate.NotAfter.ToUniversalTime().AddDays(-90), TimeSpan.Zero);
        _h.Time.SetUtcNow(renewalDay);

        OpResult<IssuedTerminalCertificate> renewed = await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct);

        renewed.Succeeded.ShouldBeTrue();
        using IssuedTerminalCertificate second = renewed.Value!;
        second.Certificate.NotAfter.ToUniversalTime().ShouldBe(renewalDay.UtcDateTime.AddYears(3).AddMonths(3));
        (await _h.Service.CheckAsync(first.Certificate, Ct)).Status.ShouldBe(CertificateCheckStatus.Valid);
        (await _h.Service.CheckAsync(second.Certificate, Ct)).Status.ShouldBe(CertificateCheckStatus.Valid);

        // With the fresh certificate in place, a third one is refused again.
        (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Succeeded.ShouldBeFalse();
    }

    [Fact]
    public async Task IssueAsync_SameTerminalNameInAnotherInstitution_Allowed()
    {
        using IssuedTerminalCertificate first = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;

        OpResult<IssuedTerminalCertificate> other = await _h.Service.IssueAsync(_h.OtherInstitutionId, "T0001", "operator1", Ct);

        other.Succeeded.ShouldBeTrue();
        other.Value!.Dispose();
    }

    [Fact]
    public async Task IssueAsync_AfterRevocation_AllowedImmediately()
    {
        using IssuedTerminalCertificate first = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        (await _h.Service.RevokeAsync(first.SerialNumber, "operator1", Ct)).Succeeded.ShouldBeTrue();

        OpResult<IssuedTerminalCertificate> replacement = await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct);

        replacement.Succeeded.ShouldBeTrue();
        replacement.Value!.Dispose();
    }

    [Theory]
    [InlineData("", "certificate.terminal_name_required")]
    [InlineData("   ", "certificate.terminal_name_required")]
    [InlineData("T012345678901234567890123456789012", "certificate.terminal_name_too_long")]
    [InlineData("端末1", "certificate.terminal_name_invalid")]
    [InlineData("T 01", "certificate.terminal_name_invalid")]
    [InlineData("T/01", "certificate.terminal_name_invalid")]
    [InlineData("T01,OU=X", "certificate.terminal_name_invalid")]
    public async Task IssueAsync_InvalidTerminalName_FailsWithJapaneseMessage(string name, string code)
    {
        OpResult<IssuedTerminalCertificate> result = await _h.Service.IssueAsync(_h.InstitutionId, name, "operator1", Ct);

        OnshiError error = result.Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe(code);
        error.Field.ShouldBe("TerminalName");
        error.Message.ShouldContain("端末名");
        (await CountRowsAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData("T0001")]
    [InlineData("a_b-C9")]
    [InlineData("T0123456789012345678901234567890")]
    public void ValidateTerminalName_Allowed_ReturnsNull(string name)
    {
        TerminalCertificateService.ValidateTerminalName(name).ShouldBeNull();
    }

    [Fact]
    public async Task IssueAsync_UnknownInstitution_Fails()
    {
        OpResult<IssuedTerminalCertificate> result = await _h.Service.IssueAsync(999, "T0001", "operator1", Ct);

        result.Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate.institution_not_found");
    }

    [Fact]
    public async Task RevokeAsync_IssuedCertificate_CheckSaysRevoked()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        _h.Time.Advance(TimeSpan.FromDays(1));

        OpResult revoked = await _h.Service.RevokeAsync(issued.SerialNumber.ToLowerInvariant(), "operator2", Ct);

        revoked.Succeeded.ShouldBeTrue();
        CertificateCheck check = await _h.Service.CheckAsync(issued.Certificate, Ct);
        check.Status.ShouldBe(CertificateCheckStatus.Revoked);
        check.Certificate.ShouldNotBeNull().RevokedBy.ShouldBe("operator2");
        check.Certificate.RevokedAt.ShouldBe(TestCa.Start.UtcDateTime.AddDays(1));
    }

    [Fact]
    public async Task RevokeAsync_Twice_SecondFails()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        await _h.Service.RevokeAsync(issued.SerialNumber, "operator1", Ct);

        OpResult again = await _h.Service.RevokeAsync(issued.SerialNumber, "operator1", Ct);

        again.Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate.already_revoked");
    }

    [Theory]
    [InlineData("00112233445566778899AABBCCDDEEFF")]
    [InlineData("not-a-serial")]
    [InlineData("")]
    public async Task RevokeAsync_UnknownSerial_FailsNotFound(string serial)
    {
        OpResult result = await _h.Service.RevokeAsync(serial, "operator1", Ct);

        result.Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate.not_found");
    }

    [Fact]
    public async Task CheckAsync_IssuedCertificate_ValidWithRowAndInstitution()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;

        CertificateCheck check = await _h.Service.CheckAsync(issued.Certificate, Ct);

        check.Status.ShouldBe(CertificateCheckStatus.Valid);
        check.IsValid.ShouldBeTrue();
        check.Certificate.ShouldNotBeNull().SerialNumber.ShouldBe(issued.SerialNumber);
        check.Institution.ShouldNotBeNull().Code.ShouldBe(CertificateServiceHarness.InstitutionCode);
    }

    [Fact]
    public async Task CheckAsync_SignedByOurCaButNotRecorded_IsUnknown()
    {
        using IssuedTerminalCertificate unrecorded = _h.Ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0009");

        CertificateCheck check = await _h.Service.CheckAsync(unrecorded.Certificate, Ct);

        check.Status.ShouldBe(CertificateCheckStatus.Unknown);
        check.Certificate.ShouldBeNull();
        check.Institution.ShouldBeNull();
    }

    [Fact]
    public async Task CheckAsync_NoCertificate_IsMissing()
    {
        (await _h.Service.CheckAsync(null, Ct)).Status.ShouldBe(CertificateCheckStatus.Missing);
    }

    [Fact]
    public async Task CheckAsync_AfterExpiry_IsExpired()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        _h.Time.SetUtcNow(new DateTimeOffset(issued.Certificate.NotAfter.ToUniversalTime().AddMinutes(1), TimeSpan.Zero));

        (await _h.Service.CheckAsync(issued.Certificate, Ct)).Status.ShouldBe(CertificateCheckStatus.Expired);
    }

    [Fact]
    public async Task CheckAsync_CertificateOfAnotherCa_IsUntrusted()
    {
        using TestCa other = new();
        using IssuedTerminalCertificate foreign = other.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        (await _h.Service.CheckAsync(foreign.Certificate, Ct)).Status.ShouldBe(CertificateCheckStatus.Untrusted);
    }

    [Fact]
    public async Task ListAsync_ByInstitution_ReturnsOnlyThatInstitutionsCertificatesWithInstitution()
    {
        (await _h.Service.IssueAsync(_h.InstitutionId, "T0002", "operator1", Ct)).Value!.Dispose();
        (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!.Dispose();
        (await _h.Service.IssueAsync(_h.OtherInstitutionId, "T0001", "operator1", Ct)).Value!.Dispose();

        IReadOnlyList<TerminalCertificate> mine = await _h.Service.ListAsync(_h.InstitutionId, Ct);
        IReadOnlyList<TerminalCertificate> all = await _h.Service.ListAsync(null, Ct);

        mine.Select(x => x.TerminalName).ShouldBe(["T0001", "T0002"]);
        mine.ShouldAllBe(x => x.Institution != null && x.Institution.Code == CertificateServiceHarness.InstitutionCode);
        all.Count.ShouldBe(3);
    }

    [Fact]
    public async Task CheckAsync_RevokedCertificate_HasJapaneseMessageForErrorPage()
    {
        using IssuedTerminalCertificate issued = (await _h.Service.IssueAsync(_h.InstitutionId, "T0001", "operator1", Ct)).Value!;
        await _h.Service.RevokeAsync(issued.SerialNumber, "operator1", Ct);

        CertificateCheck check = await _h.Service.CheckAsync(issued.Certificate, Ct);

        CertificateMessages.Describe(check.Status).WhatHappened.ShouldContain("失効");
    }

    private async Task<int> CountRowsAsync()
    {
        using OnshiDbContext db = _h.NewContext();
        return await db.TerminalCertificates.CountAsync(Ct);
    }
}
