using System.Security.Cryptography;
using System.Text;

namespace Onshi.Core.Features.Secrets;

/// <summary>
/// The key-encryption key (マスター鍵): 32 random bytes from which the keys that encrypt the secrets at rest are derived
/// (HKDF-SHA256, one purpose each): the CA private key, the OQS server certificate's PKCS#12 and the Data Protection
/// key ring. It comes from, in this order: an explicit key file (<c>--master-key-file</c>), the environment variable
/// <c>ONSHI_MASTER_KEY</c> (base64 or 64 hex digits), the file named by <c>ONSHI_MASTER_KEY_FILE</c>, or — the demo and
/// development default — the file <c>DATA.master-key</c> beside the data directory, generated once (mode 0600).
/// </summary>
/// <remarks>
/// A data directory remembers the id (not the key) of the key that encrypted it in <c>DATA/master-key.id</c>, so a
/// wrong or missing key is a clear startup error and never a silently new CA or key ring. Never logged; the key bytes
/// never leave this class except as derived subkeys.
/// </remarks>
public sealed class MasterKey
{
    /// <summary>The key itself, base64 or hex.</summary>
    public const string EnvironmentVariable = "ONSHI_MASTER_KEY";

    /// <summary>A file holding the key (base64 or hex text).</summary>
    public const string FileEnvironmentVariable = "ONSHI_MASTER_KEY_FILE";

    /// <summary>The file in the data directory naming the id of the key that encrypted it.</summary>
    public const string MarkerFileName = "master-key.id";

    /// <summary>The length of a key in bytes (AES-256).</summary>
    public const int KeyLength = 32;

    private const string MarkerPrefix = "onshi-master-key-id v1 ";

    private readonly byte[] key;

    private MasterKey(byte[] key, string source)
    {
        this.key = key;
        Source = source;
        KeyId = Convert.ToHexStringLower(HMACSHA256.HashData(key, "onshi master key id"u8))[..16];
    }

    /// <summary>A public, non-secret name of the key: the first 16 hex digits of an HMAC of a constant.</summary>
    public string KeyId { get; }

    /// <summary>Where the key came from, for messages (never the key).</summary>
    public string Source { get; }

    /// <summary>A new random key (tests, <c>onshi master-key new</c>).</summary>
    public static MasterKey Generate(string source = "generated") => new(RandomNumberGenerator.GetBytes(KeyLength), source);

    /// <summary>A key from its text form (base64 or 64 hex digits).</summary>
    /// <exception cref="OnshiStartupException">Not 32 bytes in either form.</exception>
    public static MasterKey Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        byte[]? bytes = null;
        if (trimmed.Length == KeyLength * 2 && trimmed.All(Uri.IsHexDigit))
        {
            bytes = Convert.FromHexString(trimmed);
        }
        else
        {
            var buffer = new byte[KeyLength + 3];
            if (Convert.TryFromBase64String(trimmed, buffer, out var written) && written == KeyLength)
            {
                bytes = buffer[..KeyLength];
            }
        }

