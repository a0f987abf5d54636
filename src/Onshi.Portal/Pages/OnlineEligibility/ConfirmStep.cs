using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility;

/// <summary>One line of a 確認 page: the label and what was entered (a 秘密の番号 shows as ●●●●).</summary>
public sealed record ConfirmRow(string Label, string Value);

/// <summary>
/// The entries of a form between its 入力 and its 「申請する」: the form as JSON inside one hidden field, encrypted with
/// Data Protection, bound to the portal session and user, and expiring (<see cref="Lifetime"/>). Nothing is stored on the
/// server until 「申請する」; the browser cannot read or alter the entries (the 秘密の番号 travels inside, never in plain).
/// Each draft carries a nonce, so that a second 「申請する」 of the same draft (double click, back button, two tabs)
/// leads to the first one's 完了 instead of storing again — see <see cref="PortalSubmissions"/>.
/// </summary>
public sealed class ConfirmDrafts(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>How long a 確認 page can still be submitted (the once-only guard keeps its rows as long).</summary>
    public static readonly TimeSpan Lifetime = PortalSubmissions.DraftLifetime;

    private readonly ITimeLimitedDataProtector protector =
        provider.CreateProtector("Onshi.Portal.ConfirmDraft.v1").ToTimeLimitedDataProtector();

    private sealed record Envelope(string Purpose, long SessionId, long UserId, string Nonce, string Form);

    /// <summary>A sealed draft of <paramref name="form"/> for the form named <paramref name="purpose"/>.</summary>
    public string Protect<TForm>(string purpose, long sessionId, long userId, TForm form)
    {
        var envelope = new Envelope(purpose, sessionId, userId, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), JsonSerializer.Serialize(form));
        return protector.Protect(JsonSerializer.Serialize(envelope), time.GetUtcNow() + Lifetime);
    }

    /// <summary>The form and the draft's nonce, if the draft is authentic, unexpired, of this form, session and user.</summary>
    public (TForm Form, string Nonce)? Unprotect<TForm>(string? draft, string purpose, long sessionId, long userId)
        where TForm : class
    {
        if (string.IsNullOrEmpty(draft) || draft.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(protector.Unprotect(draft, out var expiration));
            if (envelope is null || expiration <= time.GetUtcNow() || envelope.Purpose != purpose || envelope.SessionId != sessionId || envelope.UserId != userId)
            {
                return null;
            }

            return JsonSerializer.Deserialize<TForm>(envelope.Form) is { } form ? (form, envelope.Nonce) : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>What the shared 確認 partial shows.</summary>
public interface IConfirmStep
{
    /// <summary>The entries, as the 確認 page lists them.</summary>
    IReadOnlyList<ConfirmRow> Summary { get; }

    /// <summary>The sealed entries posted by 「修正する」 and 「申請する」.</summary>
    string? Draft { get; }

    /// <summary>
    /// A partial with what is entered on the 確認 step itself, inside the 「申請する」 form (the 補助金申請's receipt), or
    /// null. Such a form is posted as multipart.
    /// </summary>
    string? ConfirmFieldsPartial { get; }

    /// <summary>True if the form has a 秘密の番号 (「修正する」 asks for it again, and the 確認 page says so).</summary>
    bool HasSecretNumber { get; }
}

/// <summary>
/// The portal's application forms as offices expect them: 入力 → 確認 → 完了. 入力 is checked by the service without
/// storing anything (errors come back on the form); 確認 shows every entry with 「修正する」 (back to the form, the values
/// kept except the 秘密の番号) and 「申請する」 (the only step that stores, then a redirect to 完了). The forms keep their
/// own fields and labels; this class owns the steps, once for all of them.
/// </summary>
public abstract class ConfirmPageModel<TForm>(ConfirmDrafts drafts, PortalSubmissions submissions) : PortalPageModel, IConfirmStep
    where TForm : class, new()
{
    /// <summary>The message when a draft is unreadable or expired.</summary>
    public const string DraftExpired = "入力内容の有効期限が切れました。お手数ですが、もう一度入力してください。";

    /// <summary>The message on 「修正する」 when the form has a 秘密の番号.</summary>
    public const string RetypeSecret = "秘密の番号は、確認のためもう一度入力してください。";

    [BindProperty]
    public TForm Input { get; set; } = new();

    /// <summary>The sealed entries carried by the 確認 page.</summary>
    [BindProperty]
    public string? Draft { get; set; }

    /// <summary>True on the 確認 step.</summary>
    public bool Confirming { get; private set; }

    /// <summary>A note shown above the form after 「修正する」.</summary>
    public string? EditNote { get; private set; }

    /// <summary>What the 確認 step lists.</summary>
    public IReadOnlyList<ConfirmRow> Summary { get; private set; } = [];

    /// <summary>The form's name inside the draft, so that one form's draft cannot be posted to another.</summary>
    protected abstract string Purpose { get; }

    /// <summary>What 「申請する」 creates (the once-only guard's kind).</summary>
    protected abstract PortalSubmissionKind Kind { get; }

    /// <inheritdoc/>
    public virtual string? ConfirmFieldsPartial => null;

    /// <inheritdoc/>
    public abstract bool HasSecretNumber { get; }

    /// <summary>
    /// The fields entered on the 確認 step (see <see cref="ConfirmFieldsPartial"/>): when 「申請する」 fails on these only,
    /// the 確認 step is shown again with the errors and the same draft, rather than the 入力 step.
    /// </summary>
    protected virtual IReadOnlySet<string> ConfirmFields { get; } = new HashSet<string>();

    /// <summary>Loads what the page shows besides the form (the institutions to choose from).</summary>
    protected virtual Task LoadAsync() => Task.CompletedTask;

    /// <summary>Every check of the service, nothing stored.</summary>
    protected abstract Task<OpResult> CheckAsync(TForm form);

    /// <summary>Stores the application with the draft's <paramref name="nonce"/> (the service's submit that records it); the value is its id.</summary>
    protected abstract Task<OpResult<long>> SubmitAsync(TForm form, string nonce);

    /// <summary>The lines of the 確認 step.</summary>
    protected abstract IReadOnlyList<ConfirmRow> Describe(TForm form);

    /// <summary>Removes the 秘密の番号 before the form is shown again; true if there was one.</summary>
    protected abstract bool ClearSecrets(TForm form);

    /// <summary>The 完了 page of a stored application.</summary>
    protected abstract string DonePath(long applicationId);

    /// <summary>入力 → 確認: checks, then shows the entries with the sealed draft.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAsync();
        var result = await CheckAsync(Input);
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        Draft = drafts.Protect(Purpose, Principal.SessionId, UserId, Input);
        Summary = Describe(Input);
        Confirming = true;
        return Page();
    }

    /// <summary>「修正する」: the form again with the entries, the 秘密の番号 to be typed again.</summary>
    public async Task<IActionResult> OnPostEditAsync()
    {
        await LoadAsync();
        ModelState.Clear();
        if (drafts.Unprotect<TForm>(Draft, Purpose, Principal.SessionId, UserId) is not { } draft)
        {
            return Expired();
        }

        Input = draft.Form;
        EditNote = ClearSecrets(Input) ? RetypeSecret : null;
        Draft = null;
        return Page();
    }

    /// <summary>
    /// 「申請する」: stores once — a repeated submit of the same draft, on this instance or another, gets the first one's
    /// 完了 (<see cref="PortalSubmissions"/>) — then PRG to 完了.
    /// </summary>
    public async Task<IActionResult> OnPostSubmitAsync()
    {
        ModelState.Clear();
        if (drafts.Unprotect<TForm>(Draft, Purpose, Principal.SessionId, UserId) is not { } draft)
        {
            await LoadAsync();
            return Expired();
        }

        var result = await submissions.OnceAsync(draft.Nonce, Kind, () => SubmitAsync(draft.Form, draft.Nonce), Aborted);
        if (result.Succeeded)
        {
            return Redirect(DonePath(result.Value));
        }

        await LoadAsync();
        Input = draft.Form;
        if (result.Errors.Count > 0 && result.Errors.All(e => e.Field is { } field && ConfirmFields.Contains(field)))
        {
            // Only what was entered on 確認 is wrong (the receipt): 確認 again, the same draft, the error by the field.
            Summary = Describe(Input);
            Confirming = true;
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        EditNote = ClearSecrets(Input) ? RetypeSecret : null;
        Draft = null;
        ModelState.AddOnshiErrors(result.Errors);
        return Page();
    }

    private PageResult Expired()
    {
        Input = new TForm();
        Draft = null;
        ModelState.AddModelError(string.Empty, DraftExpired);
        return Page();
    }

    /// <summary>A 秘密の番号 on the 確認 page.</summary>
    protected static string Masked(string? secret) => string.IsNullOrEmpty(secret) ? "" : "●●●●";
}
