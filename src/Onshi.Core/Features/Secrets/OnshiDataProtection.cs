using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Onshi.Core.Features.Secrets;

/// <summary>
/// The one Data Protection key ring of a deployment: application name «Onshi», the keys in <c>DATA/keys</c>, each key's
/// secret encrypted by <see cref="OnshiXmlEncryptor"/> under the <see cref="MasterKey"/>.
/// </summary>
public static class OnshiDataProtection
{
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";

    /// <summary>The key ring's directory in a data directory.</summary>
    public static string KeysDirectory(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "keys");

    /// <summary>
    /// Adds Data Protection with the shared key ring of <paramref name="dataDirectory"/>, encrypted with
    /// <paramref name="masterKey"/>, after migrating (encrypting) plain keys an older version wrote and checking every
    /// encrypted key opens with this master key.
    /// </summary>
    /// <exception cref="OnshiStartupException">A key was encrypted with another master key, or is corrupt.</exception>
    public static IDataProtectionBuilder AddOnshiDataProtection(this IServiceCollection services, string dataDirectory, MasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(masterKey);
        var keys = KeysDirectory(dataDirectory);
        EncryptPlainKeys(keys, masterKey);
        services.TryAddSingleton(masterKey);
        var builder = services.AddDataProtection()
            .SetApplicationName("Onshi")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new OnshiXmlEncryptor(masterKey));
        return builder;
    }

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

            count += EncryptPlainSecrets(document, encryptor);
            if (count > 0)
            {
                changed.Add((file, Encoding.UTF8.GetBytes(document.ToString())));
            }
        }

        return changed;
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