        return bytes is null
            ? throw new OnshiStartupException(
                $"マスター鍵の形式が正しくありません ({source})。32 バイトの鍵を base64 か 16 進数 64 文字で指定してください。" +
                $" / The master key from {source} is malformed: give 32 bytes as base64 or 64 hex digits (e.g. `onshi master-key new --out FILE`).")
            : new MasterKey(bytes, source);
    }

    /// <summary>The text form written to a key file.</summary>
    public string Export() => Convert.ToBase64String(key);

    /// <summary>The demo/development default: <c>DATA.master-key</c> beside the data directory.</summary>
    public static string DefaultKeyFilePath(string dataDirectory) =>
        Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + ".master-key";

    /// <summary>
    /// Resolves the key for <paramref name="dataDirectory"/> (see the class summary for the order), generating the
    /// default key file only for a data directory that holds nothing encrypted yet, and checks it against the
    /// directory's <c>master-key.id</c> (written on first use).
    /// </summary>
    /// <exception cref="OnshiStartupException">The key is missing, malformed or not the one the directory was encrypted with.</exception>
    public static MasterKey Resolve(string dataDirectory, string? keyFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var directory = Path.GetFullPath(dataDirectory);
        var recorded = ReadMarker(directory);
        var masterKey = FindConfigured(directory, keyFile);
        if (masterKey is null)
        {
            if (recorded is not null || HoldsEncryptedSecrets(directory))
            {
                throw new OnshiStartupException(
                    $"マスター鍵がありません。データディレクトリ {directory} の秘密情報は鍵 ID {recorded ?? "(不明)"} のマスター鍵で暗号化されています。" +
                    $"環境変数 {EnvironmentVariable} か {FileEnvironmentVariable}、または --master-key-file で同じ鍵を指定してください。" +
                    $" / The master key is missing: the secrets in {directory} are encrypted with master key id {recorded ?? "(unknown)"}; " +
                    $"give that key with {EnvironmentVariable}, {FileEnvironmentVariable} or --master-key-file. A new key is not generated.");
            }

            masterKey = CreateDefaultKeyFile(DefaultKeyFilePath(directory));
        }

        if (recorded is not null && !string.Equals(recorded, masterKey.KeyId, StringComparison.Ordinal))
        {
            throw new OnshiStartupException(
                $"マスター鍵が違います。データディレクトリ {directory} は鍵 ID {recorded} で暗号化されていますが、{masterKey.Source} の鍵の ID は {masterKey.KeyId} です。" +
                $" / Wrong master key: {directory} is encrypted with master key id {recorded}, but the key from {masterKey.Source} has id {masterKey.KeyId}.");
        }

        if (recorded is null)
        {
            Directory.CreateDirectory(directory);
            WriteMarker(directory, masterKey);
        }

        return masterKey;
    }

    /// <summary>A key file's key (base64 or hex text); never generates one.</summary>
    /// <exception cref="OnshiStartupException">The file cannot be read or holds no key.</exception>
    public static MasterKey ReadKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromFile(path, path);
    }

    /// <summary>Records <paramref name="masterKey"/>'s id as the one the data directory is encrypted with (atomically).</summary>
    internal static void WriteMarker(string dataDirectory, MasterKey masterKey) =>
        SecretFiles.WriteAtomically(Path.Combine(Path.GetFullPath(dataDirectory), MarkerFileName),
            Encoding.ASCII.GetBytes(MarkerPrefix + masterKey.KeyId + "\n"), secret: false);

    /// <summary>
    /// The key configured for <paramref name="dataDirectory"/> (option, environment, or an existing default key file),
    /// or null when there is none; never generates one.
    /// </summary>
    public static MasterKey? FindConfigured(string dataDirectory, string? keyFile = null)
    {
        if (!string.IsNullOrWhiteSpace(keyFile))
        {
            return FromFile(keyFile, $"--master-key-file {keyFile}");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } inline)
        {
            return Parse(inline, EnvironmentVariable);
        }

        if (Environment.GetEnvironmentVariable(FileEnvironmentVariable) is { Length: > 0 } file)
        {
            return FromFile(file, $"{FileEnvironmentVariable}={file}");
        }

        var defaultPath = DefaultKeyFilePath(dataDirectory);
        return File.Exists(defaultPath) ? FromFile(defaultPath, defaultPath) : null;
    }

    /// <summary>The key id recorded in <c>DIR/master-key.id</c>, or null when there is none.</summary>
    public static string? ReadMarker(string dataDirectory)
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), MarkerFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return text.StartsWith(MarkerPrefix, StringComparison.Ordinal) ? text[MarkerPrefix.Length..].Trim() : text;
    }

    /// <summary>Writes a new random key to <paramref name="path"/> (mode 0600); refuses to overwrite.</summary>
    public static MasterKey CreateKeyFile(string path)
    {
        var created = Generate(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(created.Export() + "\n"));
            stream.Flush(flushToDisk: true);
        }

        return created;
    }

    /// <summary>A subkey for one purpose (HKDF-SHA256 over the master key; the purpose is the info).</summary>
    public byte[] Derive(string purpose, int length = KeyLength)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, key, length, salt: [], info: Encoding.UTF8.GetBytes("onshi/v1/" + purpose));
    }

    /// <summary>Prints the source and id only.</summary>
    public override string ToString() => $"MasterKey {{ Id = {KeyId}, Source = {Source} }}";

    private static MasterKey FromFile(string path, string source)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnshiStartupException(
                $"マスター鍵のファイルを読めません ({source}): {ex.GetType().Name}。 / The master key file cannot be read ({source}).");
        }

        return Parse(text, source);
    }

    private static MasterKey CreateDefaultKeyFile(string path)
    {
        try
        {
            return CreateKeyFile(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process (the next site of the same start) created it first.
            return FromFile(path, path);
        }
    }

    /// <summary>True when the directory already holds an encrypted CA key or Data Protection key.</summary>
    private static bool HoldsEncryptedSecrets(string directory)
    {
        var caKey = Path.Combine(directory, "ca", "ca.key");
        if (File.Exists(caKey) && File.ReadAllText(caKey).Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            return true;
        }

        var keys = Path.Combine(directory, "keys");
        return Directory.Exists(keys)
            && Directory.EnumerateFiles(keys, "*.xml").Any(f => File.ReadAllText(f).Contains(OnshiXmlEncryptor.ElementName, StringComparison.Ordinal));
    }
}
