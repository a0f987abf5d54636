using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Onshi.Core.Features.Secrets;

/// <summary>
/// The one Data Protection key ring of a deployment: application name «Onshi», the keys in the database
/// (<see cref="DbXmlRepository"/>, shared by every instance; <c>DATA/keys</c> of older versions imported once), each key's
/// secret encrypted by <see cref="OnshiXmlEncryptor"/> under the <see cref="MasterKey"/>.
/// </summary>
public static class OnshiDataProtection
{
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";

    /// <summary>The AppContext switch that makes a stale key ring be re-read by the request that finds it stale.</summary>
    private const string DisableAsyncKeyRingUpdateSwitch = "Microsoft.AspNetCore.DataProtection.KeyManagement.DisableAsyncKeyRingUpdate";

    /// <summary>The legacy key ring's directory in a data directory (keys of versions before the database ring).</summary>
    public static string KeysDirectory(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "keys");

    /// <summary>
    /// Adds Data Protection with the shared key ring, encrypted with <paramref name="masterKey"/>: in the database
    /// (<paramref name="keysInDatabase"/>, every host of the product; the <see cref="Data.OnshiDbContext"/> must be registered)
    /// with the files of <c>DATA/keys</c> imported, or in <c>DATA/keys</c> (tools and tests without a database). Plain keys
    /// an older version wrote are encrypted first, and every encrypted key file must open with this master key.
    /// </summary>
    /// <exception cref="OnshiStartupException">A key was encrypted with another master key, or is corrupt.</exception>
    public static IDataProtectionBuilder AddOnshiDataProtection(this IServiceCollection services, string dataDirectory, MasterKey masterKey,
        bool keysInDatabase = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(masterKey);
        var keys = KeysDirectory(dataDirectory);
        EncryptPlainKeys(keys, masterKey);
        services.TryAddSingleton(masterKey);
        var builder = services.AddDataProtection().SetApplicationName("Onshi");
        services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new OnshiXmlEncryptor(masterKey));
        if (!keysInDatabase)
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(keys));
            return builder;
        }

        // A ring marked stale is re-read by the request that needs it, not in the background while that request still
        // gets the stale ring (RefreshingDataProtectionProvider relies on it). The process is ours: set once, for all.
        AppContext.SetSwitch(DisableAsyncKeyRingUpdateSwitch, true);
        services.AddSingleton(sp => new DbXmlRepository(sp.GetRequiredService<IServiceScopeFactory>(), keys));
        services.AddOptions<KeyManagementOptions>().Configure<DbXmlRepository>((o, repository) => o.XmlRepository = repository);
        services.AddSingleton(sp => new RefreshableKeyManager(ActivatorUtilities.CreateInstance<XmlKeyManager>(sp)));
        services.Replace(ServiceDescriptor.Singleton<IKeyManager>(sp => sp.GetRequiredService<RefreshableKeyManager>()));
        var stock = services.Last(d => d.ServiceType == typeof(IDataProtectionProvider));
        services.Replace(ServiceDescriptor.Singleton<IDataProtectionProvider>(sp => new RefreshingDataProtectionProvider(
            Resolve<IDataProtectionProvider>(sp, stock), sp.GetRequiredService<RefreshableKeyManager>(), sp.GetRequiredService<DbXmlRepository>())));
        return builder;
    }

    /// <summary>
    /// Reads the ring once (creating its first key if it has none, under the ring's lock), so that a site's first request
    /// does not, and a wrong master key or an unreadable ring stops the start.
    /// </summary>
    public static void EnsureKeyRing(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Onshi.KeyRing.Check");
        _ = protector.Unprotect(protector.Protect([1]));
    }

    private static T Resolve<T>(IServiceProvider sp, ServiceDescriptor descriptor) where T : class =>
        (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));

    /// <summary>
    /// Rewrites every key file of <paramref name="keysDirectory"/> whose secret is still plain with the secret encrypted
    /// (as Data Protection itself would have written it with <see cref="OnshiXmlEncryptor"/>), and decrypts every
    /// already encrypted secret once to prove the master key is the right one. Returns how many files were rewritten.
    /// </summary>
    public static int EncryptPlainKeys(string keysDirectory, MasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        if (!Directory.Exists(keysDirectory))
        {
            return 0;
        }

        var encryptor = new OnshiXmlEncryptor(masterKey);
        var decryptor = new OnshiXmlDecryptor(masterKey);
        var rewritten = 0;
        foreach (var file in Directory.EnumerateFiles(keysDirectory, "*.xml").Order(StringComparer.Ordinal))
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file, LoadOptions.PreserveWhitespace);
            }
            catch (System.Xml.XmlException)
            {
                throw new OnshiStartupException(
                    $"Data Protection の鍵ファイルを読めません: {file}。バックアップから復元してください。 / The Data Protection key file {file} is not valid XML; restore it from backup.");
            }

            foreach (var encrypted in document.Descendants(OnshiXmlEncryptor.ElementName).ToList())
            {
                decryptor.Decrypt(encrypted);
            }

            if (EncryptPlainSecrets(document, encryptor) == 0)
            {
                continue;
            }

            SecretFiles.WriteAtomically(file, Encoding.UTF8.GetBytes(document.ToString()), secret: true);
            rewritten++;
        }

        return rewritten;
    }

    /// <summary>
    /// Every key file of <paramref name="keysDirectory"/> with its secrets re-encrypted from <paramref name="current"/> to
    /// <paramref name="next"/> (and any plain secret encrypted under <paramref name="next"/>), in memory, for
    /// <see cref="MasterKeyRotation"/>: the files whose content changes. A secret already under <paramref name="next"/> (an
    /// interrupted rotation run again) is only checked. The keys themselves, and so every cookie, token and protected
    /// document made with them, stay the same. Writes nothing.
    /// </summary>
    /// <exception cref="OnshiStartupException">A secret is under a third master key, or corrupt.</exception>
    internal static IReadOnlyList<(string Path, byte[] Content)> RewrapKeys(string keysDirectory, MasterKey current, MasterKey next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var changed = new List<(string Path, byte[] Content)>();
        if (!Directory.Exists(keysDirectory))
        {
            return changed;
        }

        var fromCurrent = new OnshiXmlDecryptor(current);
        var fromNext = new OnshiXmlDecryptor(next);
        var encryptor = new OnshiXmlEncryptor(next);
        foreach (var file in Directory.EnumerateFiles(keysDirectory, "*.xml").Order(StringComparer.Ordinal))
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file, LoadOptions.PreserveWhitespace);
            }
            catch (System.Xml.XmlException)
            {
                throw new OnshiStartupException(
                    $"Data Protection の鍵ファイルを読めません: {file}。何も変更していません。 / The Data Protection key file {file} is not valid XML; nothing was changed.");
            }

            if (Rewrap(document, next, fromCurrent, fromNext, encryptor) > 0)
            {
                changed.Add((file, Encoding.UTF8.GetBytes(document.ToString())));
            }
        }

        return changed;
    }

    /// <summary>
    /// The key ring's rows in the database re-wrapped from <paramref name="current"/> to <paramref name="next"/>, in memory,
    /// as <see cref="RewrapKeys"/> does for files: (row id, new XML) of the rows whose content changes. Writes nothing.
    /// </summary>
    /// <exception cref="OnshiStartupException">A secret is under a third master key, or corrupt.</exception>
    internal static IReadOnlyList<(int Id, string Xml)> RewrapRows(IEnumerable<(int Id, string FriendlyName, string Xml)> rows, MasterKey current,
        MasterKey next)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var fromCurrent = new OnshiXmlDecryptor(current);
        var fromNext = new OnshiXmlDecryptor(next);
        var encryptor = new OnshiXmlEncryptor(next);
        var changed = new List<(int Id, string Xml)>();
        foreach (var (id, name, xml) in rows)
        {
            XDocument document;
            try
            {
                document = XDocument.Parse(xml);
            }
            catch (System.Xml.XmlException)
            {
                throw new OnshiStartupException(
                    $"データベースの Data Protection の鍵 {name} を読めません。何も変更していません。 / The Data Protection key {name} in the database is not valid XML; nothing was changed.");
            }

            if (Rewrap(document, next, fromCurrent, fromNext, encryptor) > 0)
            {
                changed.Add((id, document.Root!.ToString(SaveOptions.DisableFormatting)));
            }
        }

        return changed;
    }

    /// <summary>Re-encrypts the secrets of one key element to <paramref name="next"/>; returns how many changed.</summary>
    private static int Rewrap(XDocument document, MasterKey next, OnshiXmlDecryptor fromCurrent, OnshiXmlDecryptor fromNext, OnshiXmlEncryptor encryptor)
    {
        var count = 0;
        foreach (var encrypted in document.Descendants(OnshiXmlEncryptor.ElementName).ToList())
        {
            if (string.Equals((string?)encrypted.Attribute("masterKeyId"), next.KeyId, StringComparison.Ordinal))
            {
                fromNext.Decrypt(encrypted);
                continue;
            }

            encrypted.ReplaceWith(encryptor.Encrypt(fromCurrent.Decrypt(encrypted)).EncryptedElement);
            count++;
        }

        return count + EncryptPlainSecrets(document, encryptor);
    }

    /// <summary>Replaces every secret Data Protection marked <c>requiresEncryption</c> with its encrypted form; returns how many.</summary>
    private static int EncryptPlainSecrets(XDocument document, OnshiXmlEncryptor encryptor)
    {
        var plain = document.Descendants()
            .Where(e => string.Equals((string?)e.Attribute(DataProtectionNamespace + "requiresEncryption"), "true", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var element in plain)
        {
            var info = encryptor.Encrypt(new XElement(element));
            element.ReplaceWith(new XElement(DataProtectionNamespace + "encryptedSecret",
                new XAttribute("decryptorType", info.DecryptorType.AssemblyQualifiedName!),
                info.EncryptedElement));
        }

        return plain.Count;
    }
}
