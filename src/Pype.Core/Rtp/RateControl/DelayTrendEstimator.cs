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
/// Receiver-side delay signal for <see cref="SendRateController.OnDelayTrend"/>: the slope of
/// one-way delay (arrival − capture time, offset unknown and irrelevant) against arrival time,
/// by least squares over the last second, plus the bitrate received over that second. A slope
/// over +1% (10 ms more delay per second) with at least 10 ms of queueing above the lowest delay
/// seen is overuse; a slope under −1% is underuse. The thresholds are first guesses, checked only
/// against the simulated bottleneck in the tests; they want tuning in the NAT lab. The lowest delay
/// is kept for the whole stream, so clock drift over a long call slowly biases the queueing check.
/// </summary>
public sealed class DelayTrendEstimator
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public const double SlopeThreshold = 0.01;

    public static readonly TimeSpan MinQueueing = TimeSpan.FromMilliseconds(10);

    /// <summary>Samples needed in the window before a trend other than Normal is reported.</summary>
    public const int MinSamples = 10;

    private readonly Queue<(DateTimeOffset Arrival, double DelayMs, int Bytes)> samples = new();
    private DateTimeOffset? firstArrival;
    private double minDelayMs = double.MaxValue;
    private long bytesInWindow;

    public void OnPacket(long captureMicroseconds, DateTimeOffset arrival, int bytes)
    {
        firstArrival ??= arrival;
        var delayMs = ((arrival - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerMillisecond) - captureMicroseconds / 1000.0;
        minDelayMs = Math.Min(minDelayMs, delayMs);
        samples.Enqueue((arrival, delayMs, bytes));
        bytesInWindow += bytes;
        Expire(arrival);
    }

    /// <summary>Bits per second received over the last <see cref="Window"/> (or since the first packet, if sooner).</summary>
    public long ReceiveBitrate(DateTimeOffset now)
    {
        Expire(now);
        if (firstArrival is not { } first)
            return 0;
        var span = now - first < Window ? now - first : Window;
        return span <= TimeSpan.Zero ? 0 : (long)(bytesInWindow * 8 / span.TotalSeconds);
    }

    public DelayTrend Trend(DateTimeOffset now)
    {
        Expire(now);
        if (samples.Count < MinSamples)
            return DelayTrend.Normal;
        var origin = samples.Peek().Arrival;
        double n = samples.Count, sumX = 0, sumY = 0, sumXx = 0, sumXy = 0, lastDelay = 0;
        foreach (var (arrival, delay, _) in samples)
        {
            var x = (arrival - origin).TotalMilliseconds;
            sumX += x;
            sumY += delay;
            sumXx += x * x;
            sumXy += x * delay;
            lastDelay = delay;
        }
        var denominator = n * sumXx - sumX * sumX;
        if (denominator <= 0)
            return DelayTrend.Normal;
        var slope = (n * sumXy - sumX * sumY) / denominator;
        if (slope > SlopeThreshold && lastDelay - minDelayMs >= MinQueueing.TotalMilliseconds)
            return DelayTrend.Overusing;
        return slope < -SlopeThreshold ? DelayTrend.Underusing : DelayTrend.Normal;
    }

    private void Expire(DateTimeOffset now)
    {
        while (samples.TryPeek(out var oldest) && now - oldest.Arrival > Window)
            bytesInWindow -= samples.Dequeue().Bytes;
    }
}
