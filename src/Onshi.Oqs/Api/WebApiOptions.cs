namespace Onshi.Oqs.Api;

/// <summary>The Web API's limits (<c>Onshi:WebApi</c>). The rates are per instance.</summary>
public sealed class WebApiOptions
{
    public const string SectionName = "Onshi:WebApi";

    /// <summary>Requests per second one token may make (a token bucket refilled this fast). Defaults to 20.</summary>
    public int TokenRequestsPerSecond { get; set; } = 20;

    /// <summary>The bucket of one token: how many requests may come at once after a pause. Defaults to 40.</summary>
    public int TokenBurst { get; set; } = 40;

    /// <summary>Requests per second from one terminal certificate, whatever the token. Defaults to 50.</summary>
    public int CertificateRequestsPerSecond { get; set; } = 50;

    /// <summary>The bucket of one terminal certificate. Defaults to 100.</summary>
    public int CertificateBurst { get; set; } = 100;

    /// <summary>The largest body of <c>auth</c>, <c>search</c> and the bulk result request. Defaults to 64 KiB.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The largest body of a 一括照会 (10,000 patients take about 3.5 MB of JSON). Defaults to 16 MiB.</summary>
    public long MaxBulkBodyBytes { get; set; } = 16 * 1024 * 1024;
}
