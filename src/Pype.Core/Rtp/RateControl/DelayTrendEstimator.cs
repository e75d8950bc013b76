namespace Pype.Core.Rtp.RateControl;

public enum DelayTrend
{
    Normal,
    /// <summary>One-way delay is rising: a queue is building on the path, we send more than it carries.</summary>
    Overusing,
    /// <summary>One-way delay is falling: a queue is draining.</summary>
    Underusing,
}

/// <summary>
/// Receiver-side delay signal for <see cref="SendRateController.OnDelayTrend"/>, after GCC's
/// trendline (draft-ietf-rmcat-gcc §5.3; libwebrtc's TrendlineEstimator), sans-IO.
/// <para>
/// Input: each video packet's send time (<see cref="RtpSendTimeExtension"/>, stamped as it left the
/// sender) and arrival time. Packets sent within <see cref="GroupSpan"/> of a group's first form one
/// group (a frame's packets, a burst); for each group, d = (arrival spacing − send spacing) from the
/// previous group is how much longer the path took, and the running sum of d is the queueing delay
/// up to an unknown constant (clock offsets cancel). Send times, not capture times: time a frame
/// spent being encoded or waiting in the sender never shows up as d.
/// </para>
/// <para>
/// Over-use needs, for <see cref="OveruseHold"/> and <see cref="MinOveruseGroups"/> groups in a row,
/// either the least-squares slope of that sum against arrival time over the last
/// <see cref="SlopeWindow"/> above <see cref="SlopeThreshold"/> with a real queue behind it (the
/// window's mean at least <see cref="MinQueueing"/> above the lowest such mean of the last
/// <see cref="BaselineWindow"/>), or a <see cref="StandingQueue"/> that is not draining. A slope
/// below −<see cref="SlopeThreshold"/> is under-use (a queue draining).
/// Random loss without a queue moves none of this, so it never reads as over-use.
/// </para>
/// </summary>
public sealed class DelayTrendEstimator
{
    /// <summary>GCC's burst time: packets sent this close together are one group.</summary>
    public static readonly TimeSpan GroupSpan = TimeSpan.FromMilliseconds(5);

    public static readonly TimeSpan SlopeWindow = TimeSpan.FromSeconds(1);

    /// <summary>Groups needed in <see cref="SlopeWindow"/> before a slope counts.</summary>
    public const int MinGroups = 8;

    /// <summary>
    /// Queueing delay growing by 30 ms a second: sending about 3 % above what the path carries.
    /// Under ±40 ms of random path jitter (the lab's worst) the slope over a second of 30 fps
    /// groups has a standard deviation of about 0.015, so this is two of them, and over-use also
    /// needs it held (<see cref="OveruseHold"/>) with a real queue behind it.
    /// </summary>
    public const double SlopeThreshold = 0.02;

    public static readonly TimeSpan MinQueueing = TimeSpan.FromMilliseconds(15);

    /// <summary>
    /// A queue this deep that is not draining is over-use even when flat: a full drop-tail buffer
    /// holds its delay level while it drops, and a slope alone would call that normal for ever.
    /// </summary>
    public static readonly TimeSpan StandingQueue = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan OveruseHold = TimeSpan.FromMilliseconds(100);

    public const int MinOveruseGroups = 4;

    /// <summary>
    /// How long the lowest delay is remembered: long enough to see under a standing queue for a
    /// while, short enough that two clocks drifting apart (tens of ppm) do not build a false queue.
    /// </summary>
    public static readonly TimeSpan BaselineWindow = TimeSpan.FromSeconds(15);

    /// <summary>The receive rate is counted over this window.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    private readonly Queue<(DateTimeOffset Arrival, int Bytes)> received = new();
    private readonly Queue<(DateTimeOffset Arrival, double DelayMs)> window = new();
    private readonly LinkedList<(DateTimeOffset Arrival, double DelayMs)> lows = new();
    private DateTimeOffset? firstArrival;
    private long bytesInWindow;
    private Group? open;
    private Group? previous;
    private double accumulatedMs;
    private DateTimeOffset? overuseSince;
    private int overuseGroups;
    private DateTimeOffset lastGroupAt;

    /// <summary>The state after the last completed group (Normal until enough groups were seen).</summary>
    public DelayTrend State { get; private set; }

    /// <summary>The latest slope of queueing delay against arrival time (ms per ms), 0 until measured.</summary>
    public double Slope { get; private set; }

    /// <summary>Queueing delay: the mean delay of the last <see cref="SlopeWindow"/> above the lowest such mean of the <see cref="BaselineWindow"/>.</summary>
    public TimeSpan QueueDelay { get; private set; }

