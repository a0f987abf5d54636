using System.Text.Json;
using System.Text.Json.Serialization;

namespace Onshi.Cli.Seeding;

/// <summary>
/// <c>OUT/manifest.json</c> (mode 0600): what a load client needs to log in to the seeded system — the documented
/// synthetic credentials, the user-ID schemes, and for each institution with real certificates its terminals (PKCS#12
/// path and passphrase) and accounts. Format <see cref="FormatName"/>, documented in docs/scaling.md.
/// </summary>
internal sealed record SeedManifest
{
    public const string FormatName = "onshi-seed-scale/1";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string Format { get; init; } = FormatName;

    /// <summary>False while a run is in progress or was killed: re-run the same command to complete it.</summary>
    public bool Complete { get; init; }

    public long Seed { get; init; }

    /// <summary><c>production</c> or <c>verification</c>: the environment the accounts are in.</summary>
    public string Environment { get; init; } = "";

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Database { get; init; } = "";

    /// <summary>The CA certificate (PEM) the OQS's server certificate chains to: trust it in the client.</summary>
    public string CaCert { get; init; } = "";

    /// <summary>The synthetic institutions in the database (indexes 0 … count − 1).</summary>
    public int Institutions { get; init; }

    /// <summary>Accounts in the database belonging to synthetic institutions.</summary>
    public long Accounts { get; init; }

    /// <summary>The first <c>largeInstitutions</c> institutions have <see cref="SyntheticData.LargeInstitutionAccounts"/> accounts.</summary>
    public int LargeInstitutions { get; init; }

    /// <summary>The password of every synthetic account (reset accounts excepted) and portal user.</summary>
    public string Password { get; init; } = SyntheticData.Password;

    /// <summary>The 秘密の番号 = password of every synthetic reset account.</summary>
    public string SecretNumber { get; init; } = SyntheticData.SecretNumber;

    /// <summary>The ID schemes, with <c>{index:D6}</c> the institution's 0-based index and <c>{n:D3}</c> 1-based.</summary>
    public ManifestSchemes Schemes { get; init; } = new();

    /// <summary>The institutions whose terminals have real certificates (<c>--real-certificates</c>), by index.</summary>
    public List<ManifestInstitution> RealCertificateInstitutions { get; init; } = [];

    public static async Task<SeedManifest?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<SeedManifest>(stream, Json, cancellationToken);
    }

    /// <summary>Writes the manifest atomically (a temporary file, then a rename), readable by the owner only.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>How the user IDs of institution <c>index</c> are made (see <see cref="SyntheticData"/>).</summary>
public sealed record ManifestSchemes
{
    public string Master { get; init; } = "9{index:D6}";

    public string Reset { get; init; } = "R9{index:D6}";

    /// <summary>K = A 管理者, G 一般, M 医療情報閲覧, L 連携アプリ用, W Web API用, F 顔認証用.</summary>
    public string Staff { get; init; } = "SYN{index:D6}{K}{n:D3}";

    public string PortalEmail { get; init; } = "contact{index:D6}@" + SyntheticData.EmailDomain;

    public string Terminals { get; init; } = "T0001, T0002";
}

public sealed record ManifestInstitution(int Index, string Code, string Name, string PortalEmail, List<ManifestTerminal> Terminals, List<ManifestAccount> Accounts);

/// <summary>A terminal with a real certificate: the PKCS#12 file (certificate + key) and the passphrase that opens it.</summary>
public sealed record ManifestTerminal(string Name, string Serial, string Thumbprint, string Pfx, string Passphrase, string CertPem);

/// <summary>An account of a real-certificate institution; <c>kind</c> is master, reset, admin, general, medical, app, webapi or face (demo.json's codes).</summary>
public sealed record ManifestAccount(string UserId, string Kind, string Password);
