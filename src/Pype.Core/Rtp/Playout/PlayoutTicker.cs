namespace Pype.Core.Rtp.Playout;

/// <summary>
/// Turns a coarse, irregular timer into a steady 20 ms playout rhythm: each look at the clock
/// returns how many frame ticks have come due since the first look. A timer that fires late or
/// early never speeds playback up or slows it down on average, so the jitter buffer's depth
/// reflects the network, not the scheduler.
/// <para>
/// A look that finds more than <see cref="MaxCatchUp"/> ticks due (the process was stalled) runs
/// only that many and moves the rhythm forward: playing a long backlog at once would only turn a
/// stall into a burst of concealment.
/// </para>
/// </summary>
public sealed class PlayoutTicker(TimeSpan period)
{
    public const int MaxCatchUp = 3;

    private TimeSpan? origin;
    private long ticksRun;

    public TimeSpan Period { get; } = period > TimeSpan.Zero ? period : throw new ArgumentOutOfRangeException(nameof(period));

    /// <summary>Ticks skipped because the clock jumped ahead further than <see cref="MaxCatchUp"/>.</summary>
    public long Skipped { get; private set; }

    /// <summary>When the next tick comes due; null before the first look starts the rhythm.</summary>
    public TimeSpan? NextDue => origin is { } start ? start + Period * ticksRun : null;

    /// <summary>How many ticks to run now; the first look starts the rhythm and runs one.</summary>
    public int Due(TimeSpan now)
    {
        if (origin is not { } start)
        {
            origin = now;
            ticksRun = 1;
            return 1;
        }
        var due = (now - start).Ticks / Period.Ticks + 1 - ticksRun;
        if (due <= 0) return 0;
        if (due > MaxCatchUp)
        {
            Skipped += due - MaxCatchUp;
            ticksRun += due - MaxCatchUp;
            due = MaxCatchUp;
        }
        ticksRun += due;
        return (int)due;
    }
}
