namespace Onshi.Core.Features.Documents;

/// <summary>
/// Renders one kind of document to PDF bytes. The seam the sites depend on, so a page can be tested
/// without fonts. Implementations are stateless and thread-safe, never log and never store what they render.
/// </summary>
/// <typeparam name="TDocument">The record holding everything the document shows.</typeparam>
public interface IPdfRenderer<in TDocument>
{
    /// <summary>Renders <paramref name="document"/> as a complete PDF file.</summary>
    byte[] Render(TDocument document);
}
