namespace Pype.Core.Media;

/// <summary>What one call's media pipeline counts; each stage reports its own.</summary>
public enum MediaCounter
{
    VideoFramesCaptured,
    VideoFramesEncoded,
    VideoKeyframesEncoded,
    VideoFramesSent,
    VideoPacketsSent,
    AudioFramesCaptured,
    AudioPacketsSent,
    PacketsSent,
    BytesSent,
    PacketsReceived,
    BytesReceived,
    VideoPacketsReceived,
    VideoPacketsLost,
    VideoFramesReceivedComplete,
    VideoFramesReceivedIncomplete,
    /// <summary>NAL units dropped because one of their FU-A fragments was lost.</summary>
    VideoNalUnitsDropped,
    VideoFramesDecoded,
    VideoFramesRendered,
    AudioPacketsReceived,
    AudioPacketsLost,
    AudioFramesDecoded,
    /// <summary>Lost 20 ms frames filled by packet loss concealment.</summary>
    AudioFramesConcealed,
    /// <summary>Lost 20 ms frames rebuilt from the next packet's in-band FEC.</summary>
    AudioFramesRecovered,
    AudioFramesPlayed,
    EncoderRestarts,
    DecoderRestarts,
    /// <summary>Video packets sent again because the peer NACKed them.</summary>
    VideoPacketsRetransmitted,
    /// <summary>NACKed video packets no longer in the send history (too old or overwritten).</summary>
    VideoPacketsNackedButGone,
    /// <summary>Keyframes the encoder made because the peer asked (PLI).</summary>
    VideoKeyframesRequested,
    /// <summary>Encoder bitrate or size changes made for the send-rate controller.</summary>
    EncoderReconfigurations,
    /// <summary>Times the audio playout buffer ran dry while playing.</summary>
    AudioUnderruns,
    /// <summary>Frames the audio playout buffer skipped to shrink towards its target.</summary>
    AudioFramesDropped,
    /// <summary>Frames of concealment the audio playout buffer inserted to grow towards its target.</summary>
    AudioFramesStretched,
}

/// <summary>
/// Counters, drops by reason and a window of capture-to-render latencies for one call. Plain and
/// single-threaded: the session actor owns one and feeds it the stages' reports.
/// </summary>
public sealed class MediaStatsAccumulator
{
    private readonly long[] counters = new long[Enum.GetValues<MediaCounter>().Length];
    private readonly SortedDictionary<string, long> drops = new(StringComparer.Ordinal);

    public LatencyWindow Latency { get; } = new();

    /// <summary>Capture to the moment a decoded audio frame was handed to the output (or thrown away for want of one).</summary>
    public LatencyWindow AudioLatency { get; } = new();

    public long this[MediaCounter counter] => counters[(int)counter];

    public void Add(MediaCounter counter, long amount = 1) => counters[(int)counter] += amount;

    public void Drop(string reason, long amount = 1)
    {
        if (amount <= 0) return;
        drops[reason] = drops.GetValueOrDefault(reason) + amount;
    }

    public IReadOnlyDictionary<string, long> DropsByReason() => new SortedDictionary<string, long>(drops, StringComparer.Ordinal);
}

/// <summary>
/// The last <see cref="Capacity"/> latency samples (about ten seconds of video at 30 fps), so the
/// percentiles describe the call now rather than its first minute.
/// </summary>
public sealed class LatencyWindow
{
    public const int Capacity = 300;

    private readonly TimeSpan[] samples = new TimeSpan[Capacity];
    private int next;

    public int Count { get; private set; }

    public void Add(TimeSpan latency)
    {
        samples[next] = latency;
        next = (next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="percent"/> ≤ 100), or null with no samples.</summary>
    public TimeSpan? Percentile(double percent)
    {
        if (percent is <= 0 or > 100) throw new ArgumentOutOfRangeException(nameof(percent));
        if (Count == 0) return null;
        var sorted = samples.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percent / 100 * Count);
        return sorted[Math.Clamp(rank, 1, Count) - 1];
    }
}