    /// <summary>One video packet: its 24-bit send time and when it arrived.</summary>
    public void OnPacket(uint sendTime, DateTimeOffset arrival, int bytes)
    {
        firstArrival ??= arrival;
        received.Enqueue((arrival, bytes));
        bytesInWindow += bytes;
        ExpireReceived(arrival);

        if (open is not { } group)
        {
            open = new Group(sendTime, sendTime, arrival);
            return;
        }
        var sinceFirst = RtpSendTimeExtension.DifferenceMicroseconds(sendTime, group.FirstSend);
        if (sinceFirst < 0)
            return; // sent before the group began: reordered, or a stray; its spacing says nothing
        if (sinceFirst <= GroupSpan.TotalMicroseconds)
        {
            open = group with
            {
                LastSend = RtpSendTimeExtension.DifferenceMicroseconds(sendTime, group.LastSend) > 0 ? sendTime : group.LastSend,
                LastArrival = arrival > group.LastArrival ? arrival : group.LastArrival,
            };
            return;
        }
        Complete(group);
        open = new Group(sendTime, sendTime, arrival);
    }

    /// <summary>Bits per second received over the last <see cref="RateWindow"/> (or since the first packet, if sooner).</summary>
    public long ReceiveBitrate(DateTimeOffset now)
    {
        ExpireReceived(now);
        if (firstArrival is not { } first)
            return 0;
        var span = now - first < RateWindow ? now - first : RateWindow;
        return span <= TimeSpan.Zero ? 0 : (long)(bytesInWindow * 8 / span.TotalSeconds);
    }

    /// <summary>When <see cref="Trend"/> falls back to Normal if no further group completes.</summary>
    public DateTimeOffset StaleAfter => lastGroupAt + SlopeWindow;

    /// <summary>The state, or Normal when no group has completed for a <see cref="SlopeWindow"/> (the stream paused).</summary>
    public DelayTrend Trend(DateTimeOffset now) => now - lastGroupAt > SlopeWindow ? DelayTrend.Normal : State;

    private void Complete(Group group)
    {
        var last = previous;
        previous = group;
        // After a pause the spacing says nothing about a queue (and past 32 s the 24-bit stamps alias).
        if (last is not { } before || group.LastArrival - before.LastArrival > BaselineWindow / 5)
            return;
        var sendDeltaMs = RtpSendTimeExtension.DifferenceMicroseconds(group.LastSend, before.LastSend) / 1000;
        var arrivalDeltaMs = (group.LastArrival - before.LastArrival).TotalMilliseconds;
        accumulatedMs += arrivalDeltaMs - sendDeltaMs;
        var at = group.LastArrival;
        lastGroupAt = at;

        window.Enqueue((at, accumulatedMs));
        while (window.TryPeek(out var oldest) && at - oldest.Arrival > SlopeWindow)
            window.Dequeue();
        var (slope, meanMs) = Fit(window);
        // The lowest one-second mean of the baseline window is "no queue": a mean, not a single
        // sample, so path jitter does not set a floor under which every later sample looks queued.
        while (lows.Last is { } tail && tail.Value.DelayMs >= meanMs)
            lows.RemoveLast();
        lows.AddLast((at, meanMs));
        while (lows.First is { } head && at - head.Value.Arrival > BaselineWindow)
            lows.RemoveFirst();
        QueueDelay = TimeSpan.FromMilliseconds(meanMs - lows.First!.Value.DelayMs);

        if (window.Count < MinGroups)
            return;
        Slope = slope;
        var rising = Slope > SlopeThreshold && QueueDelay >= MinQueueing;
        var standing = Slope >= -SlopeThreshold && QueueDelay >= StandingQueue;
        if (rising || standing)
        {
            overuseSince ??= at;
            overuseGroups++;
            if (at - overuseSince >= OveruseHold && overuseGroups >= MinOveruseGroups)
                State = DelayTrend.Overusing;
            return;
        }
        overuseSince = null;
        overuseGroups = 0;
        State = Slope < -SlopeThreshold ? DelayTrend.Underusing : DelayTrend.Normal;
    }

    /// <summary>Least-squares slope (ms per ms) and mean of the points' delays.</summary>
    private static (double Slope, double MeanMs) Fit(IReadOnlyCollection<(DateTimeOffset Arrival, double DelayMs)> points)
    {
        double n = 0, sumX = 0, sumY = 0, sumXx = 0, sumXy = 0;
        DateTimeOffset? origin = null;
        foreach (var (arrival, delay) in points)
        {
            origin ??= arrival;
            var x = (arrival - origin.Value).TotalMilliseconds;
            n++;
            sumX += x;
            sumY += delay;
            sumXx += x * x;
            sumXy += x * delay;
        }
        var denominator = n * sumXx - sumX * sumX;
        return (denominator <= 0 ? 0 : (n * sumXy - sumX * sumY) / denominator, sumY / n);
    }

    private void ExpireReceived(DateTimeOffset now)
    {
        while (received.TryPeek(out var oldest) && now - oldest.Arrival > RateWindow)
            bytesInWindow -= received.Dequeue().Bytes;
    }

    private readonly record struct Group(uint FirstSend, uint LastSend, DateTimeOffset LastArrival);
}
