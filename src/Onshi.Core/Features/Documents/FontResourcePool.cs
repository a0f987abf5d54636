using System.Text;

using UglyToad.PdfPig.Writer;

namespace Onshi.Core.Features.Documents;

/// <summary>
/// The font resources of one weight in one document. PdfPig writes a TrueType font as a simple font with
/// one-byte character codes, so one added font holds at most 255 distinct characters and throws
/// <see cref="NotSupportedException"/> past that. A Japanese document can need more, so when a resource
/// is full the same font bytes are added again as another resource, and each character is routed to a
/// resource that already has it (or still has room). A text run may therefore be drawn in several pieces.
/// </summary>
internal sealed class FontResourcePool(PdfDocumentBuilder builder, FontFace face)
{
    /// <summary>Character codes 1–255 of a simple font; code 0 is not used by PdfPig.</summary>
    public const int MaxCharactersPerResource = 255;

    private readonly List<Resource> _resources = [];

    public FontFace Face => face;

    /// <summary>How many font resources this weight has added to the document so far.</summary>
    public int ResourceCount => _resources.Count;

    /// <summary>Splits <paramref name="text"/> into pieces, each drawable with one font resource.</summary>
    public List<(PdfDocumentBuilder.AddedFont Font, string Text)> Route(string text)
    {
        List<(PdfDocumentBuilder.AddedFont, string)> pieces = [];
        StringBuilder piece = new();
        Resource? current = null;
        foreach (char c in text)
        {
            Resource chosen = Pick(c, current);
            if (current is not null && chosen != current && piece.Length > 0)
            {
                pieces.Add((current.Font, piece.ToString()));
                piece.Clear();
            }

            current = chosen;
            piece.Append(c);
        }

        if (current is not null && piece.Length > 0)
        {
            pieces.Add((current.Font, piece.ToString()));
        }

        return pieces;
    }

    private Resource Pick(char c, Resource? preferred)
    {
        if (preferred is not null && preferred.Characters.Contains(c))
        {
            return preferred;
        }

        foreach (Resource resource in _resources)
        {
            if (resource.Characters.Contains(c))
            {
                return resource;
            }
        }

        Resource target = preferred is not null && preferred.HasRoom
            ? preferred
            : _resources.FirstOrDefault(r => r.HasRoom) ?? AddResource();
        target.Characters.Add(c);
        return target;
    }

    private Resource AddResource()
    {
        Resource resource = new(builder.AddTrueTypeFont(face.Bytes));
        _resources.Add(resource);
        return resource;
    }

    private sealed class Resource(PdfDocumentBuilder.AddedFont font)
    {
        public PdfDocumentBuilder.AddedFont Font { get; } = font;

        public HashSet<char> Characters { get; } = [];

        public bool HasRoom => Characters.Count < MaxCharactersPerResource;
    }
}
