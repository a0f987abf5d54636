using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.UnitTests.Features.Certificates;
using Shouldly;

namespace Onshi.UnitTests.Features.Secrets;

/// <summary>
/// The master key and what it encrypts: the CA key (encrypted PKCS#8), the OQS server PKCS#12 and the Data Protection
/// key ring (AES-256-GCM per key); plain files of older data directories are encrypted on start; a wrong or missing
/// key is a clear startup error and never a new CA or key ring.
/// </summary>
public sealed class SecretsAtRestTests : IDisposable
{
    private readonly CertificateTempDirectory directory = new();

    private string Data => directory.Path;

    public void Dispose() => directory.Dispose();

    [Fact]
    public void DefaultKey_IsGeneratedOnceBesideTheDataDirectory_0600_AndRecordedById()
    {
        var first = MasterKey.Resolve(Data);
        var path = MasterKey.DefaultKeyFilePath(Data);
        File.Exists(path).ShouldBeTrue();
        Path.GetDirectoryName(path).ShouldBe(Path.GetDirectoryName(Data), "beside the data directory, not inside it");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        MasterKey.ReadMarker(Data).ShouldBe(first.KeyId);
        MasterKey.Resolve(Data).KeyId.ShouldBe(first.KeyId);
        first.ToString().ShouldNotContain(first.Export());
    }

    [Fact]
    public void WrongKey_IsAClearBilingualError()
    {
        MasterKey.Resolve(Data);
        var other = Path.Combine(Data + "-other.key");
        try
        {
            MasterKey.CreateKeyFile(other);
            var ex = Should.Throw<OnshiStartupException>(() => MasterKey.Resolve(Data, other));
            ex.Message.ShouldContain("マスター鍵が違います");
            ex.Message.ShouldContain("Wrong master key");
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public void MissingKey_ForAnEncryptedDirectory_IsAnError_AndNoNewKeyIsGenerated()
    {
        MasterKey.Resolve(Data);
        File.Delete(MasterKey.DefaultKeyFilePath(Data));
        var ex = Should.Throw<OnshiStartupException>(() => MasterKey.Resolve(Data));
        ex.Message.ShouldContain("マスター鍵がありません");
        File.Exists(MasterKey.DefaultKeyFilePath(Data)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("AAAA")]
    public void MalformedKey_IsRejected(string text) =>
        Should.Throw<OnshiStartupException>(() => MasterKey.Parse(text, "test")).Message.ShouldContain("形式が正しくありません");

    [Fact]
    public void HexAndBase64_AreTheSameKey()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        MasterKey.Parse(Convert.ToHexString(bytes), "hex").KeyId.ShouldBe(MasterKey.Parse(Convert.ToBase64String(bytes), "b64").KeyId);
    }

    [Fact]
    public void CaKey_IsStoredAsEncryptedPkcs8_AndOnlyTheRightKeyOpensIt()
    {
        var key = MasterKey.Generate();
        string thumbprint;
        using (var ca = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, key))
        {
            thumbprint = ca.Certificate.Thumbprint;
            using var server = ca.GetOrIssueServerCertificate([]);
            server.HasPrivateKey.ShouldBeTrue();
        }

        var text = File.ReadAllText(Path.Combine(Data, "ca", "ca.key"));
        text.ShouldContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        text.ShouldNotContain("-----BEGIN PRIVATE KEY-----");
        Should.Throw<CryptographicException>(() => X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(Data, "tls", "server.pfx"), (string?)null));

        using (var again = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, key))
        {
            again.Certificate.Thumbprint.ShouldBe(thumbprint);
        }

        var before = File.ReadAllBytes(Path.Combine(Data, "ca", "ca.key"));
        var ex = Should.Throw<OnshiStartupException>(() => CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, MasterKey.Generate("other")));
        ex.Message.ShouldContain("認証局 (CA) の秘密鍵");
        File.ReadAllBytes(Path.Combine(Data, "ca", "ca.key")).ShouldBe(before, "a wrong key never rewrites or replaces the CA");
    }

    [Fact]
    public void PlainCaKey_OfAnOlderDataDirectory_IsEncryptedOnLoad()
    {
        // What the previous version wrote: a plain PKCS#8 PEM key and a plain (password-less) server PKCS#12.
        var caDirectory = Path.Combine(Data, "ca");
        Directory.CreateDirectory(caDirectory);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=old CA, O=Onshi, C=JP", ecdsa, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var old = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        File.WriteAllText(Path.Combine(caDirectory, "ca.crt"), old.ExportCertificatePem());
        File.WriteAllText(Path.Combine(caDirectory, "ca.key"), ecdsa.ExportPkcs8PrivateKeyPem());

        var key = MasterKey.Generate();
        using (var ca = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, key))
        {
            ca.Certificate.Thumbprint.ShouldBe(old.Thumbprint, "the same CA, not a new one");
        }

        var text = File.ReadAllText(Path.Combine(caDirectory, "ca.key"));
        text.ShouldContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        text.ShouldNotContain("-----BEGIN PRIVATE KEY-----");
        using var reloaded = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, key);
        reloaded.Certificate.Thumbprint.ShouldBe(old.Thumbprint);
    }

    [Fact]
    public void PlainDataProtectionKeys_AreEncryptedOnStart_OldPayloadsStillOpen_AndNoWarning()
    {
        // The previous version's key ring: no XML encryptor, the <masterKey> element in plain text.
        string payload;
        using (var plain = new ServiceCollection().AddDataProtection().SetApplicationName("Onshi")
            .PersistKeysToFileSystem(new DirectoryInfo(OnshiDataProtection.KeysDirectory(Data))).Services.BuildServiceProvider())
        {
            payload = plain.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("秘密の番号の控え");
        }

        var file = Directory.GetFiles(OnshiDataProtection.KeysDirectory(Data), "*.xml").ShouldHaveSingleItem();
        File.ReadAllText(file).ShouldContain("<masterKey");

        var key = MasterKey.Generate();
        var logs = new List<string>();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(logs)));
        services.AddOnshiDataProtection(Data, key, keysInDatabase: false);
        using (var provider = services.BuildServiceProvider())
        {
            var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("t");
            protector.Unprotect(payload).ShouldBe("秘密の番号の控え");
            protector.Unprotect(protector.Protect("x")).ShouldBe("x");
        }

        var text = File.ReadAllText(file);
        text.ShouldNotContain("<masterKey");
        text.ShouldContain(OnshiXmlEncryptor.ElementName);
        logs.ShouldNotContain(l => l.Contains("No XML encryptor", StringComparison.Ordinal));

        // A second start finds nothing to migrate; a wrong key is refused before Data Protection ever runs.
        OnshiDataProtection.EncryptPlainKeys(OnshiDataProtection.KeysDirectory(Data), key).ShouldBe(0);
        Should.Throw<OnshiStartupException>(() => OnshiDataProtection.EncryptPlainKeys(OnshiDataProtection.KeysDirectory(Data), MasterKey.Generate()))
            .Message.ShouldContain("Data Protection");
    }

    [Fact]
    public void NewKeys_AreWrittenEncrypted()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOnshiDataProtection(Data, MasterKey.Generate(), keysInDatabase: false);
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("x");
        }

        var text = File.ReadAllText(Directory.GetFiles(OnshiDataProtection.KeysDirectory(Data), "*.xml").ShouldHaveSingleItem());
        text.ShouldNotContain("<masterKey");
        text.ShouldContain(OnshiXmlEncryptor.ElementName);
    }

    private sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add(formatter(state, exception));
            }
        }
    }
}
