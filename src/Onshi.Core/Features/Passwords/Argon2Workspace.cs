using System.Runtime.InteropServices;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The memory Argon2id fills (19 MiB per derivation with the defaults), kept between derivations instead of mapped and
/// unmapped for each (<see cref="Argon2idAvx2"/>). At most one region per core exists, because at most one derivation per
/// core runs (the hasher's gate). A region is cleared as soon as its derivation ends, so between logins it holds zeros,
/// not password-derived blocks; the regions are given back to the operating system after <see cref="IdleRelease"/>
/// without a derivation, so a quiet server does not hold them. On Linux a region is its own anonymous mapping (unmapped
/// when given back: from the C heap, glibc would keep a freed 19 MiB block for the next allocation and the process would
/// hold it anyway).
/// </summary>
internal static unsafe partial class Argon2Workspace
{
    /// <summary>How long regions are kept without a derivation.</summary>
    internal static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(5);

    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;

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
            var idle = Environment.TickCount64 - lastUse;
            if (idleOnly && idle < (long)IdleRelease.TotalMilliseconds)
            {
                // Used meanwhile: look again when it will have been idle long enough.
                Trimmer.Change(TimeSpan.FromMilliseconds((long)IdleRelease.TotalMilliseconds - idle), Timeout.InfiniteTimeSpan);
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
            Release(region);
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
            Release(old);
        }

        return Allocate(words);
    }

    private static Region Allocate(long words)
    {
        var bytes = (nuint)(words * sizeof(ulong));
        if (OperatingSystem.IsLinux())
        {
            var mapped = Mmap(0, bytes, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (mapped == -1)
            {
                throw new InvalidOperationException($"The Argon2id memory ({bytes} bytes) could not be mapped (errno {Marshal.GetLastPInvokeError()}).");
            }

            return new Region((ulong*)mapped, words);
        }

        return new Region((ulong*)NativeMemory.AlignedAlloc(bytes, 64), words);
    }

    private static void Release(Region region)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Munmap((nint)region.Pointer, (nuint)(region.Words * sizeof(ulong)));
        }
        else
        {
            NativeMemory.AlignedFree(region.Pointer);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int descriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);

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
