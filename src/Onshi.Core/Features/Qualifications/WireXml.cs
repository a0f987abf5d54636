using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Onshi.Core.Features.Qualifications;

/// <summary>
/// The XML form of the §11.3 messages, made from (and read into) the same tree as the JSON: an object is an element per
/// property, in order; a list element wraps its repeated children. In JSON, <c>ResultList</c> is an array of
/// <c>{"ResultOfQualificationConfirmation": {…}}</c> wrapper objects (the wrapper's name is the XML child's), and
/// <c>SpecificDiseasesCertificateList</c> an array of the info objects themselves (the XML child is
/// <c>SpecificDiseasesCertificateInfo</c>). Any other array is a repeated element: in XML the element itself repeats in its
/// parent (一括照会's <c>MessageBody/QualificationConfirmSearchInfo</c> and <c>MessageBody/BulkConfirmUnit</c>); reading
/// XML, the message type says which elements repeat (<see cref="RepeatedElements"/>), so one patient is still an array.
/// </summary>
public static class WireXml
{
    public const string RootName = "XmlMsg";

    /// <summary>Lists whose JSON items are the objects themselves, with the XML element name of an item.</summary>
    private static readonly Dictionary<string, string> PlainLists = new(StringComparer.Ordinal)
    {
        ["SpecificDiseasesCertificateList"] = "SpecificDiseasesCertificateInfo",
    };

    /// <summary>Lists whose JSON items are wrapper objects named like the XML child.</summary>
    private static readonly HashSet<string> WrapperLists = new(StringComparer.Ordinal) { "ResultList" };

    /// <summary>Per message type, the elements (as <c>parent/child</c>) that repeat in their parent.</summary>
    private static readonly Dictionary<Type, HashSet<string>> RepeatedElements = new()
    {
        [typeof(BulkRequestMessage)] = new(StringComparer.Ordinal) { "MessageBody/QualificationConfirmSearchInfo" },
        [typeof(BulkResultMessage)] = new(StringComparer.Ordinal) { "MessageBody/BulkConfirmUnit" },
    };

    /// <summary>
    /// How every file of the message family is read (the 連携アプリ's requests, the 一括照会 upload): no DTD, no entity from
    /// outside, no external resolution, at most <paramref name="maxCharacters"/> characters.
    /// </summary>
    public static System.Xml.XmlReaderSettings ReaderSettings(long maxCharacters) => new()
    {
        DtdProcessing = System.Xml.DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = maxCharacters,
    };

    public static XDocument Serialize<T>(T message)
    {
        var node = JsonSerializer.SerializeToNode(message, WireJson.Options) as JsonObject
            ?? throw new ArgumentException("The message is not an object.", nameof(message));
        return new XDocument(new XDeclaration("1.0", "UTF-8", "no"), ToElements(RootName, node).Single());
    }

    public static T? Deserialize<T>(XElement root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var repeated = RepeatedElements.GetValueOrDefault(typeof(T)) ?? [];
        return FromElement(root, repeated, 0).Deserialize<T>(WireJson.Options);
    }

    /// <summary>Deeper than any message of §11.3 (five levels) by far: a deeper file is not one of them.</summary>
    private const int MaxDepth = 16;

    private static IEnumerable<XElement> ToElements(string name, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                return [new XElement(name, obj.SelectMany(p => ToElements(p.Key, p.Value)))];
            case JsonArray array when PlainLists.TryGetValue(name, out var itemName):
                return [new XElement(name, array.SelectMany(item => ToElements(itemName, item)))];
            case JsonArray array when WrapperLists.Contains(name):
                // Wrapper objects: each item's single property is the repeated child.
                return [new XElement(name, array.OfType<JsonObject>().SelectMany(item => item.SelectMany(p => ToElements(p.Key, p.Value))))];
            case JsonArray array:
                // A repeated element: one per item, in the parent.
                return array.SelectMany(item => ToElements(name, item));
            case null:
                return [new XElement(name)];
            default:
                return [new XElement(name, node.GetValue<string>())];
        }
    }

    private static JsonObject FromElement(XElement element, HashSet<string> repeated, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JsonException("The XML is nested deeper than any message.");
        }

        var obj = new JsonObject();
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            if (repeated.Contains(element.Name.LocalName + "/" + name))
            {
                if (obj[name] is not JsonArray items)
                {
                    items = [];
                    obj[name] = items;
                }

                items.Add(child.HasElements ? FromElement(child, repeated, depth + 1) : (JsonNode)new JsonObject());
            }
            else if (PlainLists.ContainsKey(name))
            {
                obj[name] = new JsonArray(child.Elements().Select(i => (JsonNode)FromElement(i, repeated, depth + 2)).ToArray());
            }
            else if (WrapperLists.Contains(name))
            {
                obj[name] = new JsonArray(child.Elements().Select(i => (JsonNode)new JsonObject { [i.Name.LocalName] = FromElement(i, repeated, depth + 2) }).ToArray());
            }
            else if (child.HasElements)
            {
                obj[name] = FromElement(child, repeated, depth + 1);
            }
            else
            {
                obj[name] = child.Value;
            }
        }

        return obj;
    }
}
