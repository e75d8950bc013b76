using Akka.Event;
using Pype.Core.Calls;
using Pype.Core.Identity;

namespace Pype.Actors.Media;

/// <summary>
/// What one call's media needs: its id, the peer, and both sides' negotiated media offers.
/// <see cref="Local"/> is what this side sends (its SSRCs); <see cref="Remote"/> is the peer's
/// (only its SSRCs are accepted). Video is sent within <c>Local.Limits.Intersect(Remote.Limits)</c>.
/// A caller preparing its media while the call rings does not know the answer yet: its
/// <see cref="Remote"/> is null until <see cref="StartMediaFlow"/> brings it.
/// </summary>
public sealed record MediaSessionSpec(UInt128 CallId, HashAddress Peer, MediaOffer Local, MediaOffer? Remote);

/// <summary>
/// The call was answered: a session started with <see cref="MediaSessionActor.Prepare"/> lets its
/// captured frames through, opens its outputs and accepts the peer's packets, with
/// <paramref name="Remote"/> as the peer's media. Ignored by a session already flowing.
/// </summary>
public sealed record StartMediaFlow(MediaOffer Remote);

/// <summary>Told to the session's parent once: the first received picture reached its output, <paramref name="AfterFlowStart"/> after media started to flow.</summary>
public sealed record FirstPictureShown(UInt128 CallId, TimeSpan AfterFlowStart) : IDeadLetterSuppression;

/// <summary>
/// Told to the <c>network</c> actor given in <see cref="MediaSessionActor.Props"/> for every outgoing
/// packet: byte 0 is <see cref="Pype.Core.Session.SessionMessageType.MediaRtp"/> (0x40), the rest one
/// RTP packet; at most <see cref="Pype.Core.Rtp.MediaPacketDemux.MaxPayloadLength"/> bytes.
/// </summary>
public sealed record SendMediaPacket(HashAddress Peer, byte[] Payload) : IDeadLetterSuppression;

/// <summary>
/// Told to the MediaSessionActor for every incoming media payload from its peer (framed as
/// <see cref="SendMediaPacket"/>). Media is lossy: packets that arrive after a call ended are not
/// logged as dead letters.
/// </summary>
public sealed record MediaPacketReceived(byte[] Payload) : IDeadLetterSuppression;

/// <summary>Asks a MediaSessionActor for its <see cref="MediaStats"/>; answered at any time.</summary>
public sealed record GetMediaStats
{
    public static readonly GetMediaStats Instance = new();
}

