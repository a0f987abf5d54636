using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using NSec.Cryptography;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// Argon2id version 0x13 (RFC 9106) with its memory filling in AVX2 and the memory supplied by the caller
/// (<see cref="Argon2Workspace"/>, reused from hash to hash). Blake2b (the pre-hash and H′) comes from libsodium through NSec.
/// <para>
/// Why: libsodium maps fresh memory for every hash (<c>mmap(MAP_POPULATE)</c>, 19 MiB with the defaults) and unmaps it
/// after. On the benchmark's machine that costs the kernel as much time as the hash itself (8.4 ms of system time next to
/// 9.5 ms of user time per hash, measured single-threaded; in the server under 16 logins, 34 % of a login's CPU was the
/// kernel populating and unmapping it). Filling memory that is already mapped removes that cost; the output is
/// byte-identical to libsodium's (unit tests: RFC 9106's test vector, and libsodium's own hashes for random inputs).
/// </para>
/// </summary>
internal static unsafe class Argon2idAvx2
{
    /// <summary>Words (<see cref="ulong"/>) in one 1 KiB block.</summary>
    internal const int BlockWords = 128;

    private const int SyncPoints = 4;
    private const int AddressesInBlock = 128;
    private const int PrehashLength = 64;
    private const uint Version = 0x13;
    private const uint Argon2idType = 2;

