using Microsoft.EntityFrameworkCore;

namespace Onshi.Core.Common;

/// <summary>One page of a list: its rows, the total and the page shown (clamped to 1..last).</summary>
public sealed record Paged<T>(IReadOnlyList<T> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => ((Page - 1) * PageSize) + Rows.Count;
}

public static class PagedQueries
{
    /// <summary>Counts <paramref name="query"/> (already ordered), clamps <paramref name="page"/> and reads that page of its rows.</summary>
    public static async Task<Paged<T>> ToPageAsync<T>(this IQueryable<T> query, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var total = await query.CountAsync(cancellationToken);
        page = Math.Clamp(page, 1, Math.Max(1, (total + pageSize - 1) / pageSize));
        var rows = await query.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new Paged<T>(rows, total, page, pageSize);
    }
}
