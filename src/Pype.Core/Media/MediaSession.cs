using Pype.Core.Calls;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.Playout;
using Pype.Core.Rtp.RateControl;

namespace Pype.Core.Media;

/// <summary>
/// The control side of one call's media, sans-IO: what both offers negotiate, which received
/// payloads reach which stage, the feedback (<see cref="RtcpSession"/>), the playout targets, the
/// NACK repair window the video receiver holds gaps for, the peer's packets that came before the
/// answer, and the call's statistics. Time is passed in on the media clock.
/// <para>
/// Inputs are <c>Handle…(now, …)</c>; after each, drain <see cref="TryPoll"/> and run
/// <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>. Nothing is due before media flows: a
/// session prepared while the call rings (<c>flowing: false</c>) keeps up to
/// <see cref="MaxEarlyPackets"/> of the peer's payloads (its media may overtake its answer) and
/// replays them at <see cref="HandleStart"/>.
/// </para>
/// <para>
/// Deadlines replace a fixed look every 10 ms: the feedback's own (NACK retries and give-ups, PLI
/// pacing, reports, delay-trend reports), the end of a stream's <see cref="JitterGrace"/>, a
/// playout target that decays (looked at when it will be a whole <see cref="TargetStep"/> below
/// what its stage was told), and an encoder change the follower holds back for spacing. A new
/// RTT re-runs the NACK times at once, and the repair window is told as media starts.
/// </para>
/// </summary>
public sealed partial class MediaSession
{
    /// <summary>The receiver holds packets behind a gap until NACK gives it up, plus one look at the deadline.</summary>
    public static readonly TimeSpan HoldMargin = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Room for three NACK attempts at an RTT up to ~80 ms: with the scheduler's 100 ms floor a second
    /// attempt arrived just after its give-up time, so each lost NACK or retransmission (one in ten
    /// at 5 % loss each way) cost a PLI and a frozen picture. The wait is only spent on packets that
    /// stay missing; a repaired gap releases the frame at once.
    /// </summary>
    public static readonly NackSchedulerOptions Nack = new() { MinGiveUpAge = TimeSpan.FromMilliseconds(250) };

    /// <summary>Beyond this a frozen picture is worse than a PLI's keyframe.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(400);

    /// <summary>The repair window moves its stage only when it changed by this much.</summary>
    public static readonly TimeSpan HoldLimitStep = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Video playout follows the jitter counted per frame (<see cref="RtcpSession.VideoFrameJitter"/>),
    /// not RTP's per-packet figure, which counts the spread of a keyframe's packets as jitter: a
    /// target that followed that held frames for up to 150 ms on a clean path (call benchmark p95
    /// 246 ms at 640x480). A 5 ms margin below zero lets a frame jitter under ~2 ms — a quiet
    /// loopback or LAN — release every frame the moment it is whole.
    /// </summary>
    public static readonly PlayoutDelayOptions VideoPlayout = PlayoutDelayOptions.Video with { Margin = TimeSpan.FromMilliseconds(-5) };

    public static readonly PlayoutDelayOptions AudioPlayout = PlayoutDelayOptions.Audio;

    /// <summary>
    /// A stream's jitter feeds its playout target only from this long after its first packet. At
    /// call start both sides start five ffmpeg processes on few cores, and the first packets come
    /// in bursts hundreds of milliseconds late: measured, that put the video target at its 150 ms
    /// ceiling, and the slow decay (10 ms/s) kept it there for the next ten seconds. The start-up
    /// burst says how busy the machine was, not how the path behaves; after two seconds the RFC 3550
    /// estimate (gain 1/16 per packet) has forgotten it.
    /// </summary>
    public static readonly TimeSpan JitterGrace = TimeSpan.FromSeconds(2);

    /// <summary>A playout target moves its stage only when it changed by this much: finer steps would be noise.</summary>
    public static readonly TimeSpan TargetStep = TimeSpan.FromMilliseconds(1);

    /// <summary>Packets from the peer kept while the call is not flowing yet (its media may overtake its Accept).</summary>
    public const int MaxEarlyPackets = 256;

    /// <summary>
    /// A deadline that passed without effect is looked at again this much after the timeout, never
    /// at once: a shell that arms its timer at <see cref="NextDeadline"/> can never spin.
    /// </summary>
    public static readonly TimeSpan MinLookSpacing = TimeSpan.FromMilliseconds(1);