    // Byte shuffles rotating each 64-bit word right by 24 and by 16 bits (within each 128-bit half, as vpshufb works).
    private static readonly Vector256<byte> Rotate24 = Vector256.Create(
        (byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);

    private static readonly Vector256<byte> Rotate16 = Vector256.Create(
        (byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);

    /// <summary>True where this implementation runs (x64 with AVX2); elsewhere the hasher keeps to libsodium.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>The tag lengths this implementation gives (those NSec's Blake2b can finish with).</summary>
    public static bool SupportsTagLength(int length) => length is >= 32 and <= 64;

    /// <summary>The memory blocks (m′ of RFC 9106, 1 KiB each) a derivation with these parameters fills.</summary>
    public static int BlockCount(int memoryKiB, int lanes)
    {
        int blocks = Math.Max(memoryKiB, 2 * SyncPoints * lanes);
        return blocks / (SyncPoints * lanes) * (SyncPoints * lanes);
    }

    /// <summary>
    /// Derives the tag of <paramref name="password"/> into <paramref name="tag"/>. <paramref name="memory"/> holds at least
    /// <see cref="BlockCount"/> × <see cref="BlockWords"/> words; what it holds before is irrelevant, after it holds the
    /// derivation's blocks (the caller clears it).
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> associatedData,
        int memoryKiB, int passes, int lanes, Span<byte> tag, Span<ulong> memory)
    {
        if (!IsSupported || !SupportsTagLength(tag.Length) || lanes < 1 || passes < 1)
        {
            throw new ArgumentException("Parameters outside this implementation's range.");
        }

        int blocks = BlockCount(memoryKiB, lanes);
        if (memory.Length < (long)blocks * BlockWords)
        {
            throw new ArgumentException("The memory is smaller than the derivation needs.", nameof(memory));
        }

        int segment = blocks / (lanes * SyncPoints);
        int laneLength = segment * SyncPoints;

        Span<byte> seed = stackalloc byte[PrehashLength + 8];
        Span<byte> block = stackalloc byte[BlockWords * sizeof(ulong)];
        try
        {
            Prehash(password, salt, secret, associatedData, memoryKiB, passes, lanes, tag.Length, seed[..PrehashLength]);
            fixed (ulong* m = memory)
            {
                for (int lane = 0; lane < lanes; lane++)
                {
                    for (uint first = 0; first < 2; first++)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(seed[PrehashLength..], first);
                        BinaryPrimitives.WriteUInt32LittleEndian(seed[(PrehashLength + 4)..], (uint)lane);
                        HPrime(seed, block);
                        MemoryMarshal.Cast<byte, ulong>(block).CopyTo(new Span<ulong>(m + (((long)lane * laneLength) + first) * BlockWords, BlockWords));
                    }
                }

                ulong* scratch = stackalloc ulong[3 * BlockWords];
                for (int pass = 0; pass < passes; pass++)
                {
                    for (int slice = 0; slice < SyncPoints; slice++)
                    {
                        for (int lane = 0; lane < lanes; lane++)
                        {
                            FillSegment(m, pass, slice, lane, lanes, laneLength, segment, blocks, passes, scratch);
                        }
                    }
                }

                Span<ulong> final = MemoryMarshal.Cast<byte, ulong>(block);
                new Span<ulong>(m + ((long)laneLength - 1) * BlockWords, BlockWords).CopyTo(final);
                for (int lane = 1; lane < lanes; lane++)
                {
                    ulong* last = m + (((long)lane * laneLength) + laneLength - 1) * BlockWords;
                    for (int i = 0; i < BlockWords; i++)
                    {
                        final[i] ^= last[i];
                    }
                }

                new Span<ulong>(scratch, 3 * BlockWords).Clear();
            }

            HPrime(block, tag);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>H0: Blake2b-512 over the parameters and the inputs, each with its length (RFC 9106 §3.2, step 1).</summary>
    private static void Prehash(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> associatedData,
        int memoryKiB, int passes, int lanes, int tagLength, Span<byte> h0)
    {
        IncrementalHash.Initialize(HashAlgorithm.Blake2b_512, out var state);
        Span<byte> word = stackalloc byte[4];
        static void Le32(ref IncrementalHash s, uint value, Span<byte> w)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(w, value);
            IncrementalHash.Update(ref s, w);
        }

        Le32(ref state, (uint)lanes, word);
        Le32(ref state, (uint)tagLength, word);
        Le32(ref state, (uint)memoryKiB, word);
        Le32(ref state, (uint)passes, word);
        Le32(ref state, Version, word);
        Le32(ref state, Argon2idType, word);
        Le32(ref state, (uint)password.Length, word);
        IncrementalHash.Update(ref state, password);
        Le32(ref state, (uint)salt.Length, word);
        IncrementalHash.Update(ref state, salt);
        Le32(ref state, (uint)secret.Length, word);
        IncrementalHash.Update(ref state, secret);
        Le32(ref state, (uint)associatedData.Length, word);
        IncrementalHash.Update(ref state, associatedData);
        IncrementalHash.Finalize(ref state, h0);
    }

    /// <summary>H′, the variable-length hash built on Blake2b (RFC 9106 §3.3).</summary>
    private static void HPrime(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)output.Length);
        if (output.Length <= 64)
        {
            IncrementalHash.Initialize(new Blake2b(output.Length), out var state);
            IncrementalHash.Update(ref state, length);
            IncrementalHash.Update(ref state, input);
            IncrementalHash.Finalize(ref state, output);
            return;
        }

        Span<byte> v = stackalloc byte[64];
        Span<byte> next = stackalloc byte[64];
        IncrementalHash.Initialize(HashAlgorithm.Blake2b_512, out var first);
        IncrementalHash.Update(ref first, length);
        IncrementalHash.Update(ref first, input);
        IncrementalHash.Finalize(ref first, v);
        v[..32].CopyTo(output);
        int r = ((output.Length + 31) / 32) - 2;
        int position = 32;
        for (int i = 2; i <= r; i++)
        {
            HashAlgorithm.Blake2b_512.Hash(v, next);
            next.CopyTo(v);
            v[..32].CopyTo(output[position..]);
            position += 32;
        }

