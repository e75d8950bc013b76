using System.Security.Cryptography;
using Akka.Actor;
using Pype.Core.Identity;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Media;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// Packetises access units (RFC 6184) and tells each packet, framed with 0x40, to the network at
/// once. The RTP timestamp follows the capture time (90 kHz); sequence number and timestamp
/// start at random values (RFC 3550 §5.1). Packets of a frame go out back to back (no pacing yet).
/// Every packet is kept for a second in an <see cref="RtpSendHistory"/>, so a NACK is answered with
/// the very same packet (docs/protocol/rtp.md §7.3).
/// <para>
/// Each packet is stamped with its send time (<see cref="RtpSendTimeExtension"/>) here, the last
/// place before it leaves for the network, and a retransmission gets a fresh stamp: the receiver's
/// delay trend compares arrival spacing with send spacing, so time the frame spent in capture and
/// encoding, or a resend's age, must not be in it (docs/RESILIENCE.md §5).
/// </para>
/// </summary>
internal sealed class VideoSenderActor : ReceiveActor
{
    public const string Stage = "video-sender";

    public VideoSenderActor(HashAddress peer, uint ssrc, IActorRef network)
    {
        var packetizer = new H264Packetizer(ssrc, RandomSequenceNumber());
        var timestampOffset = RandomTimestampOffset();
        var history = new RtpSendHistory();
        Receive<RetransmitVideo>(asked =>
        {
            var (gone, resent) = (history.NackedButGone, 0L);
            foreach (var packet in history.Retransmit(asked.SequenceNumbers, MediaClock.UtcNow, asked.MinInterval))
            {
                var payload = MediaPacketDemux.Frame(Stamped(packet));
                network.Tell(new SendMediaPacket(peer, payload));
                resent += payload.Length;
                Context.Parent.Tell(new MediaCount(MediaCounter.VideoPacketsRetransmitted));
            }
            if (history.NackedButGone > gone) Context.Parent.Tell(new MediaCount(MediaCounter.VideoPacketsNackedButGone, history.NackedButGone - gone));
            if (resent > 0) Context.Parent.Tell(new MediaCount(MediaCounter.BytesSent, resent));
        });
        Receive<EncodedAccessUnit>(unit =>
        {
            var captureTime = MediaClock.ToUnixMicroseconds(unit.CaptureTime);
            var timestamp = RtpPayloadFormat.TimestampAt(captureTime, RtpPayloadFormat.H264ClockRate, timestampOffset);
            var packets = packetizer.Packetize(AccessUnit.Parse(unit.Data), timestamp, captureTime);
            long bytes = 0;
            var octets = 0;
            var now = MediaClock.UtcNow;
            foreach (var packet in packets)
            {
                var payload = MediaPacketDemux.Frame(Stamped(packet));
                bytes += payload.Length;
                octets += packet.Payload.Length;
                history.Add(packet, now);
                network.Tell(new SendMediaPacket(peer, payload));
            }
            var session = Context.Parent;
            session.Tell(new RtpSent(MediaStreamKind.Video, timestamp, packets.Count, octets));
            session.Tell(new MediaCount(MediaCounter.VideoFramesSent));
            session.Tell(new MediaCount(MediaCounter.VideoPacketsSent, packets.Count));
            session.Tell(new MediaCount(MediaCounter.PacketsSent, packets.Count));
            session.Tell(new MediaCount(MediaCounter.BytesSent, bytes));
        });
    }

    public static Props Props(HashAddress peer, uint ssrc, IActorRef network) => Akka.Actor.Props.Create(() => new VideoSenderActor(peer, ssrc, network));

    private static RtpPacket Stamped(RtpPacket packet) => packet with { SendTime = RtpSendTimeExtension.From(MediaClock.UtcNow) };

    internal static ushort RandomSequenceNumber() => (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);

    internal static uint RandomTimestampOffset()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }
}

/// <summary>
/// Packetises Opus packets (RFC 7587) and tells each to the network. The timestamp counts 960
/// ticks per 20 ms frame from the frame index, so capture jitter never looks like a silence.
/// No send time is stamped: the delay trend reads video only (what rate control governs), and
/// 4 bytes every 20 ms that nobody reads would be 1.6 kb/s for nothing.
/// </summary>
internal sealed class AudioSenderActor : ReceiveActor
{
    public const string Stage = "audio-sender";

    public AudioSenderActor(HashAddress peer, uint ssrc, IActorRef network)
    {
        var packetizer = new OpusRtpPacketizer(ssrc, VideoSenderActor.RandomSequenceNumber());
        var timestampOffset = VideoSenderActor.RandomTimestampOffset();
        Receive<EncodedAudioFrame>(frame =>
        {
            var timestamp = unchecked(timestampOffset + (uint)(frame.Index * OpusRtpPacketizer.DefaultFrameTicks));
            var packet = packetizer.Packetize(frame.OpusPacket, timestamp, MediaClock.ToUnixMicroseconds(frame.CaptureTime));
            var payload = MediaPacketDemux.Frame(packet);
            network.Tell(new SendMediaPacket(peer, payload));
            var session = Context.Parent;
            session.Tell(new RtpSent(MediaStreamKind.Audio, timestamp, 1, frame.OpusPacket.Length));
            session.Tell(new MediaCount(MediaCounter.AudioPacketsSent));
            session.Tell(new MediaCount(MediaCounter.PacketsSent));
            session.Tell(new MediaCount(MediaCounter.BytesSent, payload.Length));
        });
    }

    public static Props Props(HashAddress peer, uint ssrc, IActorRef network) => Akka.Actor.Props.Create(() => new AudioSenderActor(peer, ssrc, network));
}
