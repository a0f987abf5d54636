using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Onshi.Core.Data;
using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

using PasswordOptions = Onshi.Core.Features.Passwords.PasswordOptions;

namespace Onshi.UnitTests.Features.Passwords;

public sealed class PasswordOptionsValidatorTests
{
    private readonly PasswordOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        _validator.Validate(null, new PasswordOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Validate_StrongerThanDefaults_Succeeds()
    {
        PasswordOptions options = new()
        {
            MinLength = 12,
            MaxLength = 256,
            GeneratedLength = 16,
            Argon2 = new Argon2Options { MemoryKiB = 65536, Iterations = 3 },
        };

        _validator.Validate(null, options).Succeeded.ShouldBeTrue();
    }

    public static TheoryData<string, Action<PasswordOptions>> WeakSettings => new()
    {
        { "MinLength", static o => o.MinLength = 6 },
        { "MaxLength", static o => o.MaxLength = 32 },
        { "GeneratedLength", static o => o.GeneratedLength = 6 },
        { "GeneratedLength", static o => o.MinLength = 10 },
        { "ExpiryDays", static o => o.ExpiryDays = 0 },
        { "HistoryCount", static o => o.HistoryCount = -1 },
        { "TemporaryPasswordValidity", static o => o.TemporaryPasswordValidity = TimeSpan.Zero },
        { "MemoryKiB", static o => o.Argon2.MemoryKiB = 4096 },
        { "Iterations", static o => o.Argon2.Iterations = 1 },
        { "Parallelism", static o => o.Argon2.Parallelism = 4 },
        { "MachineSecretLength", static o => o.MachineSecretLength = 12 },
        { "MachineSecretLength", static o => o.MachineSecretLength = 129 },
        { "MachineSecretRotationGrace", static o => o.MachineSecretRotationGrace = TimeSpan.Zero },
        { "MachineSecretRotationGrace", static o => o.MachineSecretRotationGrace = TimeSpan.FromDays(91) },
    };

    [Fact]
    public void Defaults_MachineSecret_TwentyCharacters_SevenDaysOfGrace()
    {
        PasswordOptions options = new();
        options.MachineSecretLength.ShouldBe(20);
        options.MachineSecretRotationGrace.ShouldBe(TimeSpan.FromDays(7));
    }

    [Theory]
    [MemberData(nameof(WeakSettings))]
    public void Validate_WeakSetting_FailsNamingIt(string setting, Action<PasswordOptions> weaken)
    {
        PasswordOptions options = new();
        weaken(options);

        ValidateOptionsResult result = _validator.Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(setting);
    }

    [Fact]
    public void AddOnshiPasswords_FromConfiguration_BindsAndRegistersOneHasher()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Onshi:Passwords:MinLength"] = "10",
            ["Onshi:Passwords:GeneratedLength"] = "10",
            ["Onshi:Passwords:TemporaryPasswordValidity"] = "3.00:00:00",
            ["Onshi:Passwords:Argon2:Iterations"] = "3",
        });

        PasswordOptions options = provider.GetRequiredService<IOptions<PasswordOptions>>().Value;
        options.MinLength.ShouldBe(10);
        options.TemporaryPasswordValidity.ShouldBe(TimeSpan.FromDays(3));
        options.Argon2.Iterations.ShouldBe(3);
        options.Argon2.MemoryKiB.ShouldBe(19456);
        provider.GetRequiredService<IPasswordHasher<Account>>().ShouldBeSameAs(provider.GetRequiredService<Argon2idPasswordHasher>());
        provider.GetRequiredService<PasswordGenerator>().Generate().Length.ShouldBe(10);
        provider.GetRequiredService<PasswordPolicy>().ShouldNotBeNull();
    }

    [Fact]
    public void AddOnshiPasswords_WeakConfiguration_ThrowsOnFirstUse()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?> { ["Onshi:Passwords:MinLength"] = "4" });

        OptionsValidationException exception = Should.Throw<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<PasswordOptions>>().Value);
        exception.Message.ShouldContain("MinLength");
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        ServiceCollection services = new();
        services.AddSingleton(configuration);
        services.AddOnshiPasswords();
        return services.BuildServiceProvider();
    }
}
