using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Onshi.Web.TagHelpers;

/// <summary>
/// Every list table (<c>&lt;table class="data"&gt;</c>, not the key–value <c>kv</c> tables) is put in its own sideways
/// scrolling box: <c>&lt;div class="table-scroll" role="group" tabindex="0"&gt;</c> named like the table (its
/// <c>aria-labelledby</c>, else its caption's words). A table wider than the window then scrolls inside that box instead
/// of squeezing its cells to a letter per line or widening the page, and a keyboard user can focus the box and scroll it
/// with the arrow keys (axe's <c>scrollable-region-focusable</c>). A group, not a region: the section around a table is
/// often already a region named by the same heading, and two landmarks of one name confuse (axe <c>landmark-unique</c>). The cells themselves do not wrap (site.css); only
/// cells marked <c>cell-wrap</c> (names, addresses, free text) do. One mechanism for every table of the three sites.
/// </summary>
[HtmlTargetElement("table", Attributes = "class")]
public sealed partial class ScrollTableTagHelper : TagHelper
{
    /// <summary>The class of the box; site.css gives it <c>overflow-x: auto</c>.</summary>
    public const string WrapperClass = "table-scroll";

    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var classes = FieldErrorTagHelper.AttributeText(output, "class")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (!classes.Contains("data") || classes.Contains("kv"))
        {
            return;
        }

        var name = "";
        var labelledBy = FieldErrorTagHelper.AttributeText(output, "aria-labelledby");
        if (string.IsNullOrEmpty(labelledBy))
        {
            var content = (await output.GetChildContentAsync()).GetContent();
            var caption = CaptionPattern().Match(content);
            name = caption.Success ? WebUtility.HtmlDecode(TagPattern().Replace(caption.Groups[1].Value, "")).Trim() : "表";
        }

        var label = string.IsNullOrEmpty(labelledBy)
            ? $"aria-label=\"{HtmlEncoder.Default.Encode(name)}\""
            : $"aria-labelledby=\"{HtmlEncoder.Default.Encode(labelledBy)}\"";
        output.PreElement.AppendHtml($"<div class=\"{WrapperClass}\" role=\"group\" tabindex=\"0\" {label}>");
        output.PostElement.AppendHtml("</div>");
    }

    [GeneratedRegex("<caption[^>]*>(.*?)</caption>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CaptionPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}
