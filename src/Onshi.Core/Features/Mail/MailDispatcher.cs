using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Onshi.Core.Features.Mail;

/// <summary>
/// Mail handed over now and sent (through <see cref="IMailSender"/>) by a background loop right after, for a request
/// whose answer must not wait for the mail: the portal's パスワードの再設定 mails a registered address and not an unknown
/// one, so waiting for the outbox file, let alone an SMTP server, would tell the two apart by the answer's time. The
/// queue lives in memory: a message queued by a process that is killed before the loop reaches it is lost (the user
/// asks again); one queued before a graceful stop is still sent. Never logs a message's content.
/// </summary>
public sealed partial class MailDispatcher(IMailSender sender, ILogger<MailDispatcher> logger) : BackgroundService
{
    /// <summary>Messages waiting at most; beyond that a message is dropped (the mail caps keep far below it).</summary>
    public const int Capacity = 10_000;

    /// <summary>
    /// How long a message waits before it is written: long enough for the answer that queued it to have left, so the
    /// writing does not compete with (and slow down) that very answer.
    /// </summary>
    public static readonly TimeSpan SendDelay = TimeSpan.FromMilliseconds(50);

    private readonly Channel<MailMessageData> channel = Channel.CreateBounded<MailMessageData>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private int pending;

    /// <summary>Messages queued and not yet handed to the sender.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Queues <paramref name="message"/>; false (and a warning) when the queue is full or stopped.</summary>
    public bool Enqueue(MailMessageData message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref pending);
        if (channel.Writer.TryWrite(message))
        {
            return true;
        }

        Interlocked.Decrement(ref pending);
        LogDropped(logger);
        return false;
    }

    /// <summary>
    /// Waits until every message queued so far has been handed to the sender, or <paramref name="timeout"/> passed
    /// (the development outbox page and tests, which read what was just sent). True when the queue is empty.
    /// </summary>
    public async Task<bool> WhenIdleAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Pending > 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken);
        }

        return true;
    }

    /// <summary>Stops taking messages and sends what is still queued before the host stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reads until the writer is completed (StopAsync), so a graceful stop drains the queue first.
        await foreach (var message in channel.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await Task.Delay(SendDelay, CancellationToken.None);
                await sender.SendAsync(message, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The type only: an exception's message may quote the recipient or the server's reply.
                LogFailed(logger, ex.GetType().Name);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "A queued mail was dropped: the mail queue is full or stopped")]
    private static partial void LogDropped(ILogger logger);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "A queued mail could not be sent ({ExceptionType})")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
