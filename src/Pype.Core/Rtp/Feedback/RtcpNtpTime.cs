namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// NTP timestamps (RFC 3550 §4: 32.32 fixed-point seconds since 1900-01-01 UTC) and the round-trip
/// time a sender derives from a report block's LSR and DLSR (RFC 3550 §6.4.1). Only differences
/// of these values are ever used, so both sides' clocks need not agree.
/// </summary>
public static class RtcpNtpTime
{
    private static readonly DateTimeOffset Epoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Units of the NTP short form (16.16) per second.</summary>
    public const long ShortUnitsPerSecond = 1 << 16;

    public static ulong FromTime(DateTimeOffset time)
    {
        var ticks = (time - Epoch).Ticks;
        if (ticks < 0)
            return 0;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)((UInt128)(ulong)(ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond);
        return unchecked((seconds << 32) | fraction);
    }

    /// <summary>The middle 32 bits: what a report block's LSR field carries.</summary>
    public static uint ToShort(ulong ntpTimestamp) => (uint)(ntpTimestamp >> 16);

    /// <summary>A duration in NTP short units (DLSR), saturating at the field's maximum.</summary>
    public static uint ToShort(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
            return 0;
        var units = (UInt128)(ulong)duration.Ticks * ShortUnitsPerSecond / TimeSpan.TicksPerSecond;
        return units > uint.MaxValue ? uint.MaxValue : (uint)units;
    }

    public static TimeSpan FromShort(uint units) => TimeSpan.FromTicks((long)units * TimeSpan.TicksPerSecond / ShortUnitsPerSecond);

    /// <summary>
    /// RFC 3550 §6.4.1: RTT = A − LSR − DLSR, where A is the arrival time of the report block.
    /// Null when the block has no LSR (no sender report received yet) or the result is negative
    /// (a report from before a clock jump, or a forged value).
    /// </summary>
    public static TimeSpan? RoundTrip(DateTimeOffset arrival, RtcpReportBlock block)
    {
        if (block.LastSenderReport == 0)
            return null;
        var units = unchecked(ToShort(FromTime(arrival)) - block.LastSenderReport - block.DelaySinceLastSenderReport);
        return units > int.MaxValue ? null : FromShort(units);
    }
}
