using Pype.Core.Session;

namespace Pype.Core.Rtp;

public enum MediaStreamKind { Video, Audio }

/// <summary>Why an incoming media payload went nowhere. Nothing is ever sent back for a drop.</summary>
public enum MediaPacketDropReason
{
    None,
    /// <summary>Empty, or the first byte is not <see cref="SessionMessageType.MediaRtp"/>.</summary>
    NotMediaRtp,
    /// <summary>Longer than one RTP packet may be (<see cref="RtpLimits.MaxPacketLength"/>).</summary>
    TooLong,
    MalformedRtp,
    /// <summary>Neither H.264 (96) nor Opus (111).</summary>
    UnknownPayloadType,
    /// <summary>A known payload type from an SSRC the peer did not announce in its media offer.</summary>
    ForeignSsrc,
}

/// <summary>An incoming media payload: the stream it belongs to and its packet, or why it was dropped.</summary>
public readonly record struct DemuxedMediaPacket(MediaStreamKind Stream, RtpPacket? Packet, MediaPacketDropReason Drop);

/// <summary>
/// The session framing of media (docs/protocol/rtp.md): byte 0 is <see cref="SessionMessageType.MediaRtp"/>,
/// the rest one RTP packet. Incoming packets are sorted into video and audio by payload type and
/// accepted only from the SSRCs the peer announced, so a stray or forged stream never reaches a decoder.
/// </summary>
public sealed class MediaPacketDemux(uint remoteVideoSsrc, uint remoteAudioSsrc)
{
    /// <summary>The framing byte plus the longest RTP packet a datagram carries.</summary>
    public const int MaxPayloadLength = RtpLimits.SessionMessageTypeLength + RtpLimits.MaxPacketLength;

    public static byte[] Frame(RtpPacket packet)
    {
        var payload = new byte[RtpLimits.SessionMessageTypeLength + RtpPacketCodec.LengthOf(packet)];
        if (payload.Length > MaxPayloadLength)
            throw new ArgumentException($"an RTP packet of {payload.Length - 1} bytes does not fit one datagram", nameof(packet));
        payload[0] = (byte)SessionMessageType.MediaRtp;
        RtpPacketCodec.Write(packet, payload.AsSpan(RtpLimits.SessionMessageTypeLength));
        return payload;
    }

    /// <summary>A feedback payload (0x41, docs/protocol/rtp.md §7): the caller hands <c>payload[1..]</c> to the RTCP parser.</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> payload) =>
        payload.Length > RtpLimits.SessionMessageTypeLength && payload.Length <= MaxPayloadLength && payload[0] == (byte)SessionMessageType.MediaRtcp;

    /// <summary>Frames one compound RTCP packet as session message 0x41.</summary>
    public static byte[] FrameRtcp(ReadOnlySpan<byte> compound)
    {
        if (compound.Length > Feedback.RtcpCodec.MaxCompoundLength)
            throw new ArgumentException($"an RTCP compound of {compound.Length} bytes does not fit one datagram", nameof(compound));
        var payload = new byte[RtpLimits.SessionMessageTypeLength + compound.Length];
        payload[0] = (byte)SessionMessageType.MediaRtcp;
        compound.CopyTo(payload.AsSpan(RtpLimits.SessionMessageTypeLength));
        return payload;
    }

    public DemuxedMediaPacket Demux(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload[0] != (byte)SessionMessageType.MediaRtp)
            return Dropped(MediaPacketDropReason.NotMediaRtp);
        if (payload.Length > MaxPayloadLength)
            return Dropped(MediaPacketDropReason.TooLong);
        var parsed = RtpPacketCodec.Parse(payload[RtpLimits.SessionMessageTypeLength..]);
        if (!parsed.IsSuccess)
            return Dropped(MediaPacketDropReason.MalformedRtp);
        var packet = parsed.Packet;
        var (stream, ssrc) = packet.PayloadType switch
        {
            RtpPayloadFormat.H264PayloadType => (MediaStreamKind.Video, remoteVideoSsrc),
            RtpPayloadFormat.OpusPayloadType => (MediaStreamKind.Audio, remoteAudioSsrc),
            _ => (default(MediaStreamKind?), 0u),
        };
        if (stream is not { } kind)
            return Dropped(MediaPacketDropReason.UnknownPayloadType);
        return packet.Ssrc == ssrc
            ? new DemuxedMediaPacket(kind, packet, MediaPacketDropReason.None)
            : new DemuxedMediaPacket(kind, null, MediaPacketDropReason.ForeignSsrc);
    }

    private static DemuxedMediaPacket Dropped(MediaPacketDropReason reason) => new(default, null, reason);
}
