namespace Onshi.Web.Hosting;

/// <summary>
/// What the shared layout shows of whoever is signed in to the current site: a few short labels (institution, user
/// ID, role) and where its ログアウト form posts. Each site sets it as a request feature after validating its session.
/// </summary>
public sealed record SignedInUser(IReadOnlyList<string> Labels, string LogoutPath, string? TestId = null);

/// <summary>
/// One step of a page's breadcrumb (パンくずリスト), set by a page as <c>ViewData["Breadcrumb"]</c> (a list, the current page
/// last, its <see cref="Href"/> null) and drawn by the shared layout above the page.
/// </summary>
public sealed record Crumb(string Label, string? Href = null);
