using System.Diagnostics;

namespace Pype.Media;

/// <summary>The one monotonic clock that capture, encode, decode and render times are read from.</summary>
public static class MediaClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static TimeSpan Now => Stopwatch.GetElapsedTime(Origin);
}
