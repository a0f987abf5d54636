using System.Reflection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Hosting;

/// <summary>
/// A log pipeline alerts and counts by event id (docs/operations.md), so one id names one event in every assembly of the
/// product: two events under one id (as the job worker's and the cache's once were) would be counted as each other.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly string[] Assemblies = ["Onshi.Core", "Onshi.Web", "Onshi.Oqs", "Onshi.Portal", "Onshi.Operator", "onshi"];

    [Fact]
    public void EveryLoggedEvent_HasAnIdOfItsOwn()
    {
        var events = Assemblies
            .Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        events.Count.ShouldBeGreaterThan(20, "the scan found the product's log events");
        events.ShouldAllBe(e => e.Attribute!.EventId > 0, "every event has an id a pipeline can match");
        var shared = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToList();
        shared.ShouldBeEmpty();
    }
}
