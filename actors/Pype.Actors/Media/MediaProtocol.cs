using Akka.Event;
using Pype.Core.Calls;
using Pype.Core.Identity;

namespace Pype.Actors.Media;

/// <summary>
/// What one call's media needs: its id, the peer, and both sides' negotiated media offers.
/// <see cref="Local"/> is what this side sends (its SSRCs); <see cref="Remote"/> is the peer's
/// (only its SSRCs are accepted). Video is sent within <c>Local.Limits.Intersect(Remote.Limits)</c>.
/// </summary>
public sealed record MediaSessionSpec(UInt128 CallId, HashAddress Peer, MediaOffer Local, MediaOffer Remote);

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
    IReadOnlyDictionary<string, long> DropsByReason);

/// <summary>
/// Told by a MediaSessionActor to its parent when the user should know something: a stage failed
/// for good, a device is missing, a source ended. The rest of the call goes on.
/// </summary>
public sealed record MediaProblem(UInt128 CallId, string Stage, string Message);
