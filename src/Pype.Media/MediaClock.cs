using System.Diagnostics;

namespace Pype.Media;

/// <summary>The one monotonic clock that capture, encode, decode and render times are read from.</summary>
public static class MediaClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    /// <summary>Wall-clock microseconds at <see cref="Origin"/>, read once, so converted times never jump with the wall clock.</summary>
    private static readonly long OriginUnixMicroseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    public static TimeSpan Now => Stopwatch.GetElapsedTime(Origin);

    /// <summary>A media-clock time as microseconds since the Unix epoch: the RTP capture-time extension's unit.
    /// Two processes on one machine agree to within their start-up reads of the wall clock.</summary>
    public static long ToUnixMicroseconds(TimeSpan mediaTime) => OriginUnixMicroseconds + mediaTime.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Now as a wall-clock time that never jumps (the media clock from its origin): what the sans-IO RTCP cores take.</summary>
    public static DateTimeOffset UtcNow => DateTimeOffset.UnixEpoch.AddTicks(ToUnixMicroseconds(Now) * TimeSpan.TicksPerMicrosecond);

    public static TimeSpan FromUnixMicroseconds(long unixMicroseconds) =>
        TimeSpan.FromTicks((unixMicroseconds - OriginUnixMicroseconds) * TimeSpan.TicksPerMicrosecond);
}
