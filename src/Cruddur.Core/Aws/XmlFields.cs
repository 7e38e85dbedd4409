using System.Xml.Linq;

namespace Cruddur.Core.Aws;

/// <summary>Reading AWS XML answers by local name (the namespaces differ per service and version).</summary>
internal static class XmlFields
{
    public static XElement? Child(XElement? e, string name) => e?.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    public static IEnumerable<XElement> Children(XElement? e, string name) => e?.Elements().Where(c => c.Name.LocalName == name) ?? [];

    public static string? Field(XElement? e, string name) => Child(e, name)?.Value;

    /// <summary>The &lt;member&gt; elements of a Query-protocol list child (or of <paramref name="e"/> itself when <paramref name="list"/> is null).</summary>
    public static IEnumerable<XElement> Members(XElement? e, string? list) => Children(list is null ? e : Child(e, list), "member");
}
