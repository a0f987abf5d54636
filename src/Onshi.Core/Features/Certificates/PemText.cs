namespace Onshi.Core.Features.Certificates;

/// <summary>PEM as our files hold it.</summary>
public static class PemText
{
    /// <summary>
    /// <paramref name="pem"/> ending with a newline: .NET's <c>Export…Pem</c> omits the last one, and a file without it
    /// breaks <c>cat a.pem b.pem</c> bundles and line-based tools (issue 14, 18). Every PEM file we write goes through here.
    /// </summary>
    public static string ForFile(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return pem.EndsWith('\n') ? pem : pem + "\n";
    }
}