        new Blake2b(output.Length - position).Hash(v, output[position..]);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(v);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(next);
    }

    private static void FillSegment(ulong* memory, int pass, int slice, int lane, int lanes, int laneLength, int segment, int blocks, int passes,
        ulong* scratch)
    {
        ulong* zero = scratch;
        ulong* input = scratch + BlockWords;
        ulong* addresses = scratch + (2 * BlockWords);
        bool independent = pass == 0 && slice < SyncPoints / 2;
        if (independent)
        {
            new Span<ulong>(scratch, 2 * BlockWords).Clear();
            input[0] = (ulong)pass;
            input[1] = (ulong)lane;
            input[2] = (ulong)slice;
            input[3] = (ulong)blocks;
            input[4] = (ulong)passes;
            input[5] = Argon2idType;
        }

        int start = 0;
        if (pass == 0 && slice == 0)
        {
            start = 2;
            if (independent)
            {
                NextAddresses(addresses, input, zero);
            }
        }

        long current = ((long)lane * laneLength) + ((long)slice * segment) + start;
        long previous = current % laneLength == 0 ? current + laneLength - 1 : current - 1;
        for (int i = start; i < segment; i++, current++, previous++)
        {
            if (current % laneLength == 1)
            {
                previous = current - 1;
            }

            ulong pseudoRandom;
            if (independent)
            {
                if (i % AddressesInBlock == 0)
                {
                    NextAddresses(addresses, input, zero);
                }

                pseudoRandom = addresses[i % AddressesInBlock];
            }
            else
            {
                pseudoRandom = memory[previous * BlockWords];
            }

            int referenceLane = pass == 0 && slice == 0 ? lane : (int)((pseudoRandom >> 32) % (ulong)lanes);
            long referenceIndex = ReferenceIndex(pass, slice, i, segment, laneLength, (uint)pseudoRandom, referenceLane == lane);
            ulong* reference = memory + ((((long)laneLength * referenceLane) + referenceIndex) * BlockWords);
            FillBlock(memory + (previous * BlockWords), reference, memory + (current * BlockWords), withXor: pass != 0);
        }
    }

    private static void NextAddresses(ulong* addresses, ulong* input, ulong* zero)
    {
        input[6]++;
        FillBlock(zero, input, addresses, withXor: false);
        FillBlock(zero, addresses, addresses, withXor: false);
    }

    /// <summary>The reference block's index within its lane (RFC 9106 §3.4.2).</summary>
    private static long ReferenceIndex(int pass, int slice, int index, int segment, int laneLength, uint pseudoRandom, bool sameLane)
    {
        uint area;
        if (pass == 0)
        {
            area = slice == 0
                ? (uint)(index - 1)
                : sameLane ? (uint)((slice * segment) + index - 1) : (uint)((slice * segment) + (index == 0 ? -1 : 0));
        }
        else
        {
            area = sameLane ? (uint)(laneLength - segment + index - 1) : (uint)(laneLength - segment + (index == 0 ? -1 : 0));
        }

        ulong relative = pseudoRandom;
        relative = (relative * relative) >> 32;
        relative = area - 1 - ((area * relative) >> 32);
        ulong start = pass != 0 && slice != SyncPoints - 1 ? (ulong)((slice + 1) * segment) : 0;
        return (long)((start + relative) % (ulong)laneLength);
    }

    /// <summary>The compression G (RFC 9106 §3.5): next = P(prev ⊕ ref) ⊕ prev ⊕ ref (⊕ next's old value from the second pass).</summary>
    [SkipLocalsInit]
    private static void FillBlock(ulong* previous, ulong* reference, ulong* next, bool withXor)
    {
        Vector256<ulong>* r = stackalloc Vector256<ulong>[32];
        Vector256<ulong>* t = stackalloc Vector256<ulong>[32];
        for (int i = 0; i < 32; i++)
        {
            var x = Vector256.Load(previous + (4 * i)) ^ Vector256.Load(reference + (4 * i));
            r[i] = x;
            t[i] = withXor ? x ^ Vector256.Load(next + (4 * i)) : x;
        }

        // The rows: sixteen words each, four registers.
        for (int i = 0; i < 8; i++)
        {
            // Locals, so that the inlined round works in registers.
            var a = r[4 * i];
            var b = r[(4 * i) + 1];
            var c = r[(4 * i) + 2];
            var d = r[(4 * i) + 3];
            Round(ref a, ref b, ref c, ref d);
            r[4 * i] = a;
            r[(4 * i) + 1] = b;
            r[(4 * i) + 2] = c;
            r[(4 * i) + 3] = d;
        }

        // The columns: column c is the word pairs 2c + 16k (k = 0..7); registers j and j + 4·k hold columns 2j and 2j + 1.
        for (int j = 0; j < 4; j++)
        {
            var a0 = Avx2.Permute2x128(r[j], r[j + 4], 0x20);
            var a1 = Avx2.Permute2x128(r[j], r[j + 4], 0x31);
            var b0 = Avx2.Permute2x128(r[j + 8], r[j + 12], 0x20);
            var b1 = Avx2.Permute2x128(r[j + 8], r[j + 12], 0x31);
            var c0 = Avx2.Permute2x128(r[j + 16], r[j + 20], 0x20);
            var c1 = Avx2.Permute2x128(r[j + 16], r[j + 20], 0x31);
            var d0 = Avx2.Permute2x128(r[j + 24], r[j + 28], 0x20);
            var d1 = Avx2.Permute2x128(r[j + 24], r[j + 28], 0x31);
            Round(ref a0, ref b0, ref c0, ref d0);
            Round(ref a1, ref b1, ref c1, ref d1);
            r[j] = Avx2.Permute2x128(a0, a1, 0x20);
            r[j + 4] = Avx2.Permute2x128(a0, a1, 0x31);
            r[j + 8] = Avx2.Permute2x128(b0, b1, 0x20);
            r[j + 12] = Avx2.Permute2x128(b0, b1, 0x31);
            r[j + 16] = Avx2.Permute2x128(c0, c1, 0x20);
            r[j + 20] = Avx2.Permute2x128(c0, c1, 0x31);
            r[j + 24] = Avx2.Permute2x128(d0, d1, 0x20);
            r[j + 28] = Avx2.Permute2x128(d0, d1, 0x31);
        }

        for (int i = 0; i < 32; i++)
        {
            (r[i] ^ t[i]).Store(next + (4 * i));
        }
    }

    /// <summary>The permutation P on sixteen words v0..v15 held as a = v0..v3, b = v4..v7, c = v8..v11, d = v12..v15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        Mix(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0x39);
        c = Avx2.Permute4x64(c, 0x4E);
        d = Avx2.Permute4x64(d, 0x93);
        Mix(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0x93);
        c = Avx2.Permute4x64(c, 0x4E);
        d = Avx2.Permute4x64(d, 0x39);
    }

    /// <summary>GB of RFC 9106 §3.6 in four lanes at once: Blake2b's G with the multiplication 2·lo(x)·lo(y) added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        a = BlaMka(a, b);
        d = Avx2.Shuffle((d ^ a).AsUInt32(), 0xB1).AsUInt64();
        c = BlaMka(c, d);
        b = Avx2.Shuffle((b ^ c).AsByte(), Rotate24).AsUInt64();
        a = BlaMka(a, b);
        d = Avx2.Shuffle((d ^ a).AsByte(), Rotate16).AsUInt64();
        c = BlaMka(c, d);
        b = RotateRight63(b ^ c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> BlaMka(Vector256<ulong> x, Vector256<ulong> y)
    {
        var product = Avx2.Multiply(x.AsUInt32(), y.AsUInt32());
        return x + y + product + product;
    }

    /// <summary>Rotation right by 63 bits: (x ≫ 63) ⊕ (x + x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight63(Vector256<ulong> x) => Vector256.ShiftRightLogical(x, 63) ^ (x + x);
}
