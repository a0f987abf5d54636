using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Onshi.Bench;

/// <summary>What <c>onshi seed-scale</c> writes to <c>DATA/seed-scale/manifest.json</c> (the parts the load client uses).</summary>
public sealed record SeedManifest(bool Complete, string CaCert, int Institutions, long Accounts, int LargeInstitutions, string Password,
    List<ManifestInstitution> RealCertificateInstitutions)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static SeedManifest Load(string path) =>
        JsonSerializer.Deserialize<SeedManifest>(File.ReadAllText(path), Json)
        ?? throw new InvalidOperationException($"empty manifest {path}");
}

public sealed record ManifestInstitution(int Index, string Code, string PortalEmail, List<ManifestTerminal> Terminals, List<ManifestAccount> Accounts);

public sealed record ManifestTerminal(string Name, string Pfx, string Passphrase);

public sealed record ManifestAccount(string UserId, string Kind, string Password);

/// <summary>Where one Onshi under test answers, and the seeded data the scenarios use.</summary>
public sealed class OnshiTarget(Uri oqs, Uri portal, SeedManifest manifest)
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new();

    public Uri Oqs { get; } = oqs;

    public Uri Portal { get; } = portal;

    public SeedManifest Manifest { get; } = manifest;

    public X509Certificate2 Ca { get; } = X509CertificateLoader.LoadCertificateFromFile(manifest.CaCert);

    public X509Certificate2 Terminal(ManifestTerminal t) =>
        _certificates.GetOrAdd(t.Pfx, _ => X509CertificateLoader.LoadPkcs12FromFile(t.Pfx, t.Passphrase));

    /// <summary>A user at a terminal of the institution (T0001 or T0002 by <paramref name="worker"/>).</summary>
    public BenchUser UserAt(ManifestInstitution institution, int worker) =>
        new(BenchHttp.CreateClient(Oqs, Ca, Terminal(institution.Terminals[worker % institution.Terminals.Count])));

    public ManifestInstitution Large => Manifest.RealCertificateInstitutions.FirstOrDefault(i => i.Index == 0 && Manifest.LargeInstitutions > 0)
        ?? throw new InvalidOperationException("the database needs --large-institutions ≥ 1 and --real-certificates ≥ 1");

    /// <summary>GET /Login, POST the credentials, follow to the menu; throws unless the menu is reached.</summary>
    public static async Task LoginAsync(BenchUser user, string userId, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var form = await user.GetAsync("/Login", ct);
        Expect(form, 200, "GET /Login");
        var posted = await user.PostAsync("/Login", [new("Input.UserId", userId), new("Input.Password", password), new("__af", BenchUser.FormToken(form, "__af"))], ct);
        if (posted.Status != 302 || posted.Location != "/Menu")
        {
            throw new BenchException($"login of {userId}: {posted.Status} → {posted.Location ?? "(no redirect)"}");
        }

        var menu = await user.GetAsync("/Menu", ct);
        Expect(menu, 200, "GET /Menu");
    }

    public static void Expect(BenchResponse r, int status, string what)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Status != status)
        {
            throw new BenchException($"{what}: {r.Status}{(r.Location is null ? "" : " → " + r.Location)}, expected {status}");
        }
    }
}

/// <summary>
/// Onshi login: a fresh cookie jar each time (a new browser session on the same connection), GET /Login with its
/// antiforgery token, POST the credentials, GET /Menu. Worker w logs in at institution w mod K with its own accounts
/// (none shared between workers; the general accounts of the 200-account institution are left to パスワード初期化).
/// </summary>
public sealed class OnshiLoginScenario(OnshiTarget target) : IScenario
{
    public string Name => "login";

    public int RequestsPerOperation => 3;

    public Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var institutions = target.Manifest.RealCertificateInstitutions;
        var k = institutions.Count;
        var institution = institutions[worker % k];
        var sharing = (concurrency - (worker % k) + k - 1) / k;
        var share = worker / k;
        var all = institution.Accounts
            .Where(a => a.Kind != "reset" && !(institution.Index < target.Manifest.LargeInstitutions && a.Kind == "general"))
            .ToList();
        var mine = all.Where((_, i) => i % sharing == share).ToList();
        if (mine.Count == 0)
        {
            throw new InvalidOperationException($"institution {institution.Index} has too few accounts for {sharing} workers; seed more --real-certificates");
        }

