namespace Pype.Core.Media;

/// <summary>
/// Thins a stream of captured frames to a lower frame rate, evenly, by capture time: sans-IO, the
/// caller passes each frame's capture time and the rate it wants, and sends on only the frames
/// admitted. Frames are kept on a grid of 1/rate steps from the last kept one; a frame up to a
/// quarter of a step early still counts for its slot, so a jittery 30 fps camera thinned to 15 fps
/// keeps every other frame rather than drifting. After a gap of more than a step (a stalled source)
/// the grid restarts at the next frame instead of letting a burst through to catch up.
/// At a rate at or above the source's nominal one every frame is kept: a source's capture times
/// come in bursts on a busy machine (40 ms, then 25 ms apart at 30 fps), and thinning a stream
/// to its own rate must not cost a frame for that.
/// </summary>
public sealed class FrameDecimator
{
    private TimeSpan? nextDue;
    private int frameRate;

    /// <summary>Frames admitted and frames thinned out so far.</summary>
    public long Kept { get; private set; }

    public long Skipped { get; private set; }

    /// <summary>
    /// True when the frame captured at <paramref name="captureTime"/>, from a source that delivers
    /// <paramref name="sourceFrameRate"/> frames a second, should be sent at <paramref name="targetFrameRate"/>.
    /// </summary>
    public bool Admit(TimeSpan captureTime, int targetFrameRate, int sourceFrameRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetFrameRate, 1);
        var step = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / targetFrameRate);
        if (targetFrameRate >= sourceFrameRate)
        {
            (frameRate, nextDue) = (targetFrameRate, captureTime + step);
            Kept++;
            return true;
        }
        if (targetFrameRate != frameRate && nextDue is { } due)
            nextDue = due - TimeSpan.FromTicks(TimeSpan.TicksPerSecond / frameRate) + step; // the new step, from the last kept frame
        frameRate = targetFrameRate;
        if (nextDue is { } next && captureTime < next - step / 4)
        {
            Skipped++;
            return false;
        }
        nextDue = nextDue is { } slot && captureTime <= slot + step ? slot + step : captureTime + step;
        Kept++;
        return true;
    }
}
