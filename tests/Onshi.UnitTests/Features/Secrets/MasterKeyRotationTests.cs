using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.UnitTests.Features.Certificates;
using Shouldly;

namespace Onshi.UnitTests.Features.Secrets;

/// <summary>
/// <see cref="MasterKeyRotation"/>: the CA key, the server PKCS#12 and the Data Protection key ring re-encrypted under a
/// new key (the keys themselves unchanged, so what they protected still opens), the old key refused afterwards, a wrong
/// key or a corrupt file refused before anything is written, and a rotation cut off halfway finished by running it again.
/// </summary>
public sealed class MasterKeyRotationTests : IDisposable
{
    private const string Payload = "ユーザ設定情報の控え";
    private readonly CertificateTempDirectory directory = new();
    private readonly MasterKey oldKey = MasterKey.Generate("old");
    private readonly MasterKey newKey = MasterKey.Generate("new");

    private string Data => directory.Path;

    private string ServerPfx => Path.Combine(Data, "tls", "server.pfx");

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Rotate_ReencryptsCaKeyServerPfxAndKeyRing_SameKeysInside_OldKeyRefusedAfterwards()
    {
        var (caThumbprint, serverThumbprint, protectedPayload) = Populate();
        var keyFiles = Directory.GetFiles(OnshiDataProtection.KeysDirectory(Data), "*.xml").Length;

        var result = MasterKeyRotation.Rotate(Data, oldKey, newKey);

        result.ShouldBe(new MasterKeyRotationResult(2 + keyFiles, oldKey.KeyId, newKey.KeyId, AlreadyDone: false));
        MasterKey.ReadMarker(Data).ShouldBe(newKey.KeyId);
        File.ReadAllText(Path.Combine(Data, "ca", "ca.key")).ShouldContain("Onshi-Master-Key-Id: " + newKey.KeyId);
        foreach (var file in Directory.GetFiles(OnshiDataProtection.KeysDirectory(Data), "*.xml"))
        {
            var text = File.ReadAllText(file);
            text.ShouldContain($"masterKeyId=\"{newKey.KeyId}\"");
            text.ShouldNotContain(oldKey.KeyId);
            text.ShouldNotContain("<masterKey");
        }

        Directory.EnumerateFiles(Data, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();

        // The new key opens everything, and it is the same CA, the same server certificate, the same key ring.
        using (var ca = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, newKey))
        {
            ca.Certificate.Thumbprint.ShouldBe(caThumbprint);
            using var server = ca.GetOrIssueServerCertificate([]);
            server.Thumbprint.ShouldBe(serverThumbprint, "re-encrypted, not re-issued");
        }

        Unprotect(newKey, protectedPayload).ShouldBe(Payload);

        // The old one opens nothing any more.
        var before = Fingerprint();
        Should.Throw<OnshiStartupException>(() => CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, oldKey)).Message.ShouldContain(newKey.KeyId);
        Should.Throw<OnshiStartupException>(() => OnshiDataProtection.EncryptPlainKeys(OnshiDataProtection.KeysDirectory(Data), oldKey));
        Should.Throw<System.Security.Cryptography.CryptographicException>(() => X509CertificateLoader.LoadPkcs12FromFile(ServerPfx, CertificateAuthority.ServerPfxPassword(oldKey)));
        Fingerprint().ShouldBe(before, "a refused key rewrites nothing");

