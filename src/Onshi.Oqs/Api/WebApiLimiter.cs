using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Onshi.Oqs.Api;

/// <summary>
/// The Web API's rate limits (issue 16): a token bucket per terminal certificate and one per token, in this instance's memory
/// (each instance behind the load balancer counts its own share). A refused request is answered 429 with the message's error.
/// </summary>
public sealed class WebApiLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> certificates;
    private readonly PartitionedRateLimiter<string> tokens;

    public WebApiLimiter(IOptions<WebApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        certificates = Bucket(o.CertificateRequestsPerSecond, o.CertificateBurst);
        tokens = Bucket(o.TokenRequestsPerSecond, o.TokenBurst);
    }

    /// <summary>Takes a request of the certificate <paramref name="thumbprint"/>; false when over its rate.</summary>
    public bool AdmitCertificate(string thumbprint) => Admit(certificates, thumbprint);

    /// <summary>Takes a request of a token (by its session, never the token itself); false when over its rate.</summary>
    public bool AdmitToken(long sessionId) => Admit(tokens, sessionId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        certificates.Dispose();
        tokens.Dispose();
    }

    private static bool Admit(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    private static PartitionedRateLimiter<string> Bucket(int perSecond, int burst) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = Math.Max(1, perSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);
}
