using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.IntegrationTests.Hosting;

/// <summary>
/// Issue 14, 12: <c>/favicon.ico</c> answers a real, cacheable icon on the three sites (the OQS's even without a terminal
/// certificate, like its other assets), and the stylesheet and script are sent compressed with Brotli or gzip as the
/// request's <c>Accept-Encoding</c> allows, with <c>Vary: Accept-Encoding</c> and an ETag per encoding. The assets do not
/// touch the database: SQLite only.
/// </summary>
public sealed class AssetEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EverySite_Favicon_IsARealCacheableIcon_EvenWithoutACertificate()
    {
        await using var oqs = await OqsServer.StartAsync(TestDatabase.Sqlite);
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        await using var console = await OperatorServer.StartAsync(TestDatabase.Sqlite);

        foreach (var (address, ca) in new[] { (oqs.BaseAddress, oqs.CaCertificate), (portal.BaseAddress, portal.CaCertificate), (console.BaseAddress, console.CaCertificate) })
        {
            using var http = Http(address, ca);
            using var response = await http.GetAsync("/favicon.ico", Ct);

            response.StatusCode.ShouldBe(HttpStatusCode.OK, address.ToString());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("image/x-icon");
            response.Headers.CacheControl!.MaxAge.ShouldBe(TimeSpan.FromDays(1));
            response.Headers.ETag.ShouldNotBeNull();
            var icon = await response.Content.ReadAsByteArrayAsync(Ct);
            icon[..4].ShouldBe(new byte[] { 0, 0, 1, 0 }); // ICONDIR: reserved 0, type 1 (icon)
            BitConverter.ToUInt16(icon, 4).ShouldBeGreaterThan((ushort)0);
        }
    }

    [Theory]
    [InlineData("/assets/site.css", "text/css")]
    [InlineData("/assets/site.js", "text/javascript")]
    [InlineData("/assets/tokens.css", "text/css")]
    public async Task Asset_IsSentCompressed_AsAcceptEncodingAllows_SameBytesOnceDecompressed(string path, string mediaType)
    {
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        using var http = Http(portal.BaseAddress, portal.CaCertificate);

        var (plain, plainResponse) = await GetAsync(http, path, null);
        var (brotli, brotliResponse) = await GetAsync(http, path, "gzip, deflate, br");
        var (gzip, gzipResponse) = await GetAsync(http, path, "gzip");
        var (refused, refusedResponse) = await GetAsync(http, path, "br;q=0, gzip;q=0");

        plainResponse.Content.Headers.ContentEncoding.ShouldBeEmpty();
        plainResponse.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        brotliResponse.Content.Headers.ContentEncoding.ShouldBe(["br"]);
        gzipResponse.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
        refusedResponse.Content.Headers.ContentEncoding.ShouldBeEmpty();
        refused.ShouldBe(plain);
        brotli.Length.ShouldBeLessThan(plain.Length / 2);
        gzip.Length.ShouldBeLessThan(plain.Length / 2);
        Decompress(brotli, s => new BrotliStream(s, CompressionMode.Decompress)).ShouldBe(plain);
        Decompress(gzip, s => new GZipStream(s, CompressionMode.Decompress)).ShouldBe(plain);
        foreach (var response in new[] { plainResponse, brotliResponse, gzipResponse })
        {
            response.Headers.Vary.ShouldContain("Accept-Encoding");
        }

        new[] { plainResponse.Headers.ETag!.Tag, brotliResponse.Headers.ETag!.Tag, gzipResponse.Headers.ETag!.Tag }.Distinct().Count().ShouldBe(3);

        // Revalidation per encoding: the Brotli ETag is 304 with Brotli accepted.
        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.AcceptEncoding.ParseAdd("br");
        again.Headers.IfNoneMatch.Add(brotliResponse.Headers.ETag);
        using var notModified = await http.SendAsync(again, Ct);
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        TestContext.Current.TestOutputHelper?.WriteLine($"{path}: {plain.Length} bytes, br {brotli.Length}, gzip {gzip.Length}");
    }

    private static HttpClient Http(Uri address, X509Certificate2 ca) => new(TestTls.Handler(ca)) { BaseAddress = address };

    private static async Task<(byte[] Body, HttpResponseMessage Response)> GetAsync(HttpClient http, string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        var response = await http.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadAsByteArrayAsync(Ct), response);
    }

    private static byte[] Decompress(byte[] bytes, Func<Stream, Stream> decompressor)
    {
        using var input = new MemoryStream(bytes);
        using var stream = decompressor(input);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }
}
