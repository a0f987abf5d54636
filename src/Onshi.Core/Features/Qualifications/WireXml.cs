using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Onshi.Core.Features.Qualifications;

/// <summary>
/// The XML form of the §11.3 messages, made from (and read into) the same tree as the JSON: an object is an element per
/// property, in order; a list element wraps its repeated children. In JSON, <c>ResultList</c> is an array of
/// <c>{"ResultOfQualificationConfirmation": {…}}</c> wrapper objects (the wrapper's name is the XML child's), and
/// <c>SpecificDiseasesCertificateList</c> an array of the info objects themselves (the XML child is
/// <c>SpecificDiseasesCertificateInfo</c>).
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

    public static XDocument Serialize<T>(T message)
    {
        var node = JsonSerializer.SerializeToNode(message, WireJson.Options) as JsonObject
            ?? throw new ArgumentException("The message is not an object.", nameof(message));
        return new XDocument(new XDeclaration("1.0", "UTF-8", "no"), ToElement(RootName, node));
    }

    public static T? Deserialize<T>(XElement root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return FromElement(root).Deserialize<T>(WireJson.Options);
    }

    private static XElement ToElement(string name, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                return new XElement(name, obj.Select(p => ToElement(p.Key, p.Value)));
            case JsonArray array when PlainLists.TryGetValue(name, out var itemName):
                return new XElement(name, array.Select(item => ToElement(itemName, item)));
            case JsonArray array:
                // Wrapper objects: each item's single property is the repeated child.
                return new XElement(name, array.OfType<JsonObject>().SelectMany(item => item.Select(p => ToElement(p.Key, p.Value))));
            case null:
                return new XElement(name);
            default:
                return new XElement(name, node.GetValue<string>());
        }
    }

    private static JsonObject FromElement(XElement element)
    {
        var obj = new JsonObject();
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            if (PlainLists.ContainsKey(name))
            {
                obj[name] = new JsonArray(child.Elements().Select(i => (JsonNode)FromElement(i)).ToArray());
            }
            else if (WrapperLists.Contains(name))
            {
                obj[name] = new JsonArray(child.Elements().Select(i => (JsonNode)new JsonObject { [i.Name.LocalName] = FromElement(i) }).ToArray());
            }
            else if (child.HasElements)
            {
                obj[name] = FromElement(child);
            }
            else
            {
                obj[name] = child.Value;
            }
        }

        return obj;
    }
}
