using Microsoft.AspNetCore.Http;

namespace Onshi.Web.Hosting;

/// <summary>The client's address as the audit rows and throttles record it, on every site.</summary>
public static class ClientAddresses
{
    /// <summary>
    /// The connection's remote address ("" when unknown); behind a trusted proxy the address it forwarded
    /// (<see cref="ForwardedHeadersGate"/> replaces the connection's).
    /// </summary>
    public static string ClientAddress(this HttpContext context) => context?.Connection.RemoteIpAddress?.ToString() ?? "";
}
