namespace Pype.Core.Rtp;

/// <summary>
/// Pype's fixed RTP profile: dynamic payload types (RFC 3551 §6, 96–127) chosen once, since Pype
/// has no SDP offer/answer, and the clock rate each payload format requires.
/// </summary>
public static class RtpPayloadFormat
{
    public const byte H264PayloadType = 96;

    /// <summary>RFC 6184 §8.2.1: the H.264 RTP clock is 90 kHz.</summary>
    public const int H264ClockRate = 90_000;

    public const byte OpusPayloadType = 111;

    /// <summary>RFC 7587 §4.1: always 48 kHz, whatever rate the encoder runs at.</summary>
    public const int OpusClockRate = 48_000;

    /// <summary>
    /// Converts a time in microseconds to an RTP timestamp: <paramref name="offset"/> (random per
    /// stream, RFC 3550 §5.1) plus the time in clock ticks, wrapping modulo 2^32.
    /// </summary>
    public static uint TimestampAt(long microseconds, int clockRate, uint offset) =>
        unchecked(offset + (uint)(long)((Int128)microseconds * clockRate / 1_000_000));
}
