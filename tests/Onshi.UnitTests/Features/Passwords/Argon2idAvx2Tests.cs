using System.Security.Cryptography;

using NSec.Cryptography;

using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Passwords;

/// <summary>
/// The managed AVX2 Argon2id (the hasher's path on x64) gives libsodium's bytes: RFC 9106's own test vector (four lanes, a
/// secret and associated data, which libsodium cannot take) and libsodium's hashes of random inputs over the parameters a
/// stored hash may carry.
/// It runs alone: the workspace is process-wide, and the hasher's tests would rent its regions meanwhile.
/// </summary>
[Collection(nameof(Argon2WorkspaceRunsAlone))]
public sealed class Argon2idAvx2Tests
{
    [Fact]
    public void Rfc9106_TestVector()
    {
        Assert.SkipUnless(Argon2idAvx2.IsSupported, "no AVX2 here: the hasher keeps to libsodium");
        var tag = new byte[32];
        Derive(Fill(32, 0x01), Fill(16, 0x02), Fill(8, 0x03), Fill(12, 0x04), memoryKiB: 32, passes: 3, lanes: 4, tag);

        Convert.ToHexStringLower(tag).ShouldBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    [Theory]
    [InlineData(8, 1, 32)]
    [InlineData(64, 1, 32)]
    [InlineData(100, 2, 32)]
    [InlineData(1024, 3, 64)]
    [InlineData(19456, 2, 32)]
    [InlineData(4099, 2, 48)]
    public void SameBytesAsLibsodium(int memoryKiB, int passes, int tagLength)
    {
        Assert.SkipUnless(Argon2idAvx2.IsSupported, "no AVX2 here: the hasher keeps to libsodium");
        for (var round = 0; round < 3; round++)
        {
            var password = RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(0, 80));
            var salt = RandomNumberGenerator.GetBytes(16);
            var expected = new byte[tagLength];
            PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = memoryKiB, NumberOfPasses = passes, DegreeOfParallelism = 1 })
                .DeriveBytes(password, salt, expected);

            var actual = new byte[tagLength];
            Derive(password, salt, [], [], memoryKiB, passes, lanes: 1, actual);

            Convert.ToHexString(actual).ShouldBe(Convert.ToHexString(expected), $"m={memoryKiB} t={passes} password of {password.Length} bytes");
        }
    }

    [Fact]
    public void Workspace_IsClearedAfterEachDerivation_AndGivenBack()
    {
        Assert.SkipUnless(Argon2idAvx2.IsSupported, "no AVX2 here: the hasher keeps to libsodium");
        var words = (long)Argon2idAvx2.BlockCount(64, 1) * Argon2idAvx2.BlockWords;
        IntPtr used = 0;
        Argon2Workspace.Use(words, (memory, length) =>
        {
            used = memory;
            Derive(RandomNumberGenerator.GetBytes(12), RandomNumberGenerator.GetBytes(16), [], [], 64, 1, 1, new byte[32], memory, length);
        });

        // The same region comes back (kept, not mapped again), and it holds zeros, not the derivation's blocks.
        Argon2Workspace.Use(words, (memory, length) =>
        {
            memory.ShouldBe(used);
            unsafe
            {
                new ReadOnlySpan<ulong>((void*)memory, (int)length).ContainsAnyExcept(0UL).ShouldBeFalse();
            }
        });

        Argon2Workspace.Trim(idleOnly: false);
        Argon2Workspace.Allocated.ShouldBe(0);
    }

    private static unsafe void Derive(byte[] password, byte[] salt, byte[] secret, byte[] ad, int memoryKiB, int passes, int lanes, byte[] tag)
    {
        var words = (long)Argon2idAvx2.BlockCount(memoryKiB, lanes) * Argon2idAvx2.BlockWords;
        var memory = new ulong[words];
        Argon2idAvx2.Derive(password, salt, secret, ad, memoryKiB, passes, lanes, tag, memory);
    }

    private static unsafe void Derive(byte[] password, byte[] salt, byte[] secret, byte[] ad, int memoryKiB, int passes, int lanes, byte[] tag,
        IntPtr memory, long length) =>
        Argon2idAvx2.Derive(password, salt, secret, ad, memoryKiB, passes, lanes, tag, new Span<ulong>((void*)memory, (int)length));

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}

[CollectionDefinition(nameof(Argon2WorkspaceRunsAlone), DisableParallelization = true)]
public sealed class Argon2WorkspaceRunsAlone;
