namespace Onshi.Core.Features.Caching;

/// <summary>
/// One context's invalidation keys not yet published (<see cref="Data.OnshiDbContext.InvalidateOnCommit"/> and the rows its
/// <c>SaveChanges</c> modifies or deletes), and which watched tables its next write is declared for. Used by
/// <see cref="CacheInvalidationInterceptor"/> only; a context is used by one thread at a time.
/// </summary>
internal sealed class PendingInvalidations
{
    /// <summary>More keys than this in one commit publish <see cref="CacheKeys.All"/> instead (a NOTIFY payload is at most 8,000 bytes).</summary>
    internal const int MaxKeys = 200;

    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly HashSet<Type> declared = [];
    private readonly HashSet<Type> saving = [];

    public bool IsEmpty => keys.Count == 0;

    /// <summary>True while SaveChanges runs (its commands are covered by the entries it collected).</summary>
    public bool InSave { get; private set; }

    /// <summary>An autocommit write whose keys are published when its reader is done (or its SaveChanges ends).</summary>
    public bool PublishAfterReader { get; set; }

    /// <summary>An autocommit write (no reader) whose keys are published right after its statement.</summary>
    public bool PublishAfterStatement { get; set; }

    /// <summary>The next write to a watched table (an <c>ExecuteUpdate</c>, a raw statement) changes the row of <paramref name="key"/>.</summary>
    public void Declare(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        keys.Add(key);
        if (CacheKeys.EntityOf(key) is { } entity)
        {
            declared.Add(entity);
        }
    }

    /// <summary>The next write to <paramref name="entity"/>'s table changes nothing a cached read carries (a touch, a counter).</summary>
    public void DeclareNeutral(Type entity) => declared.Add(entity);

    /// <summary>SaveChanges starts: it declares its own rows (<see cref="Saving"/>); an earlier declaration is not for its commands.</summary>
    public void SaveStarting()
    {
        declared.Clear();
        saving.Clear();
        InSave = true;
    }

    /// <summary>SaveChanges is about to modify or delete the row of <paramref name="key"/> (null: a row of a watched table without a key: all) of <paramref name="entity"/>.</summary>
    public void Saving(Type entity, string? key)
    {
        keys.Add(key ?? CacheKeys.All);
        saving.Add(entity);
    }

    /// <summary>SaveChanges ended: its commands are done.</summary>
    public void SaveEnded()
    {
        saving.Clear();
        InSave = false;
    }

    /// <summary>
    /// A command writes the watched tables of <paramref name="entities"/>: true when each was declared, by SaveChanges while it
    /// runs or by a key declared since the last write. The declarations are used up either way.
    /// </summary>
    public bool Covers(IReadOnlyCollection<Type> entities)
    {
        var covered = entities.All(e => saving.Contains(e) || declared.Contains(e));
        declared.Clear();
        return covered;
    }

    /// <summary>A write nobody declared: nothing cached may be trusted, the whole cache goes.</summary>
    public void Escalate() => keys.Add(CacheKeys.All);

    /// <summary>
    /// The keys to publish now (emptied, with the declarations): <see cref="CacheKeys.All"/> alone when it is among them or they
    /// are too many.
    /// </summary>
    public IReadOnlyCollection<string> Take()
    {
        var taken = Peek();
        keys.Clear();
        declared.Clear();
        PublishAfterReader = false;
        PublishAfterStatement = false;
        return taken;
    }

    /// <summary>The keys <see cref="Take"/> would return, left pending.</summary>
    public IReadOnlyCollection<string> Peek() =>
        keys.Contains(CacheKeys.All) || keys.Count > MaxKeys ? [CacheKeys.All] : [.. keys];

    /// <summary>
    /// A transaction starts: a declaration made before it is not trusted for its writes (declare right before the write,
    /// inside the transaction); its keys stay and are published with the commit. SaveChanges's own transaction keeps its rows.
    /// </summary>
    public void TransactionStarting()
    {
        if (!InSave)
        {
            declared.Clear();
        }
    }

    /// <summary>The transaction rolled back: its writes did not happen, nothing pending is kept.</summary>
    public void Drop()
    {
        keys.Clear();
        declared.Clear();
        PublishAfterReader = false;
        PublishAfterStatement = false;
    }
}
