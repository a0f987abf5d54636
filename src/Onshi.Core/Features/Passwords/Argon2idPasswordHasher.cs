using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

using NSec.Cryptography;

using Onshi.Core.Data;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// Argon2id password hashing (libsodium through NSec) in the PHC string format
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> (base64 without padding, 16-byte salt,
/// 32-byte hash). Each hash carries its parameters, so the cost in <see cref="Argon2Options"/> can be raised
/// later: a hash made with weaker parameters verifies as <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>.
/// Also hashes the reset account's 秘密の番号. Never throws on a malformed stored hash; never logs a secret.
/// </summary>
public sealed class Argon2idPasswordHasher : IPasswordHasher<Account>
{
    /// <summary>The largest memory cost accepted, in options and in stored hashes (1 GiB).</summary>
    internal const int MaxMemoryKiB = 1_048_576;

    /// <summary>The largest number of passes accepted, in options and in stored hashes.</summary>
    internal const int MaxIterations = 64;

    internal const int SaltSize = 16;

    internal const int HashSize = 32;

    private const string Prefix = "$argon2id$v=19$";

    // libsodium's own lower bounds (crypto_pwhash_argon2id_MEMLIMIT_MIN = 8 KiB, OPSLIMIT_MIN = 1, BYTES_MIN = 16).
    private const int LibsodiumMinMemoryKiB = 8;
    private const int MinStoredHashSize = 16;
    private const int MaxStoredHashSize = 64;

    private readonly int _memoryKiB;
    private readonly int _iterations;
    private readonly int _parallelism;
    private readonly Argon2id _algorithm;
    private readonly Lazy<string> _dummyHash;

    public Argon2idPasswordHasher(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Argon2Options argon2 = options.Value.Argon2;
        _memoryKiB = argon2.MemoryKiB;
        _iterations = argon2.Iterations;
        _parallelism = argon2.Parallelism;
        _algorithm = CreateAlgorithm(_memoryKiB, _iterations, _parallelism);

        // A hash of a random value nobody knows, with the current parameters: verifying against it costs
        // exactly what a real verification costs.
        _dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
    }

    /// <summary>Hashes a password or a 秘密の番号 with a fresh random salt and the current parameters.</summary>
    /// <returns>The PHC string to store.</returns>
    public string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltSize);
        byte[] hash = new byte[HashSize];
        Derive(_algorithm, secret, salt, hash, _memoryKiB, _iterations, _parallelism);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Prefix}m={_memoryKiB},t={_iterations},p={_parallelism}${ToBase64NoPadding(salt)}${ToBase64NoPadding(hash)}");
    }

    /// <summary>
    /// Verifies a secret against a stored PHC string in constant time. A null, empty, malformed or
    /// unsupported hash gives <see cref="PasswordVerificationResult.Failed"/> (after the cost of a real
    /// verification, so it cannot be told apart by timing).
    /// </summary>
    public PasswordVerificationResult Verify(string? phcHash, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!TryParse(phcHash, out PhcHash parsed))
        {
            VerifyDummy(secret);
            return PasswordVerificationResult.Failed;
        }

        Argon2id algorithm = parsed.MemoryKiB == _memoryKiB && parsed.Iterations == _iterations && parsed.Parallelism == _parallelism
            ? _algorithm
            : CreateAlgorithm(parsed.MemoryKiB, parsed.Iterations, parsed.Parallelism);

        byte[] actual = new byte[parsed.Hash.Length];
        Derive(algorithm, secret, parsed.Salt, actual, parsed.MemoryKiB, parsed.Iterations, parsed.Parallelism);
        bool equal = CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
        CryptographicOperations.ZeroMemory(actual);
        if (!equal)
        {
            return PasswordVerificationResult.Failed;
        }

        bool weaker = parsed.MemoryKiB < _memoryKiB
            || parsed.Iterations < _iterations
            || parsed.Parallelism != _parallelism
            || parsed.Hash.Length != HashSize;
        return weaker ? PasswordVerificationResult.SuccessRehashNeeded : PasswordVerificationResult.Success;
    }

    /// <summary>
    /// Spends the time of one real verification and discards the result. Call it when a user ID does not
    /// exist, so that unknown and known IDs answer in the same time (SPEC §4.5).
    /// </summary>
    public void VerifyDummy(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (TryParse(_dummyHash.Value, out PhcHash parsed))
        {
            byte[] actual = new byte[parsed.Hash.Length];
            Derive(_algorithm, secret, parsed.Salt, actual, _memoryKiB, _iterations, _parallelism);
            _ = CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
        }
    }

    /// <inheritdoc />
    public string HashPassword(Account user, string password) => Hash(password);

    /// <inheritdoc />
    public PasswordVerificationResult VerifyHashedPassword(Account user, string hashedPassword, string providedPassword) =>
        Verify(hashedPassword, providedPassword);

    /// <summary>Reads the parameters of a stored hash; false when it is not a hash this class can verify.</summary>
    internal static bool TryParse(string? phc, out PhcHash parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(phc) || !phc.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = phc[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        string[] parameters = parts[0].Split(',');
        if (parameters.Length != 3
            || !TryParseParameter(parameters[0], "m=", LibsodiumMinMemoryKiB, MaxMemoryKiB, out int memoryKiB)
            || !TryParseParameter(parameters[1], "t=", 1, MaxIterations, out int iterations)
            || !TryParseParameter(parameters[2], "p=", 1, 1, out int parallelism))
        {
            return false;
        }

        if (!TryFromBase64NoPadding(parts[1], out byte[]? salt) || salt.Length != SaltSize
            || !TryFromBase64NoPadding(parts[2], out byte[]? hash) || hash.Length < MinStoredHashSize || hash.Length > MaxStoredHashSize)
        {
            return false;
        }

        parsed = new PhcHash(memoryKiB, iterations, parallelism, salt, hash);
        return true;
    }

    private static bool TryParseParameter(string text, string name, int min, int max, out int value)
    {
        value = 0;
        return text.StartsWith(name, StringComparison.Ordinal)
            && text.Length - name.Length is >= 1 and <= 10
            && int.TryParse(text.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min
            && value <= max;
    }

    private static Argon2id CreateAlgorithm(int memoryKiB, int iterations, int parallelism) =>
        PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            MemorySize = memoryKiB,
            NumberOfPasses = iterations,
            DegreeOfParallelism = parallelism,
        });

    /// <summary>
    /// At most one derivation per core at a time, process-wide. Argon2id is pure CPU plus its memory (19 MiB each with
    /// the defaults): more derivations than cores finish no sooner, but each holds its memory meanwhile, so 16 logins at
    /// once on 2 cores held ~300 MiB of hash memory (bench/: peak RSS). Waiting here costs a blocked thread, not memory.
    /// Known and unknown user IDs pass the same gate, so it changes no timing between them.
    /// </summary>
    private static readonly SemaphoreSlim Gate = new(Environment.ProcessorCount, Environment.ProcessorCount);

    private static void Derive(Argon2id algorithm, string secret, byte[] salt, byte[] output, int memoryKiB, int iterations, int parallelism)
    {
        byte[] secretBytes = Encoding.UTF8.GetBytes(secret);
        Gate.Wait();
        try
        {
            if (Argon2idAvx2.IsSupported && Argon2idAvx2.SupportsTagLength(output.Length))
            {
                // The same Argon2id over memory kept between hashes (Argon2idAvx2: libsodium maps and unmaps it each time).
                long words = (long)Argon2idAvx2.BlockCount(memoryKiB, parallelism) * Argon2idAvx2.BlockWords;
                Argon2Workspace.Use(words, (memory, length) =>
                {
                    unsafe
                    {
                        Argon2idAvx2.Derive(secretBytes, salt, [], [], memoryKiB, iterations, parallelism, output,
                            new Span<ulong>((void*)memory, checked((int)length)));
                    }
                });
            }
            else
            {
                algorithm.DeriveBytes(secretBytes, salt, output);
            }
        }
        finally
        {
            Gate.Release();
            CryptographicOperations.ZeroMemory(secretBytes);
        }
    }

    private static string ToBase64NoPadding(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromBase64NoPadding(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        // Only the standard alphabet without padding (PHC); Convert would also skip whitespace and '='.
        if (text.Length == 0 || text.Length % 4 == 1 || text.Length > 128)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        string padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        byte[] buffer = new byte[(padded.Length / 4) * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out int written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    /// <summary>The parts of a stored PHC string.</summary>
    internal readonly record struct PhcHash(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);
}