        // Run again: already done, nothing written.
        MasterKeyRotation.Rotate(Data, oldKey, newKey).AlreadyDone.ShouldBeTrue();
        Fingerprint().ShouldBe(before);
    }

    [Fact]
    public void Rotate_WithAWrongCurrentKey_IsRefused_NothingChanges()
    {
        Populate();
        var before = Fingerprint();

        var ex = Should.Throw<OnshiStartupException>(() => MasterKeyRotation.Rotate(Data, MasterKey.Generate("wrong"), newKey));

        ex.Message.ShouldContain("マスター鍵が違います");
        ex.Message.ShouldContain("nothing was changed");
        Fingerprint().ShouldBe(before);
    }

    [Fact]
    public void Rotate_ToTheSameKey_IsRefused() =>
        Should.Throw<OnshiStartupException>(() => MasterKeyRotation.Rotate(Data, oldKey, oldKey)).Message.ShouldContain("同じ");

    [Fact]
    public void Rotate_WithACorruptKeyRingFile_IsRefusedBeforeAnyWrite()
    {
        Populate();
        File.WriteAllText(Path.Combine(OnshiDataProtection.KeysDirectory(Data), "key-broken.xml"), "<key><notclosed>");
        var before = Fingerprint();

        Should.Throw<OnshiStartupException>(() => MasterKeyRotation.Rotate(Data, oldKey, newKey)).Message.ShouldContain("key-broken.xml");

        Fingerprint().ShouldBe(before, "not even the CA key, which comes first, was rewritten");
    }

    [Fact]
    public void Rotate_CutOffHalfway_RunAgainWithTheSameKeys_Finishes()
    {
        var (caThumbprint, _, protectedPayload) = Populate();
        var before = Snapshot();
        MasterKeyRotation.Rotate(Data, oldKey, newKey);

        // As if the process died after the CA key was replaced: the marker and the key ring still as before.
        File.WriteAllBytes(Path.Combine(Data, MasterKey.MarkerFileName), before[MasterKey.MarkerFileName]);
        foreach (var (name, content) in before.Where(f => f.Key.StartsWith("keys", StringComparison.Ordinal)))
        {
            File.WriteAllBytes(Path.Combine(Data, name), content);
        }

        MasterKey.ReadMarker(Data).ShouldBe(oldKey.KeyId);
        Should.Throw<OnshiStartupException>(() => CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, oldKey), "half-rotated: the old key no longer starts it");

        var again = MasterKeyRotation.Rotate(Data, oldKey, newKey);

        again.AlreadyDone.ShouldBeFalse();
        again.Files.ShouldBe(before.Count(f => f.Key.StartsWith("keys", StringComparison.Ordinal)), "only the key ring was left to do");
        MasterKey.ReadMarker(Data).ShouldBe(newKey.KeyId);
        using var ca = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, newKey);
        ca.Certificate.Thumbprint.ShouldBe(caThumbprint);
        Unprotect(newKey, protectedPayload).ShouldBe(Payload);
    }

    /// <summary>A data directory under <see cref="oldKey"/>: CA, server certificate, two Data Protection keys and a payload.</summary>
    private (string CaThumbprint, string ServerThumbprint, string ProtectedPayload) Populate()
    {
        MasterKey.WriteMarker(Data, oldKey);
        string caThumbprint, serverThumbprint;
        using (var ca = CertificateAuthority.LoadOrCreate(Data, TimeProvider.System, oldKey))
        {
            caThumbprint = ca.Certificate.Thumbprint;
            using var server = ca.GetOrIssueServerCertificate([]);
            serverThumbprint = server.Thumbprint;
        }

        string protectedPayload;
        using (var provider = KeyRing(oldKey))
        {
            var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("rotation-test");
            protectedPayload = protector.Protect(Payload);

            // A second key, as a key ring has after its first rotation.
            provider.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>()
                .CreateNewKey(DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(90));
        }

        Directory.GetFiles(OnshiDataProtection.KeysDirectory(Data), "*.xml").Length.ShouldBe(2);
        return (caThumbprint, serverThumbprint, protectedPayload);
    }

    private string Unprotect(MasterKey key, string protectedPayload)
    {
        using var provider = KeyRing(key);
        return provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("rotation-test").Unprotect(protectedPayload);
    }

    private ServiceProvider KeyRing(MasterKey key)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOnshiDataProtection(Data, key, keysInDatabase: false);
        return services.BuildServiceProvider();
    }

    /// <summary>Every file of the data directory by relative path.</summary>
    private Dictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(Data, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(Data, f), File.ReadAllBytes);

    /// <summary>Every file's relative path and SHA-256, sorted: equal exactly when no file was added, removed or changed.</summary>
    private List<string> Fingerprint() =>
        [.. Snapshot().Select(f => f.Key + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Value))).Order(StringComparer.Ordinal)];
}
