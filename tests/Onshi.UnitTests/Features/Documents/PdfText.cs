using System.ComponentModel;
using System.Diagnostics;
using System.Text;

using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Onshi.UnitTests.Features.Documents;

/// <summary>Text extraction the way a user's viewer and search would see it: PdfPig and poppler's pdftotext.</summary>
internal static class PdfText
{
    public static string WithPdfPig(byte[] pdf)
    {
        using PdfDocument document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }

    public static int PageCount(byte[] pdf)
    {
        using PdfDocument document = PdfDocument.Open(pdf);
        return document.NumberOfPages;
    }

    public static IReadOnlyList<string> FontNames(byte[] pdf)
    {
        using PdfDocument document = PdfDocument.Open(pdf);
        return document.GetPages().SelectMany(p => p.Letters).Select((Letter l) => l.FontName ?? "").Distinct().ToList();
    }

    /// <summary>Runs <c>pdftotext -layout</c> (poppler-utils) and returns its UTF-8 output.</summary>
    public static string WithPdfToText(byte[] pdf)
    {
        string path = Path.Combine(Path.GetTempPath(), $"onshi-doc-test-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            ProcessStartInfo start = new("pdftotext")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "-layout", "-enc", "UTF-8", path, "-" })
            {
                start.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start.");
            }
            catch (Win32Exception e)
            {
                throw new InvalidOperationException(
                    "These tests need pdftotext from poppler-utils on PATH (Debian: apt-get install -y poppler-utils).", e);
            }

            using (process)
            {
                Task<string> error = process.StandardError.ReadToEndAsync();
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"pdftotext failed ({process.ExitCode}): {error.Result}");
                }

                return output;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Drops all whitespace, so text wrapped over several lines can be compared with its source.</summary>
    public static string Squeeze(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
