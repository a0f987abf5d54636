using System.Net;
using System.Security.Cryptography.X509Certificates;

using Microsoft.AspNetCore.Server.Kestrel.Https;

// The baseline of the benchmarks: Kestrel and Razor Pages doing the least a form page needs (one page, one form with an
// antiforgery token) and the least a JSON API needs (POST /api/echo: parse the body, answer JSON), over the same TLS as the OQS: our CA's server certificate, the client asked for its certificate
// (AllowCertificate, any certificate accepted in the handshake, as OqsApp does). Loopback only.
//   bare-kestrel --port P --pfx FILE [--client-certificates allow|none]   (the PKCS#12 password in BARE_PFX_PASSWORD)
var port = int.Parse(Arg("--port") ?? throw new ArgumentException("--port is required"), System.Globalization.CultureInfo.InvariantCulture);
var pfx = Arg("--pfx") ?? throw new ArgumentException("--pfx is required");
var askForClientCertificate = (Arg("--client-certificates") ?? "allow") == "allow";
using var serverCertificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, Environment.GetEnvironmentVariable("BARE_PFX_PASSWORD"));

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
builder.Logging.ClearProviders();
builder.Services.AddRazorPages();
builder.WebHost.UseKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Loopback, port, l => l.UseHttps(o =>
    {
        o.ServerCertificate = serverCertificate;
        o.ClientCertificateMode = askForClientCertificate ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate;
        o.ClientCertificateValidation = static (_, _, _) => true;
        o.CheckCertificateRevocation = false;
    }));
});

var app = builder.Build();
app.MapRazorPages();

// The Web API's baseline: read the JSON request, answer a JSON body of the size of Onshi's search answer (about 1.3 kB).
var answer = System.Text.Encoding.UTF8.GetBytes("{\"XmlMsg\":{\"MessageHeader\":{\"SegmentOfResult\":\"1\"},\"MessageBody\":{\"Echo\":\"" + new string('x', 1200) + "\"}}}");
app.MapPost("/api/echo", async (HttpContext context) =>
{
    using var request = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
});
app.Run();

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
