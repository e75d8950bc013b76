namespace Pype.Core.Rtp;

/// <summary>
/// One moment of a call's media statistics, flat and in plain units (bits per second, frames per
/// second, milliseconds, fractions 0–1) so it maps straight onto a <c>call-stats</c> JSON event.
/// Null means "not measured yet".
/// </summary>
public sealed record CallStatisticsSnapshot(
    DateTimeOffset At,
    long SendBitrate,
    long ReceiveBitrate,
    double SendFrameRate,
    double ReceiveFrameRate,
    double? LossFraction,
    double? RemoteLossFraction,
    double? RoundTripMs,
    double? JitterMs,
    double? JitterBufferDelayMs,
    double? GlassToGlassP50Ms,
    double? GlassToGlassP95Ms,
    long PacketsSent,
    long PacketsReceived,
    long FramesSent,
    long FramesRendered);

/// <summary>
/// Accumulates what a call's media path reports and takes <see cref="Snapshot"/>s of it. Rates are
/// over the last second; glass-to-glass percentiles over the frames rendered in the last
/// <see cref="LatencyWindow"/> (nearest-rank). Glass-to-glass is render time minus the capture time
/// the sender stamped: exact when both ends share a clock (one machine, the lab), otherwise it
/// includes the offset between the two clocks.
/// </summary>
public sealed class CallStatistics
{
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan LatencyWindow = TimeSpan.FromSeconds(5);

    private readonly Queue<(DateTimeOffset At, int Bytes)> sent = new();
    private readonly Queue<(DateTimeOffset At, int Bytes)> received = new();
    private readonly Queue<DateTimeOffset> framesSent = new();
    private readonly Queue<(DateTimeOffset At, double LatencyMs)> framesRendered = new();
    private long sentBytesInWindow;
    private long receivedBytesInWindow;
    private long packetsSent;
    private long packetsReceived;
    private long totalFramesSent;
    private long totalFramesRendered;
    private double? lossFraction;
    private double? remoteLossFraction;
    private TimeSpan? roundTrip;
    private TimeSpan? jitter;
    private TimeSpan? jitterBufferDelay;

    public void OnPacketSent(DateTimeOffset now, int bytes)
    {
        packetsSent++;
        sent.Enqueue((now, bytes));
        sentBytesInWindow += bytes;
    }

    public void OnPacketReceived(DateTimeOffset now, int bytes)
    {
        packetsReceived++;
        received.Enqueue((now, bytes));
        receivedBytesInWindow += bytes;
    }

    public void OnFrameSent(DateTimeOffset now)
    {
        totalFramesSent++;
        framesSent.Enqueue(now);
    }

    public void OnFrameRendered(DateTimeOffset now, long? captureMicroseconds)
    {
        totalFramesRendered++;
        var latency = captureMicroseconds is { } capture
            ? (now - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerMillisecond - capture / 1000.0
            : double.NaN;
        framesRendered.Enqueue((now, latency));
    }

    /// <summary>Loss on the incoming streams, e.g. from our own report block's fraction lost.</summary>
    public void OnLoss(double fraction) => lossFraction = fraction;

    /// <summary>Loss on our outgoing streams, as the peer's report block says.</summary>
    public void OnRemoteLoss(double fraction) => remoteLossFraction = fraction;

    public void OnRoundTrip(TimeSpan rtt) => roundTrip = rtt;

    public void OnJitter(TimeSpan value) => jitter = value;

    public void OnJitterBufferDelay(TimeSpan delay) => jitterBufferDelay = delay;

    public CallStatisticsSnapshot Snapshot(DateTimeOffset now)
    {
        Expire(now);
        var latencies = framesRendered.Select(f => f.LatencyMs).Where(l => !double.IsNaN(l)).Order().ToArray();
        var renderedInWindow = framesRendered.Count(f => now - f.At <= RateWindow);
        return new CallStatisticsSnapshot(
            now,
            sentBytesInWindow * 8,
            receivedBytesInWindow * 8,
            framesSent.Count,
            renderedInWindow,
            lossFraction,
            remoteLossFraction,
            roundTrip?.TotalMilliseconds,
            jitter?.TotalMilliseconds,
            jitterBufferDelay?.TotalMilliseconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            packetsSent,
            packetsReceived,
            totalFramesSent,
            totalFramesRendered);
    }

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private void Expire(DateTimeOffset now)
    {
        while (sent.TryPeek(out var s) && now - s.At > RateWindow)
            sentBytesInWindow -= sent.Dequeue().Bytes;
        while (received.TryPeek(out var r) && now - r.At > RateWindow)
            receivedBytesInWindow -= received.Dequeue().Bytes;
        while (framesSent.TryPeek(out var f) && now - f > RateWindow)
            framesSent.Dequeue();
        while (framesRendered.TryPeek(out var r) && now - r.At > LatencyWindow)
            framesRendered.Dequeue();
    }
}