/// <summary>
/// One call's media so far. Latency is capture to render on this machine's clocks (the capture
/// time travels in every RTP packet), over the last few hundred rendered frames; null before any.
/// <see cref="DropsByReason"/> names every place something was thrown away (e.g. "incomplete-frame",
/// "awaiting-keyframe", "encoder-backlog", "foreign-ssrc").
/// </summary>
public sealed record MediaStats(
    UInt128 CallId,
    int SendWidth,
    int SendHeight,
    int SendFrameRate,
    int SendBitrateKbps,
    long VideoFramesCaptured,
    long VideoFramesEncoded,
    long VideoKeyframesEncoded,
    long VideoFramesSent,
    long VideoPacketsSent,
    long AudioFramesCaptured,
    long AudioPacketsSent,
    long PacketsSent,
    long BytesSent,
    long PacketsReceived,
    long BytesReceived,
    long VideoPacketsReceived,
    long VideoPacketsLost,
    long VideoFramesReceivedComplete,
    long VideoFramesReceivedIncomplete,
    long VideoNalUnitsDropped,
    long VideoFramesDecoded,
    long VideoFramesRendered,
    TimeSpan? CaptureToRenderP50,
    TimeSpan? CaptureToRenderP95,
    long AudioPacketsReceived,
    long AudioPacketsLost,
    long AudioFramesDecoded,
    long AudioFramesConcealed,
    long AudioFramesRecovered,
    long AudioFramesPlayed,
    long EncoderRestarts,
    long DecoderRestarts,
    IReadOnlyDictionary<string, long> DropsByReason)
{
    // What the call's feedback and playout measure (docs/RESILIENCE.md). Rates are over the last
    // second; null means "not measured yet".

    /// <summary>Bits per second sent (media, retransmissions and RTCP) over the last second.</summary>
    public long SendBitrate { get; init; }

    public long ReceiveBitrate { get; init; }

    /// <summary>Video frames sent over the last second.</summary>
    public double SentFrameRate { get; init; }

    /// <summary>Video frames shown over the last second.</summary>
    public double RenderedFrameRate { get; init; }

    /// <summary>Fraction of the peer's packets lost on the way here in the last report interval (video, else audio).</summary>
    public double? LossFraction { get; init; }

    /// <summary>Fraction of our packets the peer last reported lost (video, else audio).</summary>
    public double? RemoteLossFraction { get; init; }

    /// <summary>From RTCP SR/RR (LSR/DLSR); null until a report echoed one of ours.</summary>
    public TimeSpan? RoundTrip { get; init; }

    /// <summary>RFC 3550 interarrival jitter of the incoming video and audio streams.</summary>
    public TimeSpan VideoJitter { get; init; }

    /// <summary>Jitter of received video counted per frame: what the video playout delay follows.</summary>
    public TimeSpan VideoFrameJitter { get; init; }

    public TimeSpan AudioJitter { get; init; }

    /// <summary>How long the video receiver holds packets behind a gap for a retransmission (the NACK repair window).</summary>
    public TimeSpan VideoRepairWindow { get; init; }

    /// <summary>Delay trend and queueing delay of the incoming video, from the send times it carries (docs/RESILIENCE.md §5).</summary>
    public Pype.Core.Rtp.RateControl.DelayTrend DelayTrend { get; init; }

    public TimeSpan QueueDelay { get; init; }

    /// <summary>What the peer last reported of our video's path (PYDT): what our send-rate controller follows; null before any report.</summary>
    public Pype.Core.Rtp.RateControl.DelayTrend? RemoteDelayTrend { get; init; }

    public TimeSpan? RemoteQueueDelay { get; init; }

    /// <summary>
    /// The send-rate controller's video target and the ladder rung it chose (the encoder follows the
    /// rung: its size and frame rate are what is sent once the switch has landed).
    /// </summary>
    public int TargetBitrateKbps { get; init; }

    /// <summary>The bitrate the encoder was last told (it follows the target in steps of 15 % or more), and how many times it switched.</summary>
    public int EncoderBitrateKbps { get; init; }

    public long EncoderReconfigurations { get; init; }

    public int RungWidth { get; init; }

    public int RungHeight { get; init; }

    public int RungFrameRate { get; init; }

    /// <summary>
    /// The picture size of the video being sent now (the last frame the encoder put out; 0 before
    /// any): the rung's size once the encoder has switched to it, which takes ~0.4 s. The frame
    /// rate actually sent is <see cref="SentFrameRate"/>.
    /// </summary>
    public int SentWidth { get; init; }

    public int SentHeight { get; init; }

    /// <summary>Video packets resent because the peer NACKed them, and NACKed ones already gone from the history.</summary>
    public long VideoPacketsRetransmitted { get; init; }

    public long VideoPacketsNackedButGone { get; init; }

    public long NacksSent { get; init; }

    public long NacksReceived { get; init; }

    public long PlisSent { get; init; }

    public long PlisReceived { get; init; }

    /// <summary>Keyframes made because the peer asked (PLI).</summary>
    public long VideoKeyframesRequested { get; init; }

    /// <summary>Total time the received picture stood still for more than 200 ms, and how many such stalls.</summary>
    public TimeSpan FreezeTime { get; init; }

    public long Freezes { get; init; }

    /// <summary>Capture-to-render latency over the frames shown in the last 5 s (nearest rank).</summary>
    public TimeSpan? GlassToGlassP50 { get; init; }

    public TimeSpan? GlassToGlassP95 { get; init; }

    /// <summary>
    /// The audio playout buffer's current target delay (3 × audio jitter + 10 ms, 20–150 ms, docs/RESILIENCE.md §1–2):
    /// how much audio it aims to hold before playing.
    /// </summary>
    public TimeSpan AudioPlayoutDelay { get; init; }

    /// <summary>How long complete video frames are held before decoding, beyond the fastest recent transit (0 on a clean path, at most 150 ms).</summary>
    public TimeSpan VideoPlayoutDelay { get; init; }

    /// <summary>Times the audio playout buffer ran dry while playing.</summary>
    public long AudioUnderruns { get; init; }

    /// <summary>Frames skipped, and frames of concealment inserted, to move the audio buffer towards its target.</summary>
    public long AudioFramesDropped { get; init; }

    public long AudioFramesStretched { get; init; }

    /// <summary>
    /// Audio mouth-to-ear without the devices: capture time (carried in every RTP packet) to the moment
    /// the decoded frame was handed to the audio output (or discarded for want of one), over the last
    /// 300 frames decoded from their own packet; null before any.
    /// </summary>
    public TimeSpan? AudioCaptureToPlayP50 { get; init; }

    public TimeSpan? AudioCaptureToPlayP95 { get; init; }
}

/// <summary>
/// Told by a MediaSessionActor to its parent when the user should know something: a stage failed
/// for good, a device is missing, a source ended. The rest of the call goes on.
/// </summary>
public sealed record MediaProblem(UInt128 CallId, string Stage, string Message);
