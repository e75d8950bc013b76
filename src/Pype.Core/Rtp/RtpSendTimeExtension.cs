namespace Pype.Core.Rtp;

/// <summary>
/// Pype's send-time element in the RFC 8285 one-byte header extension form: local identifier 2,
/// value the moment the sender handed the packet to the network, in WebRTC's abs-send-time format
/// (24 bits, 6.18 fixed-point seconds, big-endian; wraps every 64 s, steps of 3.8 µs).
/// <para>
/// Why this and not the capture time: a packet's capture time says when the frame was taken, so
/// (arrival − capture) grows when the sender's own encoder falls behind, and a receiver cannot
/// tell that from a filling network queue (docs/RESILIENCE.md §5). Why 24 bits: element header +
/// 3 value bytes is exactly one 32-bit word, so the stamp costs 4 bytes a packet; a microsecond
/// stamp of 32 bits would need a padded second word. The delay trend only ever subtracts stamps
/// less than a couple of seconds apart, far inside the 64 s wrap.
/// </para>
/// </summary>
public static class RtpSendTimeExtension
{
    public const byte SendTimeId = 2;

    public const int ValueLength = 3;

    /// <summary>One element header byte plus the value: one word.</summary>
    public const int ElementLength = 1 + ValueLength;

    public const int FractionBits = 18;

    public const uint MaxValue = (1u << (ValueLength * 8)) - 1;

    private const long MicrosecondsPerSecond = 1_000_000;

    /// <summary>The 24-bit stamp of a time given in microseconds since the Unix epoch.</summary>
    public static uint FromUnixMicroseconds(long microseconds)
    {
        var seconds = microseconds / MicrosecondsPerSecond;
        var fraction = microseconds % MicrosecondsPerSecond;
        return (uint)(((seconds & 0x3F) << FractionBits) | ((fraction << FractionBits) / MicrosecondsPerSecond)) & MaxValue;
    }

    public static uint From(DateTimeOffset time) =>
        FromUnixMicroseconds((time - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// <paramref name="later"/> − <paramref name="earlier"/> in microseconds, taking the shorter
    /// way round the 64 s circle (so −32 s to +32 s).
    /// </summary>
    public static double DifferenceMicroseconds(uint later, uint earlier)
    {
        var units = (int)((later - earlier) << 8) >> 8;
        return units * (double)MicrosecondsPerSecond / (1 << FractionBits);
    }

    internal static void WriteElement(uint sendTime, Span<byte> destination)
    {
        if (sendTime > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(sendTime), "A send time has 24 bits.");
        destination[0] = (byte)((SendTimeId << 4) | (ValueLength - 1));
        destination[1] = (byte)(sendTime >> 16);
        destination[2] = (byte)(sendTime >> 8);
        destination[3] = (byte)sendTime;
    }
}
