using Akka.Event;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Media.Processes;
using Pype.Media.Video;

namespace Pype.Actors.Media;

// Messages between a MediaSessionActor and its stages. Frames and access units travel between
// stages as the adapters' own immutable types (VideoFrame, EncodedAccessUnit, DecodedVideoFrame,
// AudioFrame, DepacketizedAccessUnit, ReceivedOpusPacket).
// Counts, packets and ticks that reach a stage or session already stopping are expected while a
// call ends, so they are kept out of the dead-letter log (IDeadLetterSuppression).

/// <summary>A stage tells the session to add to one of its counters.</summary>
internal sealed record MediaCount(MediaCounter Counter, long Amount = 1) : IDeadLetterSuppression;

/// <summary>A stage threw something away, and why (kebab-case, shown in <see cref="MediaStats.DropsByReason"/>).</summary>
internal sealed record MediaDrop(string Reason, long Amount = 1) : IDeadLetterSuppression;

/// <summary>A frame was rendered this long after it was captured.</summary>
internal sealed record MediaLatency(TimeSpan CaptureToRender) : IDeadLetterSuppression;

/// <summary>An audio frame decoded from its own packet was handed to the output this long after it was captured.</summary>
internal sealed record MediaAudioLatency(TimeSpan CaptureToPlay) : IDeadLetterSuppression;

/// <summary>
/// A decoded 20 ms frame for the audio-out stage. <paramref name="Measured"/>: it was decoded from
/// its own packet, so its capture time is real (concealed and FEC frames carry none).
/// </summary>
internal sealed record AudioToPlay(AudioFrame Frame, bool Measured) : IDeadLetterSuppression;

/// <summary>The playout delay a receiving stage aims for, set by the session from the stream's jitter.</summary>
internal sealed record SetPlayoutTarget(TimeSpan Target) : IDeadLetterSuppression;

/// <summary>The audio playout stage's timer: its next 20 ms frame is due.</summary>
internal sealed record PlayoutTick : IDeadLetterSuppression
{
    public static readonly PlayoutTick Instance = new();
}

/// <summary>
/// The call was answered: a capture stage started held (its device opened while the call rang,
/// frames thrown away) passes frames on from now, and an output stage opens its sink.
/// </summary>
internal sealed record MediaFlowing : IDeadLetterSuppression
{
    public static readonly MediaFlowing Instance = new();
}

/// <summary>
/// The encoder's warm-up keyframe (a black frame encoded while the call rings, never sent): the
/// session hands it to its own decoder to warm up on (<see cref="Pype.Media.Video.H264Decoder.WarmUp"/>).
/// </summary>
internal sealed record WarmUpKeyframe(EncodedAccessUnit Unit) : IDeadLetterSuppression;

/// <summary>A stage gave up (a device is missing or failed); the session reports it as a <see cref="MediaProblem"/>.</summary>
internal sealed record StageFailed(string Stage, string Message);

/// <summary>The session hands a receiving stage one packet of its stream.</summary>
internal sealed record ReceivedRtp(RtpPacket Packet) : IDeadLetterSuppression;

/// <summary>One Opus packet from the audio encoder to the audio sender.</summary>
internal sealed record EncodedAudioFrame(long Index, TimeSpan CaptureTime, byte[] OpusPacket) : IDeadLetterSuppression;

/// <summary>An ffmpeg process of a stage exited unasked; <paramref name="Generation"/> tells old processes from the current one.</summary>
internal sealed record MediaProcessDied(int Generation, MediaProcessExit Exit);

/// <summary>The video receiver's timer: a gap's hold deadline or a held frame's playout time has come.</summary>
internal sealed record CheckHoldDeadline : IDeadLetterSuppression
{
    public static readonly CheckHoldDeadline Instance = new();
}

/// <summary>A sender stage put packets of its stream on the wire; the session counts them for its sender reports.</summary>
internal sealed record RtpSent(MediaStreamKind Stream, uint RtpTimestamp, int Packets, int PayloadOctets) : IDeadLetterSuppression;

/// <summary>The peer NACKed these video packets; the sender resends those still in its history, at most once per <paramref name="MinInterval"/> (half the RTT: <see cref="Pype.Core.Rtp.Feedback.RtpSendHistory.MinResendInterval"/>).</summary>
internal sealed record RetransmitVideo(IReadOnlyList<ushort> SequenceNumbers, TimeSpan MinInterval) : IDeadLetterSuppression;

/// <summary>The peer asked for a keyframe (PLI): the encoder makes the next frame an IDR.</summary>
internal sealed record RequestKeyframe : IDeadLetterSuppression
{
    public static readonly RequestKeyframe Instance = new();
}

/// <summary>Our decoder holds no picture to refer to (fresh, restarted, or a frame was lost): the session sends a PLI.</summary>
internal sealed record KeyframeNeeded : IDeadLetterSuppression
{
    public static readonly KeyframeNeeded Instance = new();
}

/// <summary>How long the video receiver may hold packets behind a gap: the NACK repair window.</summary>
internal sealed record SetHoldLimit(TimeSpan MaxHold) : IDeadLetterSuppression;

/// <summary>
/// The send-rate controller moved the video target far enough, or chose another rung: the encoder
/// switches to these settings (bitrate, frame rate, encoded size; frames still come in at the send format).
/// </summary>
internal sealed record SetVideoEncoding(H264EncoderSettings Settings) : IDeadLetterSuppression;

/// <summary>The encoder's output changed picture size or frame rate (what is sent from now on).</summary>
internal sealed record EncodedVideoFormat(int Width, int Height, int FrameRate) : IDeadLetterSuppression;

/// <summary>
/// The encoder's standby is primed, or a switch has waited for it as long as it may: the
/// <see cref="Pype.Core.Media.EncoderSwitch"/> decides whether to switch (an IDR) now.
/// </summary>
internal sealed record CheckEncoderSwitch : IDeadLetterSuppression
{
    public static readonly CheckEncoderSwitch Instance = new();
}
