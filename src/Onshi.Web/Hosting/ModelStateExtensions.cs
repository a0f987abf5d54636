using Microsoft.AspNetCore.Mvc.ModelBinding;
using Onshi.Core.Common;

namespace Onshi.Web.Hosting;

/// <summary>The one place where expected failures become form errors.</summary>
public static class ModelStateExtensions
{
    /// <summary>Adds each error under <c>prefix.Field</c> (or the form as a whole when it names no field).</summary>
    public static void AddOnshiErrors(this ModelStateDictionary modelState, IEnumerable<OnshiError> errors, string prefix = "Input")
    {
        ArgumentNullException.ThrowIfNull(modelState);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var e in errors)
        {
            modelState.AddModelError(e.Field is null ? "" : $"{prefix}.{e.Field}", e.Message);
        }
    }

    /// <summary>The first error message of a field, for the inline message under it.</summary>
    public static string? ErrorFor(this ModelStateDictionary modelState, string key) =>
        modelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;
}
