namespace Pype.Core.Media;

/// <summary>
/// How long the received picture stood still. A gap between two shown frames longer than
/// <see cref="Threshold"/> is a freeze, and all of it counts (a viewer notices the whole stall, not
/// just its part past the threshold). Counting starts at the first frame shown, so the call's
/// start-up is not a freeze; a stall still going on counts up to the moment asked.
/// </summary>
public sealed class FreezeMeter
{
    /// <summary>About six frame intervals at 30 fps: a stutter, not a dropped frame or two.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(200);

    private TimeSpan? lastShown;
    private TimeSpan finished;

    public long Freezes { get; private set; }

    public void FrameShown(TimeSpan now)
    {
        if (lastShown is { } last && now - last > Threshold)
        {
            finished += now - last;
            Freezes++;
        }
        lastShown = now;
    }

    /// <summary>Total freeze time up to <paramref name="now"/>, a stall in progress included.</summary>
    public TimeSpan Total(TimeSpan now) =>
        lastShown is { } last && now - last > Threshold ? finished + (now - last) : finished;
}
