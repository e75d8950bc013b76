using Pype.Core.Calls;
using Pype.Core.Rtp;

namespace Pype.Core.Media;

/// <summary>
/// Which stages one side of a call runs, from its media settings: a source of "none" leaves out
/// the sending stages, video that is neither shown nor recorded is not decoded (its packets and
/// frames are still counted), and audio goes to an output stage only when it is played or recorded
/// (it is always decoded, so its loss and latency are measured).
/// </summary>
public readonly record struct MediaStagePlan(bool SendsVideo, bool SendsAudio, bool DecodesVideo, bool PlaysAudio)
{
    public static MediaStagePlan For(VideoSourceKind videoSource, bool videoShownOrRecorded, AudioSourceKind audioSource, bool audioPlayedOrRecorded) =>
        new(videoSource != VideoSourceKind.None, audioSource != AudioSourceKind.None, videoShownOrRecorded, audioPlayedOrRecorded);
}

/// <summary>
/// What one side brings to a call's media: its own offer (its SSRCs and limits), the video it
/// captures and at most sends (the negotiated limits may lower it), and its stages.
/// </summary>
public sealed record MediaSessionSetup(MediaOffer Local, int Width, int Height, int FrameRate, int BitrateKbps, MediaStagePlan Stages);

/// <summary>Something a <see cref="MediaSession"/> wants done; drained with <see cref="MediaSession.TryPoll"/>.</summary>
public abstract record MediaSessionOutput;

/// <summary>A payload for the peer, already framed (session message 0x41: RTCP feedback).</summary>
public sealed record MediaDatagram(byte[] Payload) : MediaSessionOutput;

/// <summary>One accepted packet of the peer's <paramref name="Stream"/> for its receiving stage.</summary>
public sealed record MediaForStage(MediaStreamKind Stream, RtpPacket Packet) : MediaSessionOutput;

/// <summary>The peer NACKed these video packets: resend those still held, each at most once per <paramref name="MinInterval"/>.</summary>
public sealed record VideoResendRequested(IReadOnlyList<ushort> SequenceNumbers, TimeSpan MinInterval) : MediaSessionOutput;

/// <summary>The peer asked for a keyframe (PLI): the encoder makes its next frame an IDR.</summary>
public sealed record KeyframeRequested : MediaSessionOutput
{
    public static readonly KeyframeRequested Instance = new();
}

/// <summary>The send-rate controller moved far enough: the encoder switches to this bitrate, size and frame rate.</summary>
public sealed record VideoEncodingChanged(VideoEncoding Encoding) : MediaSessionOutput;

/// <summary>
/// The answer's limits gave a different send format than the one prepared while ringing: the video
/// sending stages start again at <paramref name="Send"/>, not held.
/// </summary>
public sealed record VideoSendingRestarted(VideoSendFormat Send, VideoEncoding Encoding) : MediaSessionOutput;

/// <summary>The NACK repair window changed: how long the video receiver may hold packets behind a gap.</summary>
public sealed record HoldLimitChanged(TimeSpan MaxHold) : MediaSessionOutput;

/// <summary>The playout delay the receiving stage of <paramref name="Stream"/> aims for changed by at least a step.</summary>
public sealed record PlayoutTargetChanged(MediaStreamKind Stream, TimeSpan Target) : MediaSessionOutput;

/// <summary>The call was answered: held stages let frames through and open their outputs.</summary>
public sealed record MediaFlowStarted : MediaSessionOutput
{
    public static readonly MediaFlowStarted Instance = new();
}

/// <summary>The first received picture was shown, this long after media started to flow (once per session).</summary>
public sealed record FirstPictureReached(TimeSpan AfterFlowStart) : MediaSessionOutput;
