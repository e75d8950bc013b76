namespace Pype.Core.Rtp.Playout;

/// <summary>
/// Holds complete video frames until their capture time plus the target delay, then releases them
/// in the order they were pushed (decode order). The sender's capture clock is mapped to ours by
/// the smallest (arrival − capture) seen lately: the frame that came fastest defines "no queueing",
/// and every frame is released at that fastest delay plus the target. So with a target of about
/// zero (a clean path) frames go out the moment they are whole; on a jittery path, frames that came
/// early wait for the ones that come late, and motion stays even.
/// <para>
/// The minimum is taken over two windows of <see cref="BaselineWindow"/>, so clock drift or a route
/// change that lengthens the path is followed within ten seconds. At most <see cref="MaxHeld"/>
/// frames wait; beyond that the oldest goes out at once.
/// </para>
/// </summary>
public sealed class VideoPlayoutGate<TFrame>
{
    public static readonly TimeSpan BaselineWindow = TimeSpan.FromSeconds(5);

    /// <summary>Below this the target counts as zero: sub-millisecond holding would only add a timer tick.</summary>
    public static readonly TimeSpan ReleaseAtOnceBelow = TimeSpan.FromMilliseconds(1);

    public const int MaxHeld = 30;

    private readonly Queue<(TFrame Frame, long CaptureMicroseconds)> held = new();
    private long? currentWindowMin;
    private long? previousWindowMin;
    private DateTimeOffset windowStart;

    /// <summary>Frames released early because <see cref="MaxHeld"/> were waiting.</summary>
    public long ReleasedEarly { get; private set; }

    public int HeldCount => held.Count;

    public void Push(TFrame frame, long captureMicroseconds, DateTimeOffset arrival)
    {
        var offset = (arrival - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond - captureMicroseconds;
        if (currentWindowMin is null || arrival - windowStart >= BaselineWindow)
        {
            previousWindowMin = currentWindowMin;
            currentWindowMin = offset;
            windowStart = arrival;
        }
        else if (offset < currentWindowMin)
            currentWindowMin = offset;
        held.Enqueue((frame, captureMicroseconds));
    }

    /// <summary>Frames due at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<TFrame> Release(DateTimeOffset now, TimeSpan target)
    {
        var due = new List<TFrame>();
        while (held.TryPeek(out var head) && (held.Count > MaxHeld || ReleaseTime(head.CaptureMicroseconds, target) <= now))
        {
            if (held.Count > MaxHeld && ReleaseTime(head.CaptureMicroseconds, target) > now)
                ReleasedEarly++;
            due.Add(held.Dequeue().Frame);
        }
        return due;
    }

    /// <summary>When the oldest held frame is due; null when none is held.</summary>
    public DateTimeOffset? NextDeadline(TimeSpan target) =>
        held.TryPeek(out var head) ? ReleaseTime(head.CaptureMicroseconds, target) : null;

    private DateTimeOffset ReleaseTime(long captureMicroseconds, TimeSpan target)
    {
        if (target < ReleaseAtOnceBelow)
            return DateTimeOffset.MinValue;
        var baseline = Math.Min(currentWindowMin ?? 0, previousWindowMin ?? long.MaxValue);
        return DateTimeOffset.UnixEpoch + TimeSpan.FromMicroseconds(captureMicroseconds + baseline) + target;
    }
}
