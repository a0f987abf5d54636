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
/// Revocation is read from the database on every request, so it takes effect at once. Behind a trusted proxy the certificate
/// is the one it forwarded (<see cref="ProxiedRequest"/>).
/// </summary>
public sealed class TerminalGate(RequestDelegate next)
{
    public const string ErrorPath = "/CertificateError";

    public async Task InvokeAsync(HttpContext context, TerminalCertificateService certificates, AuditLog audit, OqsSiteOptions site,
        RefusalAuditGate rejections)
    {
        if (AssetEndpoints.IsAssetPath(context.Request.Path)
            || (RequestRefusals.IsReExecution(context)
                && (context.Features.Get<TerminalIdentity>() is not null
                    || context.Features.Get<RequestRefusal>()?.Reason is RequestRefusalReasons.Host or RequestRefusalReasons.ForwardedHeader)))
        {
            // The assets; the error page of a request whose terminal this gate already accepted (a 404, a refused token);
            // and the error page of a request refused for its Host or forwarded headers (refused before any certificate check).
            await next(context);
            return;
        }

        var status = await AcceptAsync(context, certificates, audit, site, rejections);
        if (status == CertificateCheckStatus.Valid)
        {
            await next(context);
            return;
        }

        context.Features.Set(new CertificateProblem(status));
        context.Request.Path = ErrorPath;
        context.Request.Method = HttpMethods.Get;
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await next(context);
    }

    /// <summary>
    /// Checks the request's terminal certificate (the one a trusted proxy forwarded, behind one) and, when valid, sets the
    /// <see cref="TerminalIdentity"/> feature; a presented but refused certificate is audited (summarised per certificate and
    /// address). The one check for the pages and the Web API.
    /// </summary>
    public static async Task<CertificateCheckStatus> AcceptAsync(HttpContext context, TerminalCertificateService certificates, AuditLog audit,
        OqsSiteOptions site, RefusalAuditGate rejections)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(rejections);

        // Behind a trusted proxy the certificate is the one it forwarded (never one the proxy itself presented), checked here in
        // full all the same; a certificate the proxy failed to verify, or could not forward readably, is rejected.
        var proxied = context.Features.Get<ProxiedRequest>();
        var presented = proxied is null ? await context.Connection.GetClientCertificateAsync(context.RequestAborted) : proxied.Certificate;
        var check = proxied is { CertificateRejected: true }
            ? new CertificateCheck(CertificateCheckStatus.Untrusted)
            : await certificates.CheckAsync(presented, context.RequestAborted);
        if (check.Status == CertificateCheckStatus.Valid && check.Certificate is { } cert && check.Institution is { } inst)
        {
            context.Features.Set(new TerminalIdentity(cert.Id, inst.Id, inst.Code, inst.Name, cert.TerminalName, cert.SerialNumber,
                cert.Thumbprint, cert.NotAfter));
            return CertificateCheckStatus.Valid;
        }

        var address = context.ClientAddress();
        if (check.Status != CertificateCheckStatus.Missing && rejections.Admit($"certificate|{presented?.Thumbprint}|{address}",
            new AuditRecord(AuditActions.CertificateRejected, AuditOutcomes.Denied)
            {
                Environment = site.Environment,
                InstitutionId = check.Institution?.Id,
                InstitutionCode = check.Institution?.Code ?? "",
                Actor = "anonymous",
                Detail = check.Status.ToString(),
                CertificateSerial = presented?.SerialNumber ?? "",
                ClientAddress = address,
            }) is { } record)
        {
            audit.Record(record);
            await audit.CommitAsync(context.RequestAborted);
        }

        return check.Status == CertificateCheckStatus.Valid ? CertificateCheckStatus.Untrusted : check.Status;
    }
}

/// <summary>What the OQS site needs to know of its deployment.</summary>
public sealed record OqsSiteOptions(OqsEnvironment Environment);

/// <summary>
/// The actor of a refused OQS request: the signed-in account (user ID, kind, institution), else <c>anonymous</c> with the
/// institution of the terminal when its certificate was accepted; always the terminal's certificate serial.
/// </summary>
public sealed class OqsRefusalActor(OqsSiteOptions site) : IRefusalActor
{
    public AuditRecord Describe(HttpContext context, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        var terminal = context.Features.Get<TerminalIdentity>();
        if (context.Features.Get<Onshi.Core.Features.Sessions.SessionPrincipal>() is not null)
        {
            var actor = context.Actor().Audit(record.Action, record.Outcome, record.Target, record.Detail);
            return actor with { ClientAddress = record.ClientAddress };
        }

        return record with
        {
            Environment = site.Environment,
            InstitutionId = terminal?.InstitutionId,
            InstitutionCode = terminal?.InstitutionCode ?? "",
            Actor = RequestRefusals.Anonymous,
            CertificateSerial = terminal?.SerialNumber ?? "",
        };
    }
}

/// <summary>Helpers for pages.</summary>
public static class TerminalHttpContextExtensions
{
    public static TerminalIdentity Terminal(this HttpContext context) =>
        context.Features.Get<TerminalIdentity>() ?? throw new InvalidOperationException("No terminal identity: the gate did not run.");

    public static T Service<T>(this HttpContext context) where T : notnull => context.RequestServices.GetRequiredService<T>();
}
