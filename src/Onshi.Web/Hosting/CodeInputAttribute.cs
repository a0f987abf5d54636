using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Onshi.Core.Common;

namespace Onshi.Web.Hosting;

/// <summary>
/// Marks a string form or query value that holds a code or a number (医療機関等コード, ユーザID, 電話番号, 郵便番号, an
/// amount, 端末名, 秘密の番号): model binding passes it through <see cref="TextInput.NormalizeCode"/> before any validation
/// sees it, so full-width digits and letters, 「－」「ー」「‐」「−」 and full-width commas typed by an IME are accepted.
/// The one place where that happens for all three sites; names, addresses, free text and passwords are never marked.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class CodeInputAttribute : ModelBinderAttribute
{
    public CodeInputAttribute()
        : base(typeof(CodeInputBinder))
    {
    }
}

/// <summary>Binds a string like the framework's simple-type binder (empty → null), normalized by <see cref="TextInput.NormalizeCode"/>.</summary>
public sealed class CodeInputBinder : IModelBinder
{
    /// <inheritdoc />
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        var result = bindingContext.ValueProvider.GetValue(bindingContext.ModelName);
        if (result == ValueProviderResult.None)
        {
            return Task.CompletedTask;
        }

        var normalized = TextInput.NormalizeCode(result.FirstValue);
        // The normalized value is what the page shows again after an error (half-width, as it will be stored).
        bindingContext.ModelState.SetModelValue(bindingContext.ModelName, normalized, normalized);
        bindingContext.Result = ModelBindingResult.Success(string.IsNullOrWhiteSpace(normalized) ? null : normalized);
        return Task.CompletedTask;
    }
}
