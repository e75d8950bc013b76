using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;

namespace Pype.Core.Media;

// The call's statistics: what the stages report (counts, drops, latencies, frames shown), with
// what the feedback and the playout targets measure, read at any time.
public sealed partial class MediaSession
{
    private readonly MediaStatsAccumulator counters = new();

    /// <summary>Counters, drops by reason and latency windows, as the stages and this session reported them.</summary>
    public MediaStatsAccumulator Counters => counters;

    /// <summary>The feedback core, for its figures (RTT, loss, jitter, delay trend, rate target and rung, NACK and PLI counts).</summary>
    public RtcpSession Feedback => feedback;

    /// <summary>The picture size and frame rate the encoder last put out; null before any.</summary>
    public (int Width, int Height, int FrameRate)? SentFormat { get; private set; }

    public long Freezes => freezes.Freezes;

    public TimeSpan AudioPlayoutDelay => audioDelay.Target;

    public TimeSpan VideoPlayoutDelay => videoDelay.Target;

    /// <summary>Total time the received picture stood still, a stall in progress included.</summary>
    public TimeSpan FreezeTime(DateTimeOffset now) => freezes.Total(Elapsed(now));

    /// <summary>Rates over the last second and glass-to-glass percentiles over the last five.</summary>
    public CallStatisticsSnapshot Rates(DateTimeOffset now) => rates.Snapshot(now);

    /// <summary>A stage counted something; bytes and video frames sent also feed the rates.</summary>
    public void HandleCount(DateTimeOffset now, MediaCounter counter, long amount = 1)
    {
        counters.Add(counter, amount);
        if (counter == MediaCounter.BytesSent) rates.OnPacketSent(now, (int)amount);
        else if (counter == MediaCounter.VideoFramesSent) rates.OnFrameSent(now);
    }

    public void HandleDrop(string reason, long amount = 1) => counters.Drop(reason, amount);

    public void HandleEncodedFormat(int width, int height, int frameRate) => SentFormat = (width, height, frameRate);

    /// <summary>A received frame was shown, <paramref name="captureToRender"/> after it was captured; the first one is reported.</summary>
    public void HandleFrameShown(DateTimeOffset now, TimeSpan captureToRender)
    {
        if (!firstPictureTold)
        {
            firstPictureTold = true;
            outputs.Enqueue(new FirstPictureReached(now - flowStartedAt));
        }
        counters.Latency.Add(captureToRender);
        freezes.FrameShown(Elapsed(now));
        rates.OnFrameRendered(now, (Elapsed(now) - captureToRender).Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>A decoded audio frame reached the output (or was thrown away for want of one) this long after capture.</summary>
    public void HandleAudioPlayed(TimeSpan captureToPlay) => counters.AudioLatency.Add(captureToPlay);
}
