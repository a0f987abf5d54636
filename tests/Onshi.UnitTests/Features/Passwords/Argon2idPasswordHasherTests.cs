using System.Diagnostics;

using Microsoft.AspNetCore.Identity;

using Onshi.Core.Data;
using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Passwords;

public sealed class Argon2idPasswordHasherTests
{
    // Made with the Argon2 reference implementation (Debian `argon2`), so our hashes interoperate:
    // echo -n "correct horse" | argon2 "onshi-salt-16byt" -id -t 2 -k 19456 -p 1 -l 32 -e
    private const string ReferenceHash = "$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y";

    // Same secret and salt with weaker parameters (m=8192, t=1).
    private const string WeakReferenceHash = "$argon2id$v=19$m=8192,t=1,p=1$b25zaGktc2FsdC0xNmJ5dA$ToYgUey+qMHagcef6q+ff6pTnd5t25F7TdF2UP/OufI";

    // A 秘密の番号 "1357", hashed like a password.
    private const string SecretNumberHash = "$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$dPejO7PzKuJF2G7OeLvkZJ4JEHgHgbsWKxdwMLjI7cg";

    private readonly Argon2idPasswordHasher _hasher = PasswordTestOptions.Hasher();

    [Fact]
    public void Verify_HashOfSamePassword_Success()
    {
        string hash = _hasher.Hash("Sakura#Clinic-2025");

        _hasher.Verify(hash, "Sakura#Clinic-2025").ShouldBe(PasswordVerificationResult.Success);
    }

    [Fact]
    public void Verify_WrongPassword_Failed()
    {
        string hash = _hasher.Hash("Sakura#Clinic-2025");

        _hasher.Verify(hash, "sakura#Clinic-2025").ShouldBe(PasswordVerificationResult.Failed);
        _hasher.Verify(hash, "").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Hash_SamePasswordTwice_DifferentSalts()
    {
        _hasher.Hash("Sakura#Clinic-2025").ShouldNotBe(_hasher.Hash("Sakura#Clinic-2025"));
    }

    [Fact]
    public void Hash_Default_PhcStringWithCurrentParameters()
    {
        string hash = _hasher.Hash("Sakura#Clinic-2025");

        hash.ShouldMatch(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$");
        Argon2idPasswordHasher.TryParse(hash, out Argon2idPasswordHasher.PhcHash parsed).ShouldBeTrue();
        parsed.MemoryKiB.ShouldBe(19456);
        parsed.Iterations.ShouldBe(2);
        parsed.Parallelism.ShouldBe(1);
        parsed.Salt.Length.ShouldBe(16);
        parsed.Hash.Length.ShouldBe(32);
    }

    [Fact]
    public void Hash_StrongerOptions_ParametersWrittenInHash()
    {
        Argon2idPasswordHasher stronger = PasswordTestOptions.Hasher(o => o.Argon2 = new Argon2Options { MemoryKiB = 32768, Iterations = 3 });

        stronger.Hash("Sakura#Clinic-2025").ShouldStartWith("$argon2id$v=19$m=32768,t=3,p=1$");
    }

    [Fact]
    public void Verify_ReferenceImplementationHash_Success()
    {
        _hasher.Verify(ReferenceHash, "correct horse").ShouldBe(PasswordVerificationResult.Success);
        _hasher.Verify(ReferenceHash, "correct horse!").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verify_SecretNumberHash_Success()
    {
        _hasher.Verify(SecretNumberHash, "1357").ShouldBe(PasswordVerificationResult.Success);
        _hasher.Verify(SecretNumberHash, "１３５７").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verify_HashWithWeakerParameters_SuccessRehashNeeded()
    {
        _hasher.Verify(WeakReferenceHash, "correct horse").ShouldBe(PasswordVerificationResult.SuccessRehashNeeded);
        _hasher.Verify(WeakReferenceHash, "wrong horse").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verify_OptionsRaisedAfterHashing_SuccessRehashNeeded()
    {
        string hash = _hasher.Hash("Sakura#Clinic-2025");
        Argon2idPasswordHasher raised = PasswordTestOptions.Hasher(o => o.Argon2.Iterations = 3);

        raised.Verify(hash, "Sakura#Clinic-2025").ShouldBe(PasswordVerificationResult.SuccessRehashNeeded);
    }

    [Fact]
    public void Verify_HashStrongerThanOptions_SuccessWithoutRehash()
    {
        Argon2idPasswordHasher stronger = PasswordTestOptions.Hasher(o => o.Argon2.Iterations = 3);
        string hash = stronger.Hash("Sakura#Clinic-2025");

        _hasher.Verify(hash, "Sakura#Clinic-2025").ShouldBe(PasswordVerificationResult.Success);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("AQAAAAIAAYagAAAAEHy5pJ9s0B2pLpJ0xm2m5p1v3w==")] // ASP.NET Identity v3 format
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=4$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=99999999999,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=19456,t=0,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=-1,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$t=2,m=19456,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$c2hvcnQ$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")] // 5-byte salt
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA==$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")] // padding
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DEC Cj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$4DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y$extra")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$b25zaGktc2FsdC0xNmJ5dA$４DECCj0fnzQcs4z222z7DZZi6TlkSGZ9oO1Szxpr+/Y")]
    public void Verify_MalformedOrUnsupportedHash_FailedWithoutThrowing(string? hash)
    {
        _hasher.Verify(hash, "correct horse").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void VerifyHashedPassword_ThroughIdentityInterface_SameAsVerify()
    {
        Account account = new() { UserId = "SAMPLE01", NormalizedUserId = "SAMPLE01", DisplayName = "受付 花子" };

        string hash = ((IPasswordHasher<Account>)_hasher).HashPassword(account, "Sakura#Clinic-2025");

        ((IPasswordHasher<Account>)_hasher).VerifyHashedPassword(account, hash, "Sakura#Clinic-2025").ShouldBe(PasswordVerificationResult.Success);
        ((IPasswordHasher<Account>)_hasher).VerifyHashedPassword(account, hash, "Sakura#Clinic-2024").ShouldBe(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void VerifyDummy_ComparedWithRealVerification_TakesComparableTime()
    {
        string hash = _hasher.Hash("Sakura#Clinic-2025");
        _hasher.VerifyDummy("warm-up");
        List<double> real = [];
        List<double> dummy = [];
        List<double> malformed = [];

        // Interleaved, so load from other processes hits all three alike; medians ignore outliers.
        for (int i = 0; i < 7; i++)
        {
            real.Add(Time(() => _hasher.Verify(hash, "wrong password")));
            dummy.Add(Time(() => _hasher.VerifyDummy("wrong password")));
            malformed.Add(Time(() => _hasher.Verify("", "wrong password")));
        }

        (Median(dummy) / Median(real)).ShouldBeInRange(0.4, 2.5);
        (Median(malformed) / Median(real)).ShouldBeInRange(0.4, 2.5);
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted[sorted.Count / 2];
    }
}
