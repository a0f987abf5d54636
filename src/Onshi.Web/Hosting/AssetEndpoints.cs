using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Onshi.Web.Hosting;

/// <summary>
/// Serves the embedded stylesheets, scripts and icon under <c>/assets/</c> (and the icon at <c>/favicon.ico</c>, where
/// browsers ask for it), with ETags, from memory. Text assets are compressed once, at first use, with Brotli and gzip; a
/// request gets the smallest its <c>Accept-Encoding</c> allows (each encoding with its own ETag, <c>Vary: Accept-Encoding</c>).
/// </summary>
public static class AssetEndpoints
{
    private const string Prefix = "onshi-assets/";

    /// <summary>The icon's path, answered on every site (issue 14, 12: it was 404).</summary>
    public const string FaviconPath = "/favicon.ico";

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    public static IEndpointConventionBuilder MapOnshiAssets(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(FaviconPath, (HttpContext context) => Serve(context, "favicon.ico"));
        return endpoints.MapGet("/assets/{name}", (string name, HttpContext context) => Serve(context, name));
    }

    /// <summary>True for requests of the embedded assets (they need no certificate and no session).</summary>
    public static bool IsAssetPath(PathString path) =>
        path.StartsWithSegments("/assets", StringComparison.Ordinal) || path.Equals(FaviconPath, StringComparison.Ordinal);

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Assets.Value.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var representation = asset.For(context.Request.GetTypedHeaders().AcceptEncoding);
        var headers = context.Response.Headers;
        headers.CacheControl = asset.CacheControl;
        headers.ETag = representation.ETag;
        if (asset.Encodings.Count > 0)
        {
            headers.Vary = "Accept-Encoding";
        }

        if (context.Request.Headers.IfNoneMatch == representation.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        if (representation.Encoding is { } encoding)
        {
            headers.ContentEncoding = encoding;
        }

        return Results.Bytes(representation.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(AssetEndpoints).Assembly;
        var d = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            var bytes = ms.ToArray();
            var name = resource[Prefix.Length..];
            var (type, compressible) = Path.GetExtension(name) switch
            {
                ".css" => ("text/css; charset=utf-8", true),
                ".js" => ("text/javascript; charset=utf-8", true),
                ".svg" => ("image/svg+xml", true),
                ".png" => ("image/png", false),
                ".ico" => ("image/x-icon", false),
                _ => ("application/octet-stream", false),
            };
            var etag = Convert.ToHexString(SHA256.HashData(bytes))[..16];
            List<Representation> encodings = [];
            if (compressible)
            {
                // Smallest first; an encoding that saves nothing is not offered.
                foreach (var (encoding, compressed) in new[] { ("br", Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize))),
                    ("gzip", Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize))) })
                {
                    if (compressed.Length < bytes.Length)
                    {
                        encodings.Add(new Representation(compressed, $"\"{etag}-{encoding}\"", encoding));
                    }
                }
            }

            // The icon changes with a release at most: a day in the cache; the stylesheets and scripts are revalidated.
            var cacheControl = type == "image/x-icon" ? "public, max-age=86400" : "no-cache";
            d[name] = new Asset(new Representation(bytes, $"\"{etag}\"", null), encodings, type, cacheControl);
        }

        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>One form of an asset: its bytes, its ETag and its <c>Content-Encoding</c> (null: as stored).</summary>
    private sealed record Representation(byte[] Content, string ETag, string? Encoding);

    private sealed record Asset(Representation Identity, IReadOnlyList<Representation> Encodings, string ContentType, string CacheControl)
    {
        /// <summary>The first (smallest) encoding the client accepts (q &gt; 0, by name or <c>*</c>), else the asset as stored.</summary>
        public Representation For(IList<StringWithQualityHeaderValue> accepted)
        {
            foreach (var representation in Encodings)
            {
                var named = accepted.FirstOrDefault(a => string.Equals(a.Value.Value, representation.Encoding, StringComparison.OrdinalIgnoreCase))
                    ?? accepted.FirstOrDefault(a => a.Value.Value == "*");
                if (named is not null && (named.Quality ?? 1) > 0)
                {
                    return representation;
                }
            }

            return Identity;
        }
    }
}
