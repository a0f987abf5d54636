using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Onshi.Web.TagHelpers;

/// <summary>
/// The DADS error pattern for every form control, by one convention: a control (or a <c>fieldset</c> grouping
/// controls) whose <c>id</c> is the name of a <see cref="ModelStateDictionary"/> key without its <c>Input.</c>
/// prefix gets, when that key has an error, <c>aria-invalid="true"</c> (controls only), its error text in a
/// <c>&lt;p class="field-error" id="{id}-error"&gt;</c> below it and that id first in <c>aria-describedby</c>
/// (before the support text already named there). The error summary links to the same id, so the summary, the
/// control and its message can never disagree, and a page cannot forget one of them.
/// </summary>
[HtmlTargetElement("input", Attributes = "id")]
[HtmlTargetElement("select", Attributes = "id")]
[HtmlTargetElement("textarea", Attributes = "id")]
[HtmlTargetElement("fieldset", Attributes = "id")]
public sealed class FieldErrorTagHelper : TagHelper
{
    /// <summary>The view whose model state is read.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <summary>Runs after the framework's tag helpers so their attributes are in place.</summary>
    public override int Order => 1000;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var id = AttributeText(output, "id");
        if (string.IsNullOrEmpty(id) || AttributeText(output, "type") is "hidden" or "submit" or "button")
        {
            return;
        }

        var message = MessageFor(ViewContext.ViewData.ModelState, id);
        if (message is null)
        {
            return;
        }

        var errorId = id + "-error";
        var describedBy = AttributeText(output, "aria-describedby");
        output.Attributes.SetAttribute("aria-describedby", string.IsNullOrEmpty(describedBy) ? errorId : $"{errorId} {describedBy}");
        var error = new TagBuilder("p");
        error.AddCssClass("field-error");
        error.Attributes["id"] = errorId;
        error.InnerHtml.Append(message);
        if (output.TagName == "fieldset")
        {
            // aria-invalid belongs to the controls, not to the group; the group's description carries the message.
            output.PostContent.AppendHtml(error);
        }
        else
        {
            output.Attributes.SetAttribute("aria-invalid", "true");
            output.PostElement.AppendHtml(error);
        }
    }

    /// <summary>The first error message for the control <paramref name="id"/> (key <c>Input.{id}</c> or <c>{id}</c>).</summary>
    public static string? MessageFor(ModelStateDictionary modelState, string id)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        foreach (var key in (ReadOnlySpan<string>)[$"Input.{id}", id])
        {
            if (modelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
            {
                return entry.Errors[0].ErrorMessage;
            }
        }

        return null;
    }

    /// <summary>The id of the control that shows the error of a model-state key (what the error summary links to).</summary>
    public static string ControlId(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("Input.", StringComparison.Ordinal) ? key["Input.".Length..] : key;
    }

    internal static string? AttributeText(TagHelperOutput output, string name)
    {
        if (!output.Attributes.TryGetAttribute(name, out var attribute))
        {
            return null;
        }

        switch (attribute.Value)
        {
            case null:
                return null;
            case string s:
                return s;
            case HtmlString h:
                return h.Value;
            case IHtmlContent content:
                using (var writer = new StringWriter())
                {
                    content.WriteTo(writer, HtmlEncoder.Default);
                    return writer.ToString();
                }

            default:
                return attribute.Value.ToString();
        }
    }
}
