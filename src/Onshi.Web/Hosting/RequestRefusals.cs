using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Audit;

namespace Onshi.Web.Hosting;

/// <summary>
/// Who made a request, as far as the site knows it when refusing it: the signed-in account (or operator, or portal user),
/// the institution of the OQS terminal, else <c>anonymous</c>. Each site registers its own.
/// </summary>
public interface IRefusalActor
{
    /// <summary><paramref name="record"/> with the actor, institution, environment and certificate serial filled in.</summary>
    AuditRecord Describe(HttpContext context, AuditRecord record);
}

/// <summary>The actor of a site that knows nobody: <c>anonymous</c>.</summary>
public sealed class AnonymousRefusalActor : IRefusalActor
{
    public AuditRecord Describe(HttpContext context, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record with { Actor = RequestRefusals.Anonymous };
    }
}

/// <summary>Marks a request that was refused (and audited once): the error page words its answer by the reason.</summary>
/// <param name="Reason">One of <see cref="RequestRefusalReasons"/>.</param>
public sealed record RequestRefusal(string Reason);

/// <summary>
/// The one way a site records a refused request (SPEC §3 "every denial is audited", ASVS 16.3.3): one
/// <c>request.refused</c> row (outcome denied) with the reason, the route, the actor and the client address — never a
/// submitted value — at most once per interval per reason and address, the row saying how many refusals it stands for
/// (<see cref="RefusalAuditGate"/>), and never twice for one request.
/// </summary>
public static class RequestRefusals
{
    /// <summary>The actor of a request nobody is signed in for.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Records the refusal of the current request (once per request; rate-limited per reason and address).</summary>
    public static async Task RecordAsync(HttpContext context, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<RequestRefusal>() is not null)
        {
            return;
        }

        context.Features.Set(new RequestRefusal(reason));
        var address = context.ClientAddress();
        var services = context.RequestServices;
        var actor = services.GetService<IRefusalActor>() ?? new AnonymousRefusalActor();
        if (services.GetRequiredService<RefusalAuditGate>().Admit(reason + "|" + address, actor.Describe(context,
            new AuditRecord(AuditActions.RequestRefused, AuditOutcomes.Denied)
            {
                Target = Route(context),
                Detail = reason,
                ClientAddress = address,
            })) is not { } record)
        {
            return;
        }

        // A scope of its own: nothing the page may have tracked is saved with the row. Not cancelled with the request: a
        // client that sends a body far over the limit and drops the connection is still recorded.
        await using var scope = services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.Record(record);
        await audit.CommitAsync(CancellationToken.None);
    }

    /// <summary>
    /// The route the request was for: the page's route template without constraints (<c>/Accounts/Detail/{id}</c>, never the
    /// id typed) or, before
    /// routing, the path cut to what a route may hold (letters, digits, <c>/ . _ -</c>) and 64 characters.
    /// </summary>
    public static string Route(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint() is RouteEndpoint route)
        {
            // Parameters by name only: "/OnlineEligibility/MasterAccount/{id}/{handler}", not their constraints.
            return Clip("/" + string.Join('/', route.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                _ => "",
            })))));
        }

        var path = context.Request.Path.Value ?? "";
        return Clip(new string([.. path.Where(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-')]));
    }

    /// <summary>True for the error page run again for a status code or an exception: its request was already judged.</summary>
    public static bool IsReExecution(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null;
    }

    private static string Clip(string value) => value.Length > 64 ? value[..64] : value;
}
