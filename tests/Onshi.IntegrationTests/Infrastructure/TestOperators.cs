using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Operators;
using Shouldly;

namespace Onshi.IntegrationTests.Infrastructure;

/// <summary>Operators of the console for tests that call its services directly (the review services check the role themselves).</summary>
public static class TestOperators
{
    /// <summary>The client address the tests' operator actors claim.</summary>
    public const string ClientAddress = "127.0.0.1";

    /// <summary>
    /// A new operator created through <see cref="OperatorCreationService"/> (as <c>onshi operator add</c> does) in the
    /// database of <paramref name="services"/>, as the actor of its calls.
    /// </summary>
    public static async Task<OperatorActor> CreateAsync(IServiceProvider services, string userId, OperatorRole role)
    {
        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync(userId, "運用 " + userId, role, "test");
        created.Succeeded.ShouldBeTrue(string.Join(" / ", created.Errors.Select(e => e.Message)));
        var id = await scope.ServiceProvider.GetRequiredService<OnshiDbContext>().OperatorAccounts.AsNoTracking()
            .Where(o => o.UserId == userId).Select(o => o.Id).SingleAsync();
        return new OperatorActor(id, ClientAddress);
    }

    /// <summary>The actor of an operator that already exists (e.g. the demo's <c>op-demo</c>).</summary>
    public static async Task<OperatorActor> ExistingAsync(IServiceProvider services, string userId)
    {
        await using var scope = services.CreateAsyncScope();
        var id = await scope.ServiceProvider.GetRequiredService<OnshiDbContext>().OperatorAccounts.AsNoTracking()
            .Where(o => o.UserId == userId).Select(o => o.Id).SingleAsync();
        return new OperatorActor(id, ClientAddress);
    }
}