    private readonly MediaSessionSetup setup;
    private readonly Queue<byte[]> early = new();
    private readonly Queue<MediaSessionOutput> outputs = new();
    private readonly CallStatistics rates = new();
    private readonly FreezeMeter freezes = new();
    private readonly PlayoutDelayEstimator audioDelay = new(AudioPlayout);
    private readonly PlayoutDelayEstimator videoDelay = new(VideoPlayout);
    private MediaPacketDemux demux;
    private RtcpSession feedback;
    private VideoEncodingFollower encoding;
    private TimeSpan audioTargetTold = AudioPlayout.Min;
    private TimeSpan videoTargetTold = VideoPlayout.Min;
    private DateTimeOffset? firstAudioAt;
    private DateTimeOffset? firstVideoAt;
    private DateTimeOffset flowStartedAt;
    private bool firstPictureTold;
    private DateTimeOffset? playoutLookAt;
    private DateTimeOffset? encodingLookAt;
    private DateTimeOffset? lastTimeoutAt;

    /// <param name="remote">The peer's offer; null for a caller preparing while the call rings (it learns it at <see cref="HandleStart"/>).</param>
    /// <param name="flowing">True when the call is answered already; false to prepare, held, until <see cref="HandleStart"/>.</param>
    public MediaSession(MediaSessionSetup setup, MediaOffer? remote, bool flowing, DateTimeOffset now)
    {
        if (flowing && remote is null) throw new ArgumentException("media cannot flow before the peer's media offer is known", nameof(remote));
        (this.setup, Remote, Flowing, flowStartedAt) = (setup, remote, flowing, now);
        (Send, demux, feedback, encoding) = Negotiate(remote);
        // The receiver hears the repair window as media starts, not only with the first packet's feedback.
        if (flowing) Drain(now);
    }

    public bool Flowing { get; private set; }

    public MediaOffer? Remote { get; private set; }

    public MediaStagePlan Stages => setup.Stages;

    /// <summary>The video format sent: this side's capture settings within both sides' limits.</summary>
    public VideoSendFormat Send { get; private set; }

    /// <summary>What the encoder was last asked for (bitrate, size, frame rate).</summary>
    public VideoEncoding Encoding => encoding.Current;

    /// <summary>The NACK repair window the video receiver was last told.</summary>
    public TimeSpan HoldLimit { get; private set; }

