using System.Globalization;
using Onshi.Core.Data;

namespace Onshi.Cli.Seeding;

/// <summary>
/// The conventions of the synthetic data of <c>onshi seed-scale</c> (docs/scaling.md): what marks a row as synthetic,
/// the documented credentials every synthetic account shares, and the user-ID schemes. Synthetic data is test data
/// only: every synthetic account of the same credential shares one Argon2id hash (one salt).
/// </summary>
internal static class SyntheticData
{
    /// <summary>Every synthetic institution's name starts with this (合成 = synthetic).</summary>
    public const string NamePrefix = "【合成】";

    /// <summary>Digits 4–5 of every synthetic 医療機関等コード (the first two digits of the 7-digit institution number).</summary>
    public const string CodeMarker = "99";

    /// <summary>The actor of everything seed-scale writes (CreatedBy, DecidedBy, IssuedBy, the audit rows).</summary>
    public const string Actor = "seed-scale";

    /// <summary>
    /// The password of every synthetic OQS account except the reset accounts, and of every synthetic portal user.
    /// 13 characters or more, so it does not expire (docs/passwords.md).
    /// </summary>
    public const string Password = "Synthetic-Load-2026!";

    /// <summary>The 秘密の番号 of every synthetic マスタアカウントリセット用アカウント (its password).</summary>
    public const string SecretNumber = "2580";

    /// <summary>The e-mail domain of the synthetic portal users: <c>.invalid</c> (RFC 2606) can never receive mail.</summary>
    public const string EmailDomain = "seed-scale.invalid";

    /// <summary>The prefix of the audit detail of a synthetic institution's row: <c>synthetic:seed=S</c>.</summary>
    public const string AuditDetailPrefix = "synthetic:seed=";

    /// <summary>The most synthetic institutions one database can hold (the master IDs are 9 + six digits).</summary>
    public const int MaxInstitutions = 1_000_000;

    /// <summary>The number of accounts of a "large" institution (<c>--large-institutions</c>).</summary>
    public const int LargeInstitutionAccounts = 200;

    /// <summary>Terminals (and so terminal certificates) per institution.</summary>
    public const int TerminalsPerInstitution = 2;

    /// <summary>SQL (both providers) true for a synthetic row of <c>Institutions</c>.</summary>
    public const string IsSyntheticInstitutionSql = "substr(\"Code\", 4, 2) = '99' AND \"Name\" LIKE '【合成】%'";

    /// <summary>SQL (both providers) true for a synthetic row of <c>PortalUsers</c>.</summary>
    public const string IsSyntheticPortalUserSql = "\"NormalizedEmail\" LIKE '%@SEED-SCALE.INVALID'";

    /// <summary>The マスタアカウント's 7-digit ID of synthetic institution <paramref name="index"/>.</summary>
    public static string MasterUserId(int index) => "9" + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The reset account's 8-character ID of synthetic institution <paramref name="index"/>.</summary>
    public static string ResetUserId(int index) => "R9" + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The <paramref name="n"/>-th (1-based) account of <paramref name="kind"/> of institution <paramref name="index"/>: 13 characters.</summary>
    public static string StaffUserId(int index, AccountKind kind, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"SYN{index:D6}{KindLetter(kind)}{n:D3}");

    /// <summary>The contact's e-mail (the portal user ID) of institution <paramref name="index"/>.</summary>
    public static string Email(int index) => string.Create(CultureInfo.InvariantCulture, $"contact{index:D6}@{EmailDomain}");

    /// <summary>The audit detail of institution rows written with <paramref name="seed"/>.</summary>
    public static string AuditDetail(long seed) => AuditDetailPrefix + seed.ToString(CultureInfo.InvariantCulture);

    public static char KindLetter(AccountKind kind) => kind switch
    {
        AccountKind.Admin => 'A',
        AccountKind.General => 'G',
        AccountKind.MedicalInfo => 'M',
        AccountKind.LinkedApp => 'L',
        AccountKind.WebApi => 'W',
        AccountKind.FaceAuth => 'F',
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Master and reset accounts have system-assigned IDs."),
    };
}

/// <summary>
/// SplitMix64: a small, fast generator whose output depends only on its seed (not on the .NET version), so that
/// <c>--seed</c> reproduces the same data everywhere. Not for secrets.
/// </summary>
internal sealed class SyntheticRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>The generator of stream <paramref name="stream"/> of institution <paramref name="index"/> under <paramref name="seed"/>.</summary>
    public static SyntheticRandom For(long seed, int index, ulong stream)
    {
        var mixer = new SyntheticRandom(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ stream);
        var first = mixer.NextUInt64();
        return new SyntheticRandom(first ^ unchecked((ulong)index * 0xD1B54A32D192ED03UL));
    }

    public ulong NextUInt64()
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>0 ≤ result &lt; <paramref name="max"/>.</summary>
    public int Next(int max) => (int)(NextUInt64() % (ulong)max);

    /// <summary><paramref name="min"/> ≤ result &lt; <paramref name="max"/>.</summary>
    public int Next(int min, int max) => min + Next(max - min);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>An index drawn with the given cumulative weights (ascending, last = total).</summary>
    public int Weighted(int[] cumulative)
    {
        var x = Next(cumulative[^1]);
        var i = Array.BinarySearch(cumulative, x + 1);
        return i >= 0 ? i : ~i;
    }

    /// <summary><paramref name="bytes"/> random bytes as upper-case hex.</summary>
    public string Hex(int bytes, bool positive = false)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        for (var i = 0; i < bytes; i++)
        {
            buffer[i] = (byte)NextUInt64();
        }

        if (positive)
        {
            // A certificate serial is a positive integer: clear the top bit, and keep the first byte non-zero.
            buffer[0] = (byte)((buffer[0] & 0x7F) | 0x10);
        }

        return Convert.ToHexString(buffer);
    }
}
