using System.Runtime.InteropServices;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The memory Argon2id fills (19 MiB per derivation with the defaults), kept between derivations instead of mapped and
/// unmapped for each (<see cref="Argon2idAvx2"/>). At most one region per core exists, because at most one derivation per
/// core runs (the hasher's gate). A region is cleared as soon as its derivation ends, so between logins it holds zeros,
/// not password-derived blocks; the regions are given back to the operating system after <see cref="IdleRelease"/>
/// without a derivation, so a quiet server does not hold them.
/// </summary>
internal static unsafe class Argon2Workspace
{
    /// <summary>How long regions are kept without a derivation.</summary>
    internal static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(5);

    private static readonly Lock Gate = new();
    private static readonly Stack<Region> Free = new();
    private static readonly Timer Trimmer = new(_ => Trim(idleOnly: true), null, Timeout.Infinite, Timeout.Infinite);
    private static long lastUse;
    private static bool trimmerArmed;

    /// <summary>Regions currently allocated (rented or kept), for tests.</summary>
    internal static int Allocated { get; private set; }

    /// <summary>Runs <paramref name="derive"/> on a region of at least <paramref name="words"/> words, cleared when it returns.</summary>
    public static void Use(long words, Action<IntPtr, long> derive)
    {
        ArgumentNullException.ThrowIfNull(derive);
        var region = Rent(words);
        try
        {
            derive((IntPtr)region.Pointer, region.Words);
        }
        finally
        {
            NativeMemory.Clear(region.Pointer, (nuint)(region.Words * sizeof(ulong)));
            Return(region);
        }
    }

    /// <summary>Gives every kept region back now (tests; and the idle timer).</summary>
    internal static void Trim(bool idleOnly)
    {
        List<Region> released = [];
        lock (Gate)
        {
            if (idleOnly && Environment.TickCount64 - lastUse < (long)IdleRelease.TotalMilliseconds)
            {
                Arm();
                return;
            }

            while (Free.Count > 0)
            {
                released.Add(Free.Pop());
            }

            Allocated -= released.Count;
            trimmerArmed = false;
        }

        foreach (var region in released)
        {
            NativeMemory.AlignedFree(region.Pointer);
        }
    }

    private static Region Rent(long words)
    {
        Region? stale = null;
        lock (Gate)
        {
            if (Free.Count > 0)
            {
                var kept = Free.Pop();
                if (kept.Words == words)
                {
                    return kept;
                }

                // Other parameters (a stored hash of older, weaker ones): this region goes, one of the right size comes.
                stale = kept;
                Allocated--;
            }

            Allocated++;
        }

        if (stale is { } old)
        {
            NativeMemory.AlignedFree(old.Pointer);
        }

        return new Region((ulong*)NativeMemory.AlignedAlloc((nuint)(words * sizeof(ulong)), 64), words);
    }

    private static void Return(Region region)
    {
        lock (Gate)
        {
            Free.Push(region);
            lastUse = Environment.TickCount64;
            if (!trimmerArmed)
            {
                Arm();
            }
        }
    }

    private static void Arm()
    {
        trimmerArmed = true;
        Trimmer.Change(IdleRelease, Timeout.InfiniteTimeSpan);
    }

    private readonly struct Region(ulong* pointer, long words)
    {
        public ulong* Pointer { get; } = pointer;

        public long Words { get; } = words;
    }
}
