using System.Diagnostics.CodeAnalysis;
using Pype.Core.Replication;
using Pype.Core.Wire;

namespace Pype.Core.Calls;

/// <summary>Video codecs a call may carry. Only H.264 (RFC 6184, packetization-mode 1) exists in v1.</summary>
public enum VideoCodec : byte
{
    H264 = 1,
}

/// <summary>Audio codecs a call may carry. Only Opus (RFC 7587) exists in v1.</summary>
public enum AudioCodec : byte
{
    Opus = 1,
}

/// <summary>The most a side is willing to send or receive: picture size, frame rate and bitrate.</summary>
public readonly record struct VideoLimits(ushort MaxWidth, ushort MaxHeight, byte MaxFramesPerSecond, uint MaxKilobitsPerSecond)
{
    public const ushort MinDimension = 16;
    public const ushort MaxDimension = 4096;
    public const byte MaxFrameRate = 120;
    public const uint MinBitrate = 8;
    public const uint MaxBitrate = 50_000;

    /// <summary>720p at 30 frames a second and 2 Mbit/s.</summary>
    public static VideoLimits Default { get; } = new(1280, 720, 30, 2_000);

    public bool IsWithinBounds =>
        MaxWidth is >= MinDimension and <= MaxDimension
        && MaxHeight is >= MinDimension and <= MaxDimension
        && MaxFramesPerSecond is >= 1 and <= MaxFrameRate
        && MaxKilobitsPerSecond is >= MinBitrate and <= MaxBitrate;

    /// <summary>Field by field the smaller of the two: what both sides can do.</summary>
    public VideoLimits Intersect(VideoLimits other) => new(
        Math.Min(MaxWidth, other.MaxWidth),
        Math.Min(MaxHeight, other.MaxHeight),
        Math.Min(MaxFramesPerSecond, other.MaxFramesPerSecond),
        Math.Min(MaxKilobitsPerSecond, other.MaxKilobitsPerSecond));

    public bool FitsWithin(VideoLimits other) =>
        MaxWidth <= other.MaxWidth && MaxHeight <= other.MaxHeight
        && MaxFramesPerSecond <= other.MaxFramesPerSecond && MaxKilobitsPerSecond <= other.MaxKilobitsPerSecond;
}

/// <summary>
/// One side's media description: codecs, video limits, audio parameters and the RTP SSRCs this
/// side will send from. The caller's invite carries one (the offer); the callee's accept carries
/// one (the answer: the same codecs, limits no larger than the offer's).
/// </summary>
/// <remarks>
/// Wire form, 24 bytes, big-endian: video codec (1) | max width (2) | max height (2) | max fps (1) |
/// max kbps (4) | audio codec (1) | sample rate (4) | frame ms (1) | video SSRC (4) | audio SSRC (4).
/// Any codec byte and any sample rate up to 192 kHz decodes, so a callee can answer an offer it
/// cannot take with Reject(unsupported) instead of silence; the video limits must be in bounds.
/// The same bytes are the opaque offer of a call-list <see cref="CallInvite"/>.
/// </remarks>
public sealed record MediaOffer(
    VideoCodec Video,
    VideoLimits Limits,
    AudioCodec Audio,
    uint AudioSampleRate,
    byte AudioFrameMilliseconds,
    uint VideoSsrc,
    uint AudioSsrc)
{
    public const int EncodedLength = 24;
    public const uint OpusSampleRate = 48_000;
    public const byte OpusFrameMilliseconds = 20;
    private const uint MaxSampleRate = 192_000;
    private const byte MaxFrameMilliseconds = 120;

    /// <summary>H.264 within <paramref name="limits"/> (720p30 at 2 Mbit/s by default) and Opus at 48 kHz in 20 ms frames.</summary>
    public static MediaOffer Create(uint videoSsrc, uint audioSsrc, VideoLimits? limits = null) =>
        new(VideoCodec.H264, limits ?? VideoLimits.Default, AudioCodec.Opus, OpusSampleRate, OpusFrameMilliseconds, videoSsrc, audioSsrc);

    /// <summary>True when this node can send and receive exactly these codecs and audio parameters.</summary>
    public bool IsSupported =>
        Video == VideoCodec.H264 && Audio == AudioCodec.Opus
        && AudioSampleRate == OpusSampleRate && AudioFrameMilliseconds == OpusFrameMilliseconds;

    /// <summary>The answer to this offer: the same codecs, limits within both sides', our own SSRCs.</summary>
    public MediaOffer AnswerWith(VideoLimits local, uint videoSsrc, uint audioSsrc) =>
        this with { Limits = Limits.Intersect(local), VideoSsrc = videoSsrc, AudioSsrc = audioSsrc };

    /// <summary>True when <paramref name="answer"/> keeps this offer's codecs and stays within its limits.</summary>
    public bool Admits(MediaOffer answer) =>
        answer.Video == Video && answer.Audio == Audio
        && answer.AudioSampleRate == AudioSampleRate && answer.AudioFrameMilliseconds == AudioFrameMilliseconds
        && answer.Limits.FitsWithin(Limits);

    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        var writer = new WireWriter(bytes);
        Write(ref writer);
        return bytes;
    }

    /// <summary>Decodes exactly <see cref="EncodedLength"/> bytes. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out MediaOffer? offer)
    {
        var reader = new WireReader(bytes);
        return TryRead(ref reader, out offer) && reader.AtEnd;
    }

    internal void Write(ref WireWriter writer)
    {
        writer.U8((byte)Video);
        writer.U16(Limits.MaxWidth);
        writer.U16(Limits.MaxHeight);
        writer.U8(Limits.MaxFramesPerSecond);
        writer.U32(Limits.MaxKilobitsPerSecond);
        writer.U8((byte)Audio);
        writer.U32(AudioSampleRate);
        writer.U8(AudioFrameMilliseconds);
        writer.U32(VideoSsrc);
        writer.U32(AudioSsrc);
    }

    internal static bool TryRead(ref WireReader reader, [NotNullWhen(true)] out MediaOffer? offer)
    {
        var video = (VideoCodec)reader.U8();
        var limits = new VideoLimits(reader.U16(), reader.U16(), reader.U8(), reader.U32());
        var audio = (AudioCodec)reader.U8();
        var sampleRate = reader.U32();
        var frameMilliseconds = reader.U8();
        var videoSsrc = reader.U32();
        var audioSsrc = reader.U32();
        offer = null;
        if (reader.Failed || !limits.IsWithinBounds
            || sampleRate is 0 or > MaxSampleRate || frameMilliseconds is 0 or > MaxFrameMilliseconds)
        {
            return false;
        }

        offer = new MediaOffer(video, limits, audio, sampleRate, frameMilliseconds, videoSsrc, audioSsrc);
        return true;
    }
}
