using Onshi.Core.Data;

namespace Onshi.Web.Hosting;

/// <summary>How one Onshi process runs: where its data is, which database, which environment, which ports.</summary>
public sealed class OnshiSettings
{
    /// <summary>The data directory (database file, CA, keys, outbox). Defaults to <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// A file holding the master key (base64 or hex); overrides <c>ONSHI_MASTER_KEY</c>/<c>ONSHI_MASTER_KEY_FILE</c>.
    /// Null: those variables, or the demo default <c>DATA.master-key</c> beside the data directory.
    /// </summary>
    public string? MasterKeyFile { get; set; }

    /// <summary><c>sqlite</c> (default, a file in the data directory) or <c>postgres</c>.</summary>
    public string DatabaseProvider { get; set; } = "sqlite";

    /// <summary>The connection string; for SQLite defaults to <c>DATA/onshi.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The environment this deployment serves. Defaults to 本番環境.</summary>
    public OqsEnvironment Environment { get; set; } = OqsEnvironment.Production;

    /// <summary>The address the sites listen on. Defaults to loopback.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The OQS's HTTPS port (mutual TLS). 0 picks a free one. Defaults to 8443.</summary>
    public int OqsPort { get; set; } = 8443;

    /// <summary>Host names the server certificate must cover besides localhost and loopback.</summary>
    public IList<string> HostNames { get; } = [];

    /// <summary>
    /// Addresses or CIDR ranges of the TLS proxies whose forwarded headers are believed (<c>onshi serve --trusted-proxy</c>);
    /// added to <see cref="TrustedProxyOptions.TrustedProxies"/> (<c>Onshi:Proxy:TrustedProxies</c>). Empty: none.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>How the logs are written: <see cref="LogFormat.Human"/> lines (default) or JSON lines for a log pipeline.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Human;

    /// <summary>
    /// The readiness of this process, shared by its sites and its operations endpoint (<see cref="Operations.OperationsEndpoint"/>):
    /// state, not a setting, kept here because every site of one process is built from the same settings.
    /// </summary>
    public Operations.OnshiReadiness Readiness { get; } = new();

    public string ResolveConnectionString() =>
        ConnectionString ?? $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "onshi.db")};Foreign Keys=True;Pooling=True";
}