        var user = target.UserAt(institution, share);
        var next = 0;
        return Task.FromResult(new BenchWorker(async ct2 =>
        {
            var account = mine[next++ % mine.Count];
            user.ClearCookies();
            await OnshiTarget.LoginAsync(user, account.UserId, account.Password, ct2);
        }, user));
    }
}

/// <summary>
/// アカウント管理（更新） search by the master of the 200-account institution: <c>/Accounts?search=1&amp;Kind=K</c>,
/// page 1 (20 rows). Kind 0 (全て) = 20 of 200; Kind 4 (一般) = 20 of 141, the 権限区分 query.
/// </summary>
public sealed class OnshiSearchScenario(OnshiTarget target, int kind, string name) : IScenario
{
    public string Name => name;

    public int RequestsPerOperation => 1;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var institution = target.Large;
        var user = target.UserAt(institution, worker);
        var master = institution.Accounts.First(a => a.Kind == "master");
        await OnshiTarget.LoginAsync(user, master.UserId, master.Password, ct);
        var path = $"/Accounts?search=1&Kind={kind}";
        return new BenchWorker(async ct2 =>
        {
            var page = await user.GetAsync(path, ct2);
            OnshiTarget.Expect(page, 200, "GET " + path);
            if (!page.Body.Contains("data-testid=\"count\">1~20 件目", StringComparison.Ordinal))
            {
                throw new BenchException("search page without its 20 rows");
            }
        }, user);
    }
}

/// <summary>
/// パスワード初期化 round trip by the master of the 200-account institution: GET the account's detail, GET the
/// confirmation page, POST it (a new temporary password, one Argon2id hash, session ends, audit), GET the result
/// dialog. Targets are the institution's general accounts, split between workers.
/// </summary>
public sealed partial class OnshiInitializeScenario(OnshiTarget target) : IScenario
{
    private readonly Lock _gate = new();
    private Task<List<long>>? _targets;

    public string Name => "password-init";

    public int RequestsPerOperation => 4;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var institution = target.Large;
        var user = target.UserAt(institution, worker);
        var master = institution.Accounts.First(a => a.Kind == "master");
        await OnshiTarget.LoginAsync(user, master.UserId, master.Password, ct);
        var targets = await TargetsAsync(user, ct);
        var mine = targets.Where((_, i) => i % concurrency == worker).ToList();
        if (mine.Count == 0)
        {
            throw new InvalidOperationException("too few general accounts for the workers");
        }

