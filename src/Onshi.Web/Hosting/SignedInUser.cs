namespace Onshi.Web.Hosting;

/// <summary>
/// What the shared layout shows of whoever is signed in to the current site: a few short labels (institution, user
/// ID, role) and where its ログアウト form posts. Each site sets it as a request feature after validating its session.
/// </summary>
public sealed record SignedInUser(IReadOnlyList<string> Labels, string LogoutPath, string? TestId = null);
