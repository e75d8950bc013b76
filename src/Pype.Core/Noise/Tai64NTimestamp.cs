using System.Buffers.Binary;

namespace Pype.Core.Noise;

/// <summary>
/// A 12-byte TAI64N label (big-endian seconds since 1970 offset by 2^62, then nanoseconds).
/// Big-endian makes byte order equal time order, so a responder compares them as bytes.
/// Leap seconds are ignored: only monotonicity per peer matters here.
/// </summary>
public readonly record struct Tai64NTimestamp(ulong Seconds, uint Nanoseconds) : IComparable<Tai64NTimestamp>
{
    public const int Length = 12;

    private const ulong Tai64Epoch = 1UL << 62;
    private const int NanosecondsPerTick = 100;

    public static Tai64NTimestamp From(DateTimeOffset time)
    {
        var unixSeconds = time.ToUnixTimeSeconds();
        var ticksIntoSecond = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % TimeSpan.TicksPerSecond;
        return new Tai64NTimestamp(Tai64Epoch + (ulong)unixSeconds, (uint)(ticksIntoSecond * NanosecondsPerTick));
    }

    /// <summary>The label of a moment given in nanoseconds since 1970 (negative before it).</summary>
    public static Tai64NTimestamp FromUnixNanoseconds(long nanoseconds)
    {
        var seconds = Math.DivRem(nanoseconds, 1_000_000_000L, out var rest);
        if (rest < 0) (seconds, rest) = (seconds - 1, rest + 1_000_000_000L);
        return new Tai64NTimestamp((ulong)((long)Tai64Epoch + seconds), (uint)rest);
    }

    /// <summary>Nanoseconds since 1970; saturates for labels outside about 1678–2262.</summary>
    public long ToUnixNanoseconds()
    {
        const ulong MaxSeconds = long.MaxValue / 1_000_000_000UL - 1;
        if (Seconds > Tai64Epoch + MaxSeconds) return long.MaxValue;
        if (Seconds < Tai64Epoch - MaxSeconds) return -long.MaxValue;
        var seconds = (long)Seconds - (long)Tai64Epoch;
        return seconds * 1_000_000_000L + Math.Min(Nanoseconds, 999_999_999U);
    }

    public static bool TryRead(ReadOnlySpan<byte> bytes, out Tai64NTimestamp timestamp)
    {
        timestamp = default;
        if (bytes.Length != Length)
            return false;
        timestamp = new Tai64NTimestamp(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));
        return true;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Seconds);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Nanoseconds);
        return bytes;
    }

    public int CompareTo(Tai64NTimestamp other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);

    public static bool operator >(Tai64NTimestamp left, Tai64NTimestamp right) => left.CompareTo(right) > 0;

    public static bool operator <(Tai64NTimestamp left, Tai64NTimestamp right) => left.CompareTo(right) < 0;

    public static bool operator >=(Tai64NTimestamp left, Tai64NTimestamp right) => left.CompareTo(right) >= 0;

    public static bool operator <=(Tai64NTimestamp left, Tai64NTimestamp right) => left.CompareTo(right) <= 0;
}
