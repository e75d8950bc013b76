using Pype.Core.Rtp;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class MediaPacketDemuxTests
{
    private const uint VideoSsrc = 0x1111, AudioSsrc = 0x2222;
    private readonly MediaPacketDemux demux = new(VideoSsrc, AudioSsrc);

    private static RtpPacket Packet(byte payloadType, uint ssrc, int payloadLength = 10) =>
        new(false, payloadType, 7, 9000, ssrc, new byte[payloadLength]) { CaptureTimeMicroseconds = 1_760_000_000_000_000 };

    [Fact]
    public void Framed_packets_go_to_their_stream_by_payload_type_and_ssrc()
    {
        var video = demux.Demux(MediaPacketDemux.Frame(Packet(RtpPayloadFormat.H264PayloadType, VideoSsrc)));
        var audio = demux.Demux(MediaPacketDemux.Frame(Packet(RtpPayloadFormat.OpusPayloadType, AudioSsrc)));
        Assert.Equal((MediaStreamKind.Video, MediaPacketDropReason.None), (video.Stream, video.Drop));
        Assert.Equal(VideoSsrc, video.Packet!.Ssrc);
        Assert.Equal(1_760_000_000_000_000, video.Packet.CaptureTimeMicroseconds);
        Assert.Equal((MediaStreamKind.Audio, MediaPacketDropReason.None), (audio.Stream, audio.Drop));
    }

    [Fact]
    public void The_frame_is_the_media_type_byte_then_the_rtp_packet()
    {
        var packet = Packet(RtpPayloadFormat.OpusPayloadType, AudioSsrc);
        var framed = MediaPacketDemux.Frame(packet);
        Assert.Equal((byte)SessionMessageType.MediaRtp, framed[0]);
        Assert.Equal(0x40, framed[0]);
        Assert.Equal(RtpPacketCodec.Serialize(packet), framed[1..]);
    }

    [Fact]
    public void A_packet_of_the_largest_payload_fits_and_one_byte_more_does_not()
    {
        var stamped = Packet(96, VideoSsrc, RtpLimits.MaxPayloadLength) with { SendTime = 1 };
        Assert.Equal(MediaPacketDemux.MaxPayloadLength, MediaPacketDemux.Frame(stamped).Length);
        Assert.Throws<ArgumentException>(() => MediaPacketDemux.Frame(Packet(96, VideoSsrc, RtpLimits.MaxPayloadLength + 1) with { SendTime = 1 }));
    }

    [Fact]
    public void Everything_else_is_dropped_with_its_reason()
    {
        Assert.Equal(MediaPacketDropReason.NotMediaRtp, demux.Demux([]).Drop);
        Assert.Equal(MediaPacketDropReason.NotMediaRtp, demux.Demux([0x30, 1, 2]).Drop);
        Assert.Equal(MediaPacketDropReason.MalformedRtp, demux.Demux([0x40, 0x80, 96]).Drop);
        // A send-time element of two bytes instead of three.
        Assert.Equal(MediaPacketDropReason.MalformedRtp, demux.Demux([0x40, 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0x21, 0, 0, 0]).Drop);
        var tooLong = new byte[MediaPacketDemux.MaxPayloadLength + 1];
        tooLong[0] = 0x40;
        Assert.Equal(MediaPacketDropReason.TooLong, demux.Demux(tooLong).Drop);
        Assert.Equal(MediaPacketDropReason.UnknownPayloadType, demux.Demux(MediaPacketDemux.Frame(Packet(97, VideoSsrc))).Drop);
        var foreign = demux.Demux(MediaPacketDemux.Frame(Packet(RtpPayloadFormat.H264PayloadType, AudioSsrc)));
        Assert.Equal((MediaStreamKind.Video, MediaPacketDropReason.ForeignSsrc, (RtpPacket?)null), (foreign.Stream, foreign.Drop, foreign.Packet));
    }
}
