using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Onshi.Core.Data;

namespace Onshi.Core.Features.Passwords;

/// <summary>Registers the password feature.</summary>
public static class PasswordsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PasswordOptions"/> (section <c>Onshi:Passwords</c>, validated at start), the
    /// <see cref="Argon2idPasswordHasher"/> (also as <see cref="IPasswordHasher{Account}"/>), the
    /// <see cref="PasswordPolicy"/> and the <see cref="PasswordGenerator"/>, all singletons.
    /// Call it before anything that registers another <see cref="IPasswordHasher{TUser}"/> with TryAdd.
    /// </summary>
    public static IServiceCollection AddOnshiPasswords(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<PasswordOptions>()
            .BindConfiguration(PasswordOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PasswordOptions>, PasswordOptionsValidator>());

        services.TryAddSingleton<Argon2idPasswordHasher>();
        services.TryAddSingleton<IPasswordHasher<Account>>(static sp => sp.GetRequiredService<Argon2idPasswordHasher>());
        services.TryAddSingleton<PasswordPolicy>();
        services.TryAddSingleton<PasswordGenerator>();
        return services;
    }
}