        var next = 0;
        return new BenchWorker(async ct2 =>
        {
            var id = mine[next++ % mine.Count];
            OnshiTarget.Expect(await user.GetAsync($"/Accounts/Detail/{id}", ct2), 200, "GET detail");
            var confirm = await user.GetAsync($"/Accounts/InitializePassword/{id}", ct2);
            OnshiTarget.Expect(confirm, 200, "GET InitializePassword");
            var posted = await user.PostAsync($"/Accounts/InitializePassword/{id}", [new("__af", BenchUser.FormToken(confirm, "__af"))], ct2);
            if (posted.Status != 302 || posted.Location != "/Accounts/Issued")
            {
                throw new BenchException($"POST InitializePassword: {posted.Status} → {posted.Location}");
            }

            var issued = await user.GetAsync("/Accounts/Issued", ct2);
            OnshiTarget.Expect(issued, 200, "GET Issued");
            if (!issued.Body.Contains("●●●●●●●●", StringComparison.Ordinal))
            {
                throw new BenchException("result dialog without the masked password");
            }
        }, user);
    }

    /// <summary>The general accounts of the institution (their database ids), read once from the search pages by the first worker.</summary>
    private Task<List<long>> TargetsAsync(BenchUser user, CancellationToken ct)
    {
        lock (_gate)
        {
            return _targets ??= CollectAsync(user, ct);
        }
    }

    private static async Task<List<long>> CollectAsync(BenchUser user, CancellationToken ct)
    {
        var found = new List<long>();
        for (var page = 1; page <= 10; page++)
        {
            var r = await user.GetAsync($"/Accounts?search=1&Kind=0&page={page}", ct);
            OnshiTarget.Expect(r, 200, "GET search page");
            foreach (Match m in Row().Matches(r.Body))
            {
                if (m.Groups[1].Value.Contains('G', StringComparison.Ordinal))
                {
                    found.Add(long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return found;
    }

    [GeneratedRegex("<tr data-user-id=\"([^\"]+)\">.*?href=\"/Accounts/Detail/(\\d+)[?\"]", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Row();
}

/// <summary>The portal's マスタアカウント情報 document list, logged in as institution w's contact.</summary>
public sealed class PortalDocumentsScenario(OnshiTarget target) : IScenario
{
    public string Name => "portal-documents";

    public int RequestsPerOperation => 1;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var user = new BenchUser(BenchHttp.CreateClient(target.Portal, target.Ca, null));
        var email = $"contact{worker % target.Manifest.Institutions:D6}@seed-scale.invalid";
        var form = await user.GetAsync("/Account/Login", ct);
        OnshiTarget.Expect(form, 200, "GET portal login");
        var posted = await user.PostAsync("/Account/Login",
            [new("Input.Email", email), new("Input.Password", target.Manifest.Password), new("__af", BenchUser.FormToken(form, "__af"))], ct);
        if (posted.Status != 302)
        {
            throw new BenchException($"portal login of {email}: {posted.Status}");
        }

        return new BenchWorker(async ct2 =>
        {
            var page = await user.GetAsync("/OnlineEligibility/MasterAccount", ct2);
            OnshiTarget.Expect(page, 200, "GET /OnlineEligibility/MasterAccount");
            if (!page.Body.Contains("data-testid=\"documents\"", StringComparison.Ordinal))
            {
                throw new BenchException("document list without documents");
            }
        }, user);
    }
}

/// <summary>Bare Kestrel: GET the form page (antiforgery token rendered), the worker's cookies kept.</summary>
public sealed class BareFormScenario(Uri baseAddress, X509Certificate2 ca, X509Certificate2? clientCertificate) : IScenario
{
    public string Name => "form-page";

    public int RequestsPerOperation => 1;

    public Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var user = new BenchUser(BenchHttp.CreateClient(baseAddress, ca, clientCertificate));
        return Task.FromResult(new BenchWorker(async ct2 =>
        {
            var page = await user.GetAsync("/", ct2);
            OnshiTarget.Expect(page, 200, "GET /");
            _ = BenchUser.FormToken(page, "__RequestVerificationToken");
        }, user));
    }
}

/// <summary>The peer (ASP.NET Core Identity's Razor template): its login, and its authenticated /Identity/Account/Manage.</summary>
public sealed class PeerScenario(Uri baseAddress, X509Certificate2 ca, string email, string password, bool login) : IScenario
{
    public string Name => login ? "login" : "manage-page";

    public int RequestsPerOperation => login ? 3 : 1;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var user = new BenchUser(BenchHttp.CreateClient(baseAddress, ca, null));
        if (login)
        {
            return new BenchWorker(async ct2 =>
            {
                user.ClearCookies();
                await LoginAsync(user, ct2);
            }, user);
        }

        await LoginAsync(user, ct);
        return new BenchWorker(async ct2 =>
        {
            var page = await user.GetAsync("/Identity/Account/Manage", ct2);
            OnshiTarget.Expect(page, 200, "GET /Identity/Account/Manage");
        }, user);
    }

    private async Task LoginAsync(BenchUser user, CancellationToken ct)
    {
        var form = await user.GetAsync("/Identity/Account/Login", ct);
        OnshiTarget.Expect(form, 200, "GET peer login");
        var posted = await user.PostAsync("/Identity/Account/Login",
            [new("Input.Email", email), new("Input.Password", password), new("Input.RememberMe", "false"),
             new("__RequestVerificationToken", BenchUser.FormToken(form, "__RequestVerificationToken"))], ct);
        if (posted.Status != 302 || posted.Location != "/")
        {
            throw new BenchException($"peer login: {posted.Status} → {posted.Location}");
        }

        OnshiTarget.Expect(await user.GetAsync("/", ct), 200, "GET peer /");
    }
}
