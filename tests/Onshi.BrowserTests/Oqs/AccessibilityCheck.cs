using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) over the whole page with the WCAG 2.x A/AA and best-practice rules. A screen
/// passes when no violation is serious or critical; the rest are reported in the screenshot index. Our own form rules
/// are checked on the same screens (<see cref="FormRulesScript"/>): axe cannot know them.
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

    /// <summary>
    /// The DADS form pattern as the page must carry it: every error-summary link names an element that exists; every
    /// control with aria-invalid=true is described by an existing element holding error text; every aria-describedby
    /// and aria-labelledby id exists; every table is named by a caption or aria-labelledby.
    /// </summary>
    private const string FormRulesScript = """
        () => {
          const problems = [];
          const byId = id => document.getElementById(id);
          document.querySelectorAll('.error-summary a[href^="#"]').forEach(a => {
            const id = a.getAttribute('href').slice(1);
            if (!byId(id)) problems.push(`error summary link #${id} has no target`);
          });
          document.querySelectorAll('[aria-invalid="true"]').forEach(c => {
            const ids = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
            if (!ids.some(id => byId(id) && byId(id).classList.contains('field-error')))
              problems.push(`#${c.id} is invalid but not described by its error text`);
          });
          document.querySelectorAll('.field-error').forEach(e => {
            if (!e.id || !document.querySelector(`[aria-describedby~="${e.id}"]`))
              problems.push(`error text "${e.textContent.trim()}" is tied to no control`);
          });
          document.querySelectorAll('[aria-describedby], [aria-labelledby]').forEach(el => {
            for (const attr of ['aria-describedby', 'aria-labelledby'])
              for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean))
                if (!byId(id)) problems.push(`${el.tagName.toLowerCase()}#${el.id} ${attr} names missing #${id}`);
          });
          document.querySelectorAll('table').forEach((t, i) => {
            if (!t.querySelector('caption') && !t.getAttribute('aria-labelledby') && !t.getAttribute('aria-label'))
              problems.push(`table ${i + 1} has no caption or aria-labelledby`);
            t.querySelectorAll('th').forEach(th => { if (!th.getAttribute('scope')) problems.push(`table ${i + 1}: th without scope`); });
          });
          return problems;
        }
        """;

    public static async Task<Result> RunAsync(IPage page)
    {
        var result = await page.RunAxe(Options);
        var blocking = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target?.ToString() ?? "")))}")
            .ToList();
        var minor = result.Violations.Length - blocking.Count;
        blocking.AddRange((await page.EvaluateAsync<string[]>(FormRulesScript)).Select(p => "form rule: " + p));
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{result.Passes.Length} rules passed, {blocking.Count} serious/critical, {minor} minor{(minor > 0 ? " (" + string.Join(", ", result.Violations.Where(v => v.Impact is not ("serious" or "critical")).Select(v => v.Id)) + ")" : "")}");
        return new Result(blocking, summary);
    }

    public sealed record Result(IReadOnlyList<string> Blocking, string Summary);
}
