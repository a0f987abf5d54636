namespace Onshi.Core.Features.Secrets;

/// <summary>
/// A startup problem the operator must fix (a missing or wrong master key, an unreadable CA key). Its message is
/// complete, bilingual and safe to print as is; hosts print it instead of a stack trace and exit non-zero.
/// It never carries key material.
/// </summary>
public sealed class OnshiStartupException : InvalidOperationException
{
    public OnshiStartupException()
    {
    }

    public OnshiStartupException(string message)
        : base(message)
    {
    }

    public OnshiStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The first <see cref="OnshiStartupException"/> in <paramref name="exception"/>'s inner/aggregate chain; Kestrel's failure to
    /// bind a port another process holds is one too (what to change, not a stack trace).
    /// </summary>
    public static OnshiStartupException? Find(Exception? exception)
    {
        while (exception is not null)
        {
            if (exception is OnshiStartupException startup)
            {
                return startup;
            }

            if (exception is IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } bind)
            {
                return new OnshiStartupException(
                    $"待ち受けできません。ポートが他のプロセスで使用中です ({bind.Message})。--oqs-port / --portal-port / --operator-port / --ops-port で別のポートを指定するか、そのプロセスを停止してください。",
                    bind);
            }

            if (exception is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find(inner) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            }

            exception = exception.InnerException;
        }

        return null;
    }
}
