using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Mail;
using Onshi.Portal.Hosting;

namespace Onshi.Portal.Pages.Dev;

/// <summary>
/// The mail outbox, for development and the demo only (<c>showOutbox</c> of <see cref="PortalApp.Create"/>): a demo user
/// follows the verification link from here. In any other mode it is a 404.
/// </summary>
public sealed class OutboxModel(PortalSiteOptions site, IOptions<MailOptions> mail, MailDispatcher queue) : PageModel
{
    public IReadOnlyList<OutboxMessage> Messages { get; private set; } = [];

    public OutboxMessage? Message { get; private set; }

    public IReadOnlyList<string> Links { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? name)
    {
        if (!site.ShowOutbox || mail.Value.OutboxDirectory is not { } directory)
        {
            return NotFound();
        }

        // A reset mail is sent just after its answer: let the queue catch up so the page shows what was just asked for.
        await queue.WhenIdleAsync(TimeSpan.FromSeconds(5), HttpContext.RequestAborted);

        if (name is not null)
        {
            Message = OutboxReader.Find(directory, name);
            if (Message is null)
            {
                return NotFound();
            }

            Links = OutboxReader.Links(Message);
            return Page();
        }

        Messages = OutboxReader.ReadAll(directory).Take(200).ToList();
        return Page();
    }

    public static string Jst(DateTimeOffset? date) =>
        date is { } d ? Onshi.Core.Common.Jst.IsoMinutes(d.UtcDateTime) : "";
}
