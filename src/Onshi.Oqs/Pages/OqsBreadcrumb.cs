using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>
/// The OQS breadcrumb (issue 14, item 8): every signed-in page leads back to メニュー, then through the screens above it.
/// Pass the steps after メニュー as label/href pairs, the current page last (its href null).
/// </summary>
public static class OqsBreadcrumb
{
    public const string MenuLabel = "メニュー";

    public static IReadOnlyList<Crumb> Of(params (string Label, string? Href)[] steps) =>
        [new Crumb(MenuLabel, "/Menu"), .. steps.Select(s => new Crumb(s.Label, s.Href))];

    /// <summary>メニュー › <paramref name="title"/>.</summary>
    public static IReadOnlyList<Crumb> Page(string title) => Of((title, null));
}
