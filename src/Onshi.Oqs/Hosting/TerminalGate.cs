using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Login;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Hosting;

/// <summary>The certificate problem of a request turned away, for the error page.</summary>
public sealed record CertificateProblem(CertificateCheckStatus Status);

/// <summary>
/// Every request but the static assets must come from a terminal with a valid, unrevoked certificate of our CA that
/// this system issued. Others see the certificate error page (never a bare TLS failure), and the refusal is audited.
/// Revocation is read from the database on every request, so it takes effect at once.
/// </summary>
public sealed class TerminalGate(RequestDelegate next)
{
    public const string ErrorPath = "/CertificateError";

    public async Task InvokeAsync(HttpContext context, TerminalCertificateService certificates, AuditLog audit, OqsSiteOptions site,
        RejectionAuditGate rejections)
    {
        if (AssetEndpoints.IsAssetPath(context.Request.Path))
        {
            await next(context);
            return;
        }

        var presented = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
        var check = await certificates.CheckAsync(presented, context.RequestAborted);
        if (check.Status == CertificateCheckStatus.Valid && check.Certificate is { } cert && check.Institution is { } inst)
        {
            context.Features.Set(new TerminalIdentity(cert.Id, inst.Id, inst.Code, inst.Name, cert.TerminalName, cert.SerialNumber,
                cert.Thumbprint, cert.NotAfter));
            await next(context);
            return;
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (check.Status != CertificateCheckStatus.Missing && rejections.ShouldAudit($"{presented?.Thumbprint}|{address}"))
        {
            audit.Record(new AuditRecord(AuditActions.CertificateRejected, AuditOutcomes.Denied)
            {
                Environment = site.Environment,
                InstitutionId = check.Institution?.Id,
                InstitutionCode = check.Institution?.Code ?? "",
                Actor = "anonymous",
                Detail = check.Status.ToString(),
                CertificateSerial = presented?.SerialNumber ?? "",
                ClientAddress = address,
            });
            await audit.CommitAsync(context.RequestAborted);
        }

        context.Features.Set(new CertificateProblem(check.Status));
        context.Request.Path = ErrorPath;
        context.Request.Method = HttpMethods.Get;
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await next(context);
    }
}

/// <summary>
/// Audits a refused certificate once a minute per certificate and address, so a client hammering the site with a
/// foreign certificate cannot flood the 操作ログ or hold its writer lock.
/// </summary>
public sealed class RejectionAuditGate(TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> last = new(StringComparer.Ordinal);

    public bool ShouldAudit(string key)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (last.Count > 10_000)
        {
            last.Clear();
        }

        var previous = last.GetOrAdd(key, DateTime.MinValue);
        return previous < now - TimeSpan.FromMinutes(1) && last.TryUpdate(key, now, previous);
    }
}

/// <summary>What the OQS site needs to know of its deployment.</summary>
public sealed record OqsSiteOptions(OqsEnvironment Environment);

/// <summary>Helpers for pages.</summary>
public static class TerminalHttpContextExtensions
{
    public static TerminalIdentity Terminal(this HttpContext context) =>
        context.Features.Get<TerminalIdentity>() ?? throw new InvalidOperationException("No terminal identity: the gate did not run.");

    public static string ClientAddress(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "";

    public static T Service<T>(this HttpContext context) where T : notnull => context.RequestServices.GetRequiredService<T>();
}
