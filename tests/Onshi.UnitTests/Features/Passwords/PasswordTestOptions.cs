using Microsoft.Extensions.Options;

using Onshi.Core.Features.Passwords;

namespace Onshi.UnitTests.Features.Passwords;

/// <summary>Builds the password services the way DI does, with optional changes to the defaults.</summary>
internal static class PasswordTestOptions
{
    public static IOptions<PasswordOptions> Create(Action<PasswordOptions>? configure = null)
    {
        PasswordOptions options = new();
        configure?.Invoke(options);
        return Options.Create(options);
    }

    public static Argon2idPasswordHasher Hasher(Action<PasswordOptions>? configure = null) => new(Create(configure));

    public static PasswordPolicy Policy(Action<PasswordOptions>? configure = null)
    {
        IOptions<PasswordOptions> options = Create(configure);
        return new PasswordPolicy(options, new Argon2idPasswordHasher(options));
    }

    public static PasswordGenerator Generator(Action<PasswordOptions>? configure = null)
    {
        IOptions<PasswordOptions> options = Create(configure);
        return new PasswordGenerator(options, new PasswordPolicy(options, new Argon2idPasswordHasher(options)));
    }
}
