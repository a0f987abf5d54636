using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// Refuses <see cref="PasswordOptions"/> weaker than the guideline or OWASP allow, so a bad configuration
/// stops the application at start instead of quietly weakening every account. Messages are for operators.
/// </summary>
public sealed class PasswordOptionsValidator : IValidateOptions<PasswordOptions>
{
    /// <summary>The guideline's minimum length; no configuration may go below it.</summary>
    internal const int AbsoluteMinLength = 8;

    /// <summary>The smallest maximum length allowed (NIST SP 800-63B: at least 64).</summary>
    internal const int SmallestMaxLength = 64;

    /// <summary>A ceiling on the maximum length, so a single login cannot make us hash megabytes.</summary>
    internal const int LargestMaxLength = 1024;

    /// <summary>The guideline's length from which a password need not expire: a machine secret is never shorter.</summary>
    internal const int MinMachineSecretLength = 13;

    internal const int MinMemoryKiB = 19456;

    internal const int MinIterations = 2;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PasswordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];

        if (options.MinLength < AbsoluteMinLength)
        {
            failures.Add($"Onshi:Passwords:MinLength must be at least {AbsoluteMinLength}.");
        }

        if (options.MaxLength < SmallestMaxLength || options.MaxLength > LargestMaxLength)
        {
            failures.Add($"Onshi:Passwords:MaxLength must be between {SmallestMaxLength} and {LargestMaxLength}.");
        }

        if (options.MaxLength < options.MinLength)
        {
            failures.Add("Onshi:Passwords:MaxLength must not be less than MinLength.");
        }

        if (options.ExpiryDays < 1)
        {
            failures.Add("Onshi:Passwords:ExpiryDays must be at least 1.");
        }

        if (options.NonExpiringLength < options.MinLength)
        {
            failures.Add("Onshi:Passwords:NonExpiringLength must not be less than MinLength.");
        }

        if (options.HistoryCount < 0 || options.HistoryCount > 24)
        {
            failures.Add("Onshi:Passwords:HistoryCount must be between 0 and 24.");
        }

        if (options.GeneratedLength < AbsoluteMinLength
            || options.GeneratedLength < options.MinLength
            || options.GeneratedLength > options.MaxLength)
        {
            failures.Add("Onshi:Passwords:GeneratedLength must be at least 8, at least MinLength and at most MaxLength.");
        }

        if (options.MachineSecretLength < MinMachineSecretLength
            || options.MachineSecretLength < options.MinLength
            || options.MachineSecretLength > options.MaxLength)
        {
            failures.Add($"Onshi:Passwords:MachineSecretLength must be at least {MinMachineSecretLength}, at least MinLength and at most MaxLength.");
        }

        if (options.MachineSecretRotationGrace <= TimeSpan.Zero || options.MachineSecretRotationGrace > TimeSpan.FromDays(90))
        {
            failures.Add("Onshi:Passwords:MachineSecretRotationGrace must be more than zero and at most 90 days.");
        }

        if (options.ExpiryWarningPeriod < TimeSpan.Zero || options.ExpiryWarningPeriod > TimeSpan.FromDays(90))
        {
            failures.Add("Onshi:Passwords:ExpiryWarningPeriod must be between zero and 90 days.");
        }

        if (options.TemporaryPasswordValidity <= TimeSpan.Zero || options.TemporaryPasswordValidity > TimeSpan.FromDays(90))
        {
            failures.Add("Onshi:Passwords:TemporaryPasswordValidity must be more than zero and at most 90 days.");
        }

        if (options.Argon2 is not { } argon2)
        {
            failures.Add("Onshi:Passwords:Argon2 must be set.");
        }
        else
        {
            if (argon2.MemoryKiB < MinMemoryKiB || argon2.MemoryKiB > Argon2idPasswordHasher.MaxMemoryKiB)
            {
                failures.Add($"Onshi:Passwords:Argon2:MemoryKiB must be between {MinMemoryKiB} and {Argon2idPasswordHasher.MaxMemoryKiB}.");
            }

            if (argon2.Iterations < MinIterations || argon2.Iterations > Argon2idPasswordHasher.MaxIterations)
            {
                failures.Add($"Onshi:Passwords:Argon2:Iterations must be between {MinIterations} and {Argon2idPasswordHasher.MaxIterations}.");
            }

            if (argon2.Parallelism != 1)
            {
                failures.Add("Onshi:Passwords:Argon2:Parallelism must be 1 (libsodium supports no other value).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
