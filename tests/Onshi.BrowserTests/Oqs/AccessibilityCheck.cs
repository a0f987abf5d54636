using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) over the whole page with the WCAG 2.x A/AA and best-practice rules. A screen
/// passes when no violation is serious or critical; the rest are reported in the screenshot index.
/// </summary>
public static class AccessibilityCheck
{
    private static readonly AxeRunOptions Options = new()
    {
        RunOnly = new RunOnlyOptions
        {
            Type = "tag",
            Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
        },
    };

    public static async Task<Result> RunAsync(IPage page)
    {
        var result = await page.RunAxe(Options);
        var blocking = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target?.ToString() ?? "")))}")
            .ToList();
        var minor = result.Violations.Length - blocking.Count;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{result.Passes.Length} rules passed, {blocking.Count} serious/critical, {minor} minor{(minor > 0 ? " (" + string.Join(", ", result.Violations.Where(v => v.Impact is not ("serious" or "critical")).Select(v => v.Id)) + ")" : "")}");
        return new Result(blocking, summary);
    }

    public sealed record Result(IReadOnlyList<string> Blocking, string Summary);
}
