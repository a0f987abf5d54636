using Shouldly;

namespace Onshi.IntegrationTests.Infrastructure;

/// <summary>Waits for what a background service does on its own (the session sweep, a job): polls until true, or fails after 20 s.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, because);
            await Task.Delay(50);
        }
    }
}
