using Pype.Core.Rtp.RateControl;

namespace Pype.Core.Rtp.Feedback;

/// <summary>The four SSRCs of a two-party call: ours from our media offer, the peer's from theirs.</summary>
public readonly record struct RtcpSessionSsrcs(uint LocalVideo, uint LocalAudio, uint RemoteVideo, uint RemoteAudio);

/// <summary>
/// The feedback side of one call's media (docs/protocol/rtp.md §7), sans-IO. It ties the cores of
/// this folder together: receive statistics for both incoming streams, a <see cref="NackScheduler"/>
/// for incoming video, and the <see cref="SendRateController"/> for outgoing video.
/// <para>
/// Inputs: <see cref="OnSent"/> for every outgoing RTP packet, <see cref="OnReceived"/> for every
/// incoming one, <see cref="OnRtcp"/> for every incoming 0x41 compound, <see cref="HandleTimeout"/>
/// at <see cref="NextDeadline"/> (or more often: a timeout with nothing due does nothing). After each, drain <see cref="TryTakeCompound"/> (RTCP to send),
/// <see cref="TryTakeRetransmission"/> (sequence numbers of our video the peer asked for) and
/// <see cref="TakeKeyframeRequest"/> (the peer wants a keyframe).
/// </para>
/// A report (SR per local stream that sent since the last report, else an RR, with a block per
/// incoming stream) goes out every <see cref="ReportInterval"/>; NACKs and PLIs go out at once,
/// each as its own reduced-size compound (RFC 5506), so a repair never waits for the report.
/// <para>
/// The delay trend of incoming video (<see cref="DelayTrendEstimator"/>, from the send times the
/// packets carry) goes back as a PYDT report: in every report, at once when the trend changes, and
/// every <see cref="OveruseReportInterval"/> while it is over-use, so the peer's controller can cut
/// within about an RTT. The peer's PYDT about our video feeds <see cref="Rate"/>.
/// </para>
/// </summary>
public sealed class RtcpSession
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    /// <summary>While over-using, the controller may cut once per RTT + 100 ms: it needs a fresh receive rate about that often.</summary>
    public static readonly TimeSpan OveruseReportInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>RFC 3550 §6.4.1: an SR's RTP timestamp is on the stream's media clock.</summary>
    public const int VideoClockRate = RtpPayloadFormat.H264ClockRate;

    public const int AudioClockRate = 48_000;

    private readonly RtcpSessionSsrcs ssrcs;
    private readonly RtpReceiveStatistics videoIn;
    private readonly RtpReceiveStatistics audioIn;
    private readonly NackScheduler nack;
    private readonly FrameArrivalJitter videoFrames = new(VideoClockRate);
    private readonly DelayTrendEstimator videoDelay = new();
    private readonly SentStream videoOut = new();
    private readonly SentStream audioOut = new();
    private readonly Queue<byte[]> compounds = new();
    private readonly Queue<IReadOnlyList<ushort>> retransmissions = new();
    /// <summary>Our video packets the peer NACKed since its last report block, each counted once.</summary>
    private readonly HashSet<ushort> nackedSinceBlock = [];
    private long videoPacketsAtLastBlock;
    private bool keyframeRequested;
    private DateTimeOffset? nextReport;
    private bool sendTimesSeen;
    private DelayTrend trendTold;
    private DateTimeOffset trendToldAt;
    /// <summary>A packet moved the delay trend away from what the peer was last told: tell it at the next timeout.</summary>
    private DateTimeOffset? trendChangedAt;

    public RtcpSession(RtcpSessionSsrcs ssrcs, SendRateController rate, NackSchedulerOptions? nackOptions = null)
    {
        this.ssrcs = ssrcs;
        Rate = rate;
        videoIn = new RtpReceiveStatistics(ssrcs.RemoteVideo, VideoClockRate);
        audioIn = new RtpReceiveStatistics(ssrcs.RemoteAudio, AudioClockRate);
        nack = new NackScheduler(nackOptions);
    }

    public SendRateController Rate { get; }

    /// <summary>The last round-trip time measured from a report block echoing one of our SRs; null before any.</summary>
    public TimeSpan? RoundTrip { get; private set; }

    /// <summary>Fraction of the peer's video lost on the way to us, over the last report interval.</summary>
    public double? LossFraction { get; private set; }

    /// <summary>Fraction of our video (or, if we send none, audio) lost on the way to the peer, as it last reported.</summary>
    public double? RemoteLossFraction { get; private set; }

    /// <summary>RFC 3550 per-packet jitter of the peer's video, as our report blocks carry it.</summary>
    public TimeSpan VideoJitter => videoIn.JitterTime;

    /// <summary>Jitter of the peer's video counted per frame (<see cref="FrameArrivalJitter"/>): what the video playout delay follows.</summary>
    public TimeSpan VideoFrameJitter => videoFrames.Jitter;

    public TimeSpan AudioJitter => audioIn.JitterTime;

    /// <summary>The delay trend of the peer's video on its way to us, from the send times it carries.</summary>
    public DelayTrend DelayTrend => videoDelay.State;

    /// <summary>Queueing delay of the peer's video on its way to us, above the lowest of the last seconds.</summary>
    public TimeSpan QueueDelay => videoDelay.QueueDelay;

    /// <summary>What the peer last reported (PYDT) of our video on its way: trend and queueing delay; null before any.</summary>
    public (DelayTrend Trend, TimeSpan QueueDelay)? RemoteDelay { get; private set; }

    public long NacksSent => nack.NacksSent;

    public long PlisSent => nack.KeyframeRequests;

    public long NacksReceived { get; private set; }

    public long PlisReceived { get; private set; }

    public long ReportsSent { get; private set; }

    public long ReportsReceived { get; private set; }

    /// <summary>Compounds that did not parse, or came from SSRCs that are not the peer's.</summary>
    public long Rejected { get; private set; }

    /// <summary>The path as the NACK logic sees it: RTT (100 ms until measured) and the video jitter.</summary>
    public NetworkEstimate Network => new(RoundTrip ?? Rate.RoundTrip, videoIn.JitterTime);

    /// <summary>How long the video receiver should hold packets behind a gap: until NACK gives the gap up, and a little more.</summary>
    public TimeSpan RepairWindow(TimeSpan margin, TimeSpan max)
    {
        var window = nack.GiveUpAfter(Network) + margin;
        return window > max ? max : window;
    }

    /// <summary>Some packets of one stream went out (a video frame's, or one audio packet).</summary>
    /// <param name="rtpTimestamp">Their RTP timestamp, for the SR's time pair.</param>
    /// <param name="payloadOctets">RTP payload bytes, what an SR's octet count counts.</param>
    public void OnSent(MediaStreamKind stream, uint rtpTimestamp, int packets, int payloadOctets, DateTimeOffset now)
    {
        var sent = stream == MediaStreamKind.Video ? videoOut : audioOut;
        sent.Packets += packets;
        sent.Octets += payloadOctets;
        sent.LastTimestamp = rtpTimestamp;
        sent.LastSentAt = now;
        sent.SentSinceReport = true;
        nextReport ??= now + ReportInterval;
    }

    public void OnReceived(MediaStreamKind stream, RtpPacket packet, DateTimeOffset now)
    {
        if (stream == MediaStreamKind.Audio)
        {
            audioIn.Receive(packet.SequenceNumber, packet.Timestamp, now);
        }
        else
        {
            videoIn.Receive(packet.SequenceNumber, packet.Timestamp, now);
            videoFrames.OnPacket(packet.Timestamp, now);
            if (packet.SendTime is { } sent)
            {
                sendTimesSeen = true;
                videoDelay.OnPacket(sent, now, RtpPacketCodec.LengthOf(packet));
                if (videoDelay.State != trendTold) trendChangedAt ??= now;
            }
            nack.OnPacket(packet.SequenceNumber, now, Network);
            DrainNack();
        }
        nextReport ??= now + ReportInterval;
    }

    public void OnRtcp(ReadOnlySpan<byte> compound, DateTimeOffset now)
    {
        var parsed = RtcpCodec.Parse(compound);
        if (!parsed.IsSuccess)
        {
            Rejected++;
            return;
        }
        foreach (var packet in parsed.Packets)
        {
            switch (packet)
            {
                case RtcpSenderReport sr when sr.Ssrc == ssrcs.RemoteVideo || sr.Ssrc == ssrcs.RemoteAudio:
                    (sr.Ssrc == ssrcs.RemoteVideo ? videoIn : audioIn).OnSenderReport(sr, now);
                    OnReportBlocks(sr.Reports, now);
                    ReportsReceived++;
                    break;
                case RtcpReceiverReport rr when rr.Ssrc == ssrcs.RemoteVideo || rr.Ssrc == ssrcs.RemoteAudio:
                    OnReportBlocks(rr.Reports, now);
                    ReportsReceived++;
                    break;
                case RtcpGenericNack request when request.MediaSsrc == ssrcs.LocalVideo:
                    NacksReceived++;
                    nackedSinceBlock.UnionWith(request.LostSequenceNumbers);
                    retransmissions.Enqueue(request.LostSequenceNumbers);
                    break;
                case RtcpPictureLossIndication pli when pli.MediaSsrc == ssrcs.LocalVideo:
                    PlisReceived++;
                    keyframeRequested = true;
                    break;
                case RtcpDelayTrendReport trend when trend.MediaSsrc == ssrcs.LocalVideo && (trend.Ssrc == ssrcs.RemoteVideo || trend.Ssrc == ssrcs.RemoteAudio):
                    RemoteDelay = (trend.Trend, TimeSpan.FromMilliseconds(trend.QueueDelayMs));
                    Rate.OnDelayTrend(now, trend.Trend, trend.ReceiveBitrate, TimeSpan.FromMilliseconds(trend.QueueDelayMs));
                    break;
                default:
                    Rejected++;
                    break;
            }
        }
    }

    /// <summary>Our video decoder waits for a keyframe: a PLI goes out, paced as the NACK scheduler paces all of them.</summary>
    public void RequestKeyframe(DateTimeOffset now)
    {
        nack.RequestKeyframe(now);
        DrainNack();
    }

    /// <summary>
    /// When <see cref="HandleTimeout"/> must next run: a NACK retry or give-up, a PLI allowed again,
    /// the next report, or a delay-trend report (a changed trend, a repeated over-use, or a trend
    /// gone stale); null when nothing is pending.
    /// </summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            var next = Earliest(nack.NextDeadline, nextReport);
            if (!sendTimesSeen) return next;
            next = Earliest(next, trendChangedAt);
            if (trendTold == DelayTrend.Overusing) next = Earliest(next, trendToldAt + OveruseReportInterval);
            // Trend(now) turns Normal only strictly after StaleAfter.
            if (trendTold != DelayTrend.Normal) next = Earliest(next, videoDelay.StaleAfter + TimeSpan.FromTicks(1));
            return next;
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is not { } x ? b : b is not { } y ? x : x < y ? x : y;

    public void HandleTimeout(DateTimeOffset now)
    {
        trendChangedAt = null;
        nack.HandleTimeout(now, Network);
        DrainNack();
        if (nextReport is { } due && now >= due)
        {
            var report = Report(now);
            if (sendTimesSeen)
                report.Add(DelayTrendReport(now));
            compounds.Enqueue(RtcpCodec.Serialize(report));
            ReportsSent++;
            nextReport = now + ReportInterval;
        }
        else if (sendTimesSeen && (videoDelay.Trend(now) != trendTold
            || (trendTold == DelayTrend.Overusing && now - trendToldAt >= OveruseReportInterval)))
        {
            compounds.Enqueue(RtcpCodec.Serialize(DelayTrendReport(now)));
        }
    }

    private RtcpDelayTrendReport DelayTrendReport(DateTimeOffset now)
    {
        trendTold = videoDelay.Trend(now);
        trendToldAt = now;
        var queueMs = (ushort)Math.Clamp(videoDelay.QueueDelay.TotalMilliseconds, 0, ushort.MaxValue);
        var rate = (uint)Math.Clamp(videoDelay.ReceiveBitrate(now), 0, uint.MaxValue);
        return new RtcpDelayTrendReport(ssrcs.LocalVideo, ssrcs.RemoteVideo, trendTold, queueMs, rate);
    }

    public bool TryTakeCompound(out byte[] compound) => compounds.TryDequeue(out compound!);

    public bool TryTakeRetransmission(out IReadOnlyList<ushort> sequenceNumbers) => retransmissions.TryDequeue(out sequenceNumbers!);

    /// <summary>True once per PLI received.</summary>
    public bool TakeKeyframeRequest()
    {
        var requested = keyframeRequested;
        keyframeRequested = false;
        return requested;
    }

    private void DrainNack()
    {
        while (nack.TryTakeNack(out var lost))
            compounds.Enqueue(RtcpCodec.Serialize(new RtcpGenericNack(ssrcs.LocalVideo, ssrcs.RemoteVideo, lost)));
        if (nack.TakeKeyframeRequest())
            compounds.Enqueue(RtcpCodec.Serialize(new RtcpPictureLossIndication(ssrcs.LocalVideo, ssrcs.RemoteVideo)));
    }

    private void OnReportBlocks(IReadOnlyList<RtcpReportBlock> blocks, DateTimeOffset now)
    {
        foreach (var block in blocks)
        {
            if (block.Ssrc != ssrcs.LocalVideo && block.Ssrc != ssrcs.LocalAudio) continue;
            if (RtcpNtpTime.RoundTrip(now, block) is { } rtt)
            {
                RoundTrip = rtt;
                Rate.OnRoundTrip(rtt);
                // Retry and give-up times follow the RTT: the NACK deadline is worked out again now,
                // not when the next video packet happens to come.
                nack.HandleTimeout(now, Network);
                DrainNack();
            }
            // Rate control governs video only; audio's loss stands in when we send no video.
            if (block.Ssrc == ssrcs.LocalVideo)
            {
                RemoteLossFraction = block.LossFraction;
                Rate.OnLoss(now, Math.Max(block.LossFraction, LossBeforeRepair()));
            }
            else if (videoOut.Packets == 0)
            {
                RemoteLossFraction = block.LossFraction;
            }
        }
    }

    /// <summary>
    /// The share of our video packets sent since the last block that the peer had to NACK. A
    /// retransmission travels in the original stream, so the block's RFC 3550 fraction lost only
    /// shows what NACK failed to repair; the rate controller must also see the loss NACK hid, or
    /// a lossy path is never relieved of the load that keeps it lossy.
    /// </summary>
    private double LossBeforeRepair()
    {
        var sent = videoOut.Packets - videoPacketsAtLastBlock;
        videoPacketsAtLastBlock = videoOut.Packets;
        var nacked = nackedSinceBlock.Count;
        nackedSinceBlock.Clear();
        return sent <= 0 ? 0 : Math.Min(1, (double)nacked / sent);
    }

    private List<RtcpPacket> Report(DateTimeOffset now)
    {
        var blocks = new List<RtcpReportBlock>(2);
        if (videoIn.Expected > 0)
        {
            var block = videoIn.CreateReportBlock(now);
            LossFraction = block.LossFraction;
            blocks.Add(block);
        }
        if (audioIn.Expected > 0)
        {
            var block = audioIn.CreateReportBlock(now);
            if (videoIn.Expected == 0) LossFraction = block.LossFraction;
            blocks.Add(block);
        }

        var packets = new List<RtcpPacket>(2);
        var ntp = RtcpNtpTime.FromTime(now);
        foreach (var (stream, ssrc, clockRate) in new[] { (videoOut, ssrcs.LocalVideo, VideoClockRate), (audioOut, ssrcs.LocalAudio, AudioClockRate) })
        {
            if (!stream.SentSinceReport) continue;
            stream.SentSinceReport = false;
            // The RTP time of "now", extrapolated from the last packet, pairs with the NTP time (RFC 3550 §6.4.1).
            var elapsed = (long)((now - stream.LastSentAt).Ticks * (double)clockRate / TimeSpan.TicksPerSecond);
            var rtpNow = unchecked(stream.LastTimestamp + (uint)elapsed);
            packets.Add(new RtcpSenderReport(ssrc, ntp, rtpNow, unchecked((uint)stream.Packets), unchecked((uint)stream.Octets), packets.Count == 0 ? blocks : []));
        }
        if (packets.Count == 0)
            packets.Add(new RtcpReceiverReport(ssrcs.LocalVideo, blocks));
        return packets;
    }

    private sealed class SentStream
    {
        public long Packets { get; set; }
        public long Octets { get; set; }
        public uint LastTimestamp { get; set; }
        public DateTimeOffset LastSentAt { get; set; }
        public bool SentSinceReport { get; set; }
    }
}
