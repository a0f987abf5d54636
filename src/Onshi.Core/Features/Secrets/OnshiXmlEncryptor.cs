using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Onshi.Core.Features.Secrets;

/// <summary>
/// Encrypts the secret part of each Data Protection key (its <c>&lt;masterKey&gt;</c>) with AES-256-GCM under a key
/// derived from the <see cref="MasterKey"/>. Independent of where the key ring's XML is stored (files today, the
/// database later): Data Protection hands it the element and stores what it returns.
/// </summary>
public sealed class OnshiXmlEncryptor(MasterKey masterKey) : IXmlEncryptor
{
    /// <summary>The element that replaces the plaintext secret.</summary>
    public const string ElementName = "onshiEncryptedSecret";

    internal const string Purpose = "data-protection-xml";
    internal const string Algorithm = "AES-256-GCM";
    internal const int NonceLength = 12;
    internal const int TagLength = 16;

    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var key = masterKey.Derive(Purpose);
        var output = new byte[NonceLength + TagLength + plaintext.Length];
        try
        {
            var nonce = output.AsSpan(0, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(nonce, plaintext, output.AsSpan(NonceLength + TagLength), output.AsSpan(NonceLength, TagLength), AssociatedData(masterKey.KeyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(key);
        }

        var element = new XElement(ElementName,
            new XAttribute("algorithm", Algorithm),
            new XAttribute("masterKeyId", masterKey.KeyId),
            new XComment(" Encrypted with the Onshi master key (ONSHI_MASTER_KEY); see docs/security.md. "),
            new XElement("value", Convert.ToBase64String(output)));
        return new EncryptedXmlInfo(element, typeof(OnshiXmlDecryptor));
    }

    internal static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes("onshi-dp-xml-v1|" + keyId);
}

/// <summary>Decrypts what <see cref="OnshiXmlEncryptor"/> wrote; Data Protection creates it through its service provider.</summary>
public sealed class OnshiXmlDecryptor : IXmlDecryptor
{
    private readonly MasterKey masterKey;

    /// <summary>Data Protection's activator calls this constructor.</summary>
    public OnshiXmlDecryptor(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        masterKey = services.GetRequiredService<MasterKey>();
    }

    /// <summary>For code that decrypts outside Data Protection (the startup check).</summary>
    public OnshiXmlDecryptor(MasterKey masterKey) => this.masterKey = masterKey;

    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var keyId = (string?)encryptedElement.Attribute("masterKeyId") ?? "";
        if (!string.Equals(keyId, masterKey.KeyId, StringComparison.Ordinal))
        {
            throw new OnshiStartupException(
                $"Data Protection の鍵は鍵 ID {keyId} のマスター鍵で暗号化されていますが、{masterKey.Source} の鍵の ID は {masterKey.KeyId} です。" +
                $" / A Data Protection key is encrypted with master key id {keyId}, but the key from {masterKey.Source} has id {masterKey.KeyId}.");
        }

        byte[] input;
        try
        {
            input = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        }
        catch (FormatException)
        {
            throw Corrupt();
        }

        if (input.Length < OnshiXmlEncryptor.NonceLength + OnshiXmlEncryptor.TagLength)
        {
            throw Corrupt();
        }

        var key = masterKey.Derive(OnshiXmlEncryptor.Purpose);
        var plaintext = new byte[input.Length - OnshiXmlEncryptor.NonceLength - OnshiXmlEncryptor.TagLength];
        try
        {
            using var aes = new AesGcm(key, OnshiXmlEncryptor.TagLength);
            aes.Decrypt(input.AsSpan(0, OnshiXmlEncryptor.NonceLength), input.AsSpan(OnshiXmlEncryptor.NonceLength + OnshiXmlEncryptor.TagLength),
                input.AsSpan(OnshiXmlEncryptor.NonceLength, OnshiXmlEncryptor.TagLength), plaintext, OnshiXmlEncryptor.AssociatedData(keyId));
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        catch (CryptographicException)
        {
            throw Corrupt();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static OnshiStartupException Corrupt() => new(
        "Data Protection の鍵を復号できません (改ざんまたは破損)。バックアップから復元してください。 / A Data Protection key cannot be decrypted (tampered with or corrupt); restore it from backup.");
}
