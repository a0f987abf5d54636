using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

public sealed class CertificateValidatorTests : IDisposable
{
    private readonly TestCa _ca = new();
    private readonly IssuedTerminalCertificate _terminal;

    public CertificateValidatorTests() =>
        _terminal = _ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

    private DateTime Now => _ca.Time.GetUtcNow().UtcDateTime;

    public void Dispose()
    {
        _terminal.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public void Validate_TerminalCertificateOfOurCa_IsValid()
    {
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.Valid);
    }

    [Fact]
    public void Validate_NoCertificate_IsMissing()
    {
        CertificateValidator.Validate(null, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.Missing);
    }

    [Fact]
    public void Validate_CertificateOfAnotherCa_IsUntrusted()
    {
        using TestCa other = new();
        using IssuedTerminalCertificate foreign = other.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        CertificateValidator.Validate(foreign.Certificate, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.Untrusted);
    }

    [Fact]
    public void Validate_SelfSignedCertificateNamingOurCa_IsUntrusted()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new(_ca.Authority.Certificate.SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateValidator.ClientAuthenticationOid)], false));
        using X509Certificate2 forged = request.CreateSelfSigned(TestCa.Start.AddDays(-1), TestCa.Start.AddYears(1));

        CertificateValidator.Validate(forged, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.Untrusted);
    }

    [Fact]
    public void Validate_TheCaCertificateItself_IsUntrusted()
    {
        CertificateValidator.Validate(_ca.Authority.Certificate, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.Untrusted);
    }

    [Fact]
    public void Validate_AfterNotAfter_IsExpired()
    {
        DateTime afterExpiry = _terminal.Certificate.NotAfter.ToUniversalTime().AddSeconds(1);

        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, afterExpiry)
            .ShouldBe(CertificateValidationStatus.Expired);
    }

    [Fact]
    public void Validate_OnLastSecond_IsValid()
    {
        DateTime lastSecond = _terminal.Certificate.NotAfter.ToUniversalTime().AddSeconds(-1);

        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, lastSecond)
            .ShouldBe(CertificateValidationStatus.Valid);
    }

    [Fact]
    public void Validate_BeforeNotBefore_IsNotYetValid()
    {
        DateTime beforeStart = _terminal.Certificate.NotBefore.ToUniversalTime().AddSeconds(-1);

        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, beforeStart)
            .ShouldBe(CertificateValidationStatus.NotYetValid);
    }

    [Fact]
    public void Validate_ServerCertificateOfOurCa_IsWrongUsage()
    {
        using X509Certificate2 server = _ca.Authority.GetOrIssueServerCertificate([]);

        CertificateValidator.Validate(server, _ca.Authority.Certificate, Now)
            .ShouldBe(CertificateValidationStatus.WrongUsage);
    }

    [Fact]
    public void Validate_PresentedCertificate_IsNotDisposed()
    {
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now);

        _terminal.Certificate.RawData.Length.ShouldBeGreaterThan(0);
        _ca.Authority.Certificate.RawData.Length.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Validate_ValidAndThenPastNotAfter_IsExpired_TheRememberedOutcomeKeepsToItsWindow()
    {
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Valid);
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Valid);

        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, _terminal.Certificate.NotAfter.ToUniversalTime().AddSeconds(1))
            .ShouldBe(CertificateValidationStatus.Expired);
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, _terminal.Certificate.NotBefore.ToUniversalTime().AddSeconds(-1))
            .ShouldBe(CertificateValidationStatus.NotYetValid);
    }

    [Fact]
    public void Validate_ValidUnderOurCa_IsStillUntrustedUnderAnotherCa()
    {
        using TestCa other = new();
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Valid);

        CertificateValidator.Validate(_terminal.Certificate, other.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Untrusted);
    }

    [Fact]
    public void Validate_SameSubjectAndKeyButNotSignedByOurCa_IsUntrustedAfterTheRealOneWasValidated()
    {
        CertificateValidator.Validate(_terminal.Certificate, _ca.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Valid);
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new(_terminal.Certificate.SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateValidator.ClientAuthenticationOid)], false));
        using X509Certificate2 lookalike = request.CreateSelfSigned(TestCa.Start.AddDays(-1), TestCa.Start.AddYears(1));

        CertificateValidator.Validate(lookalike, _ca.Authority.Certificate, Now).ShouldBe(CertificateValidationStatus.Untrusted);
    }
}