    /// <summary>When <see cref="HandleTimeout"/> must next run; null while nothing is due (always before media flows).</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            if (!Flowing) return null;
            var next = Earliest(Earliest(feedback.NextDeadline, playoutLookAt), encodingLookAt);
            if (next is { } at && lastTimeoutAt is { } last && at < last + MinLookSpacing) return last + MinLookSpacing;
            return next;
        }
    }

    public bool TryPoll(out MediaSessionOutput output) => outputs.TryDequeue(out output!);

    /// <summary>The call was answered with <paramref name="remote"/> as the peer's media; ignored once flowing.</summary>
    public void HandleStart(DateTimeOffset now, MediaOffer remote)
    {
        if (Flowing) return;
        Flowing = true;
        flowStartedAt = now;
        // A callee prepared with the caller's offer already; only a caller learns the peer's now.
        if (remote != Remote) Renegotiate(remote);
        outputs.Enqueue(MediaFlowStarted.Instance);
        Drain(now);
        while (early.TryDequeue(out var payload)) Received(now, payload);
    }

    /// <summary>One media payload from the peer (0x40 RTP or 0x41 RTCP, framing byte included).</summary>
    public void HandleReceived(DateTimeOffset now, byte[] payload)
    {
        if (Flowing) Received(now, payload);
        else if (early.Count < MaxEarlyPackets) early.Enqueue(payload);
        else counters.Drop("before-answer");
    }

    /// <summary>A sending stage put packets of one stream on the wire (for the sender reports).</summary>
    public void HandleSent(DateTimeOffset now, MediaStreamKind stream, uint rtpTimestamp, int packets, int payloadOctets) =>
        feedback.OnSent(stream, rtpTimestamp, packets, payloadOctets, now);

    /// <summary>Our decoder has no picture to refer to: a PLI goes out, paced.</summary>
    public void HandleKeyframeNeeded(DateTimeOffset now)
    {
        feedback.RequestKeyframe(now);
        Drain(now);
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        if (!Flowing) return;
        lastTimeoutAt = now;
        feedback.HandleTimeout(now);
        Drain(now);
        UpdatePlayoutTargets(now);
    }

    private (VideoSendFormat, MediaPacketDemux, RtcpSession, VideoEncodingFollower) Negotiate(MediaOffer? remote)
    {
        // Before the answer a caller knows only its own limits, and the peer's SSRCs stand as 0,
        // which no offer uses; nothing is received or reported before the answer.
        var limits = remote is null ? setup.Local.Limits : setup.Local.Limits.Intersect(remote.Limits);
        var format = VideoSendFormat.Within(setup.Width, setup.Height, setup.FrameRate, setup.BitrateKbps, limits);
        var rate = new SendRateController(new SendRateOptions
        {
            // The configured bitrate within the negotiated limits is both the start and the ceiling:
            // on a clean path the call looks as the user set it up; the controller only takes away.
            StartBitrate = format.BitrateKbps * 1000L,
            MaxBitrate = format.BitrateKbps * 1000L,
            Ladder = VideoRung.LadderWithin(format.Width, format.Height, format.FrameRate),
        });
        var (remoteVideo, remoteAudio) = remote is null ? (0u, 0u) : (remote.VideoSsrc, remote.AudioSsrc);
        var ssrcs = new RtcpSessionSsrcs(setup.Local.VideoSsrc, setup.Local.AudioSsrc, remoteVideo, remoteAudio);
        return (format, new MediaPacketDemux(remoteVideo, remoteAudio), new RtcpSession(ssrcs, rate, Nack),
            new VideoEncodingFollower(format.BitrateKbps, format.BitrateKbps, rate.Rung));
    }

    private void Renegotiate(MediaOffer remote)
    {
        var prepared = Send;
        Remote = remote;
        (Send, demux, feedback, encoding) = Negotiate(remote);
        // The peer's limits were unknown while a caller prepared; a smaller negotiated format needs
        // capture and encoder started again (a rare cost: both sides usually run the same limits).
        if (Send != prepared && setup.Stages.SendsVideo)
            outputs.Enqueue(new VideoSendingRestarted(Send, encoding.Current));
    }

    private void Received(DateTimeOffset now, byte[] payload)
    {
        counters.Add(MediaCounter.PacketsReceived);
        counters.Add(MediaCounter.BytesReceived, payload.Length);
        rates.OnPacketReceived(now, payload.Length);
        if (MediaPacketDemux.IsRtcp(payload))
        {
            feedback.OnRtcp(payload.AsSpan(1), now);
            Drain(now);
            return;
        }
        var packet = demux.Demux(payload);
        if (packet.Packet is null)
        {
            counters.Drop(DropName(packet.Drop));
            return;
        }
        feedback.OnReceived(packet.Stream, packet.Packet, now);
        if (packet.Stream == MediaStreamKind.Video)
        {
            firstVideoAt ??= now;
            counters.Add(MediaCounter.VideoPacketsReceived);
        }
        else
            firstAudioAt ??= now;
        outputs.Enqueue(new MediaForStage(packet.Stream, packet.Packet));
        Drain(now);
        UpdatePlayoutTargets(now);
    }

    /// <summary>Drains the feedback: RTCP to the peer, repairs to the sending stages, the encoder's target, the repair window to the receiver.</summary>
    private void Drain(DateTimeOffset now)
    {
        while (feedback.TryTakeCompound(out var compound))
        {
            var payload = MediaPacketDemux.FrameRtcp(compound);
            counters.Add(MediaCounter.PacketsSent);
            counters.Add(MediaCounter.BytesSent, payload.Length);
            rates.OnPacketSent(now, payload.Length);
            outputs.Enqueue(new MediaDatagram(payload));
        }
        while (feedback.TryTakeRetransmission(out var lost))
            outputs.Enqueue(new VideoResendRequested(lost, RtpSendHistory.MinResendInterval(feedback.Network.RoundTrip)));
        if (feedback.TakeKeyframeRequest())
            outputs.Enqueue(KeyframeRequested.Instance);
        var (target, rung) = (feedback.Rate.TargetBitrate, feedback.Rate.Rung);
        if (encoding.Follow(target, rung, Elapsed(now)) is { } next)
            outputs.Enqueue(new VideoEncodingChanged(next));
        encodingLookAt = encoding.HeldBackUntil(target, rung) is { } heldBack ? DateTimeOffset.UnixEpoch + heldBack : null;
        var window = feedback.RepairWindow(HoldMargin, MaxHold);
        if ((window - HoldLimit).Duration() >= HoldLimitStep)
        {
            HoldLimit = window;
            outputs.Enqueue(new HoldLimitChanged(window));
        }
    }

    /// <summary>Both playout targets follow their stream's jitter (docs/RESILIENCE.md §1); a stage hears of a change of a step or more.</summary>
    private void UpdatePlayoutTargets(DateTimeOffset now)
    {
        var audioJitter = PastGrace(firstAudioAt, now) ? feedback.AudioJitter : TimeSpan.Zero;
        var audio = audioDelay.Update(audioJitter, now);
        if ((audio - audioTargetTold).Duration() >= TargetStep)
        {
            audioTargetTold = audio;
            outputs.Enqueue(new PlayoutTargetChanged(MediaStreamKind.Audio, audio));
        }
        var videoJitter = PastGrace(firstVideoAt, now) ? feedback.VideoFrameJitter : TimeSpan.Zero;
        var video = videoDelay.Update(videoJitter, now);
        if ((video - videoTargetTold).Duration() >= TargetStep || (video == TimeSpan.Zero && videoTargetTold != TimeSpan.Zero))
        {
            videoTargetTold = video;
            outputs.Enqueue(new PlayoutTargetChanged(MediaStreamKind.Video, video));
        }
        playoutLookAt = Earliest(
            Earliest(GraceEnds(firstAudioAt, now), GraceEnds(firstVideoAt, now)),
            Earliest(DecayLook(audioDelay, AudioPlayout, audioJitter, audioTargetTold, now), DecayLook(videoDelay, VideoPlayout, videoJitter, videoTargetTold, now)));
    }

    private static bool PastGrace(DateTimeOffset? firstPacketAt, DateTimeOffset now) => firstPacketAt is { } first && now - first >= JitterGrace;

    private static DateTimeOffset? GraceEnds(DateTimeOffset? firstPacketAt, DateTimeOffset now) =>
        firstPacketAt is { } first && now - first < JitterGrace ? first + JitterGrace : null;

    /// <summary>
    /// A target above what its jitter asks for is decaying: look again when it will be a whole step
    /// below what its stage was told (or at zero), the moment a look every millisecond would tell it.
    /// A step counted from this look instead would tell the stage up to a step late.
    /// </summary>
    private static DateTimeOffset? DecayLook(PlayoutDelayEstimator estimator, PlayoutDelayOptions options, TimeSpan jitter, TimeSpan told, DateTimeOffset now)
    {
        if (estimator.Target <= estimator.Raw(jitter)) return null;
        var toldAt = told > TargetStep ? told - TargetStep : TimeSpan.Zero;
        var fall = estimator.Target - toldAt;
        if (fall <= TimeSpan.Zero) return null;
        // Rounded up to a whole tick: the estimator rounds its decay to the nearest one, so it has fallen the step by then.
        var ticks = (long)Math.Ceiling(fall.Ticks * (double)TimeSpan.TicksPerSecond / options.DecayPerSecond.Ticks);
        return now + TimeSpan.FromTicks(ticks);
    }

    private static TimeSpan Elapsed(DateTimeOffset now) => now - DateTimeOffset.UnixEpoch;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is not { } x ? b : b is not { } y ? x : x < y ? x : y;

    private static string DropName(MediaPacketDropReason reason) => reason switch
    {
        MediaPacketDropReason.NotMediaRtp => "not-media-rtp",
        MediaPacketDropReason.TooLong => "too-long",
        MediaPacketDropReason.MalformedRtp => "malformed-rtp",
        MediaPacketDropReason.UnknownPayloadType => "unknown-payload-type",
        MediaPacketDropReason.ForeignSsrc => "foreign-ssrc",
        _ => reason.ToString(),
    };
}
