using CsCheck;
using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

/// <summary>Whatever the peer sends, the RTP parser and the depacketizers answer without throwing.</summary>
public sealed class RtpMalformedInputPropertyTests
{
    private const int Cases = 100_000;

    private static readonly byte[][] RealPackets = H264DepacketizerTests
        .Packetize(65500, SyntheticH264.Frames(new Random(42), 8))
        .Select((packet, i) => i % 2 == 0 ? packet : packet with { SendTime = (uint)(i * 4099) & RtpSendTimeExtension.MaxValue })
        .Select(RtpPacketCodec.Serialize)
        .ToArray();

    private static readonly Gen<byte[]> AnyDatagram = Gen.Byte.Array[0, RtpLimits.MaxPacketLength + 16];

    /// <summary>A real packet truncated, bit-flipped, or with a byte overwritten.</summary>
    private static readonly Gen<byte[]> MutatedPacket =
        Gen.Select(Gen.Int[0, RealPackets.Length - 1], Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Byte, (which, how, position, value) =>
        {
            var packet = RealPackets[which].ToArray();
            var at = position % packet.Length;
            return how switch
            {
                0 => packet[..at],
                1 => Flip(packet, at, value),
                _ => Overwrite(packet, at, value),
            };
        });

    /// <summary>RTP-looking packets whose payloads are H.264 payload headers followed by anything.</summary>
    private static readonly Gen<RtpPacket> HostilePacket =
        Gen.Select(Gen.Bool, Gen.UShort[0, 40], Gen.UInt[0, 5], Gen.Byte, Gen.Byte, Gen.Byte.Array[0, 40],
            (marker, sequence, timestamp, indicator, second, rest) =>
                new RtpPacket(marker, RtpPayloadFormat.H264PayloadType, sequence, timestamp * 3000, 1, (byte[])[indicator, second, .. rest]));

    [Fact]
    public void Random_and_mutated_datagrams_never_make_the_parser_throw()
    {
        Gen.Frequency((1, AnyDatagram), (3, MutatedPacket)).Sample(datagram =>
        {
            var parsed = RtpPacketCodec.Parse(datagram);
            if (parsed.IsSuccess)
                Assert.InRange(parsed.Packet.Payload.Length, 0, datagram.Length);
        }, iter: Cases);
    }

    [Fact]
    public void Mutated_packets_never_make_the_depacketizers_throw()
    {
        var video = new H264Depacketizer();
        var audio = new OpusRtpDepacketizer(payloadType: RtpPayloadFormat.H264PayloadType);
        MutatedPacket.Sample(datagram =>
        {
            var parsed = RtpPacketCodec.Parse(datagram);
            if (!parsed.IsSuccess)
                return;
            video.Push(parsed.Packet);
            audio.Push(parsed.Packet);
            while (video.TryTake(out _)) { }
            while (audio.TryTake(out _)) { }
        }, iter: Cases, threads: 1);
        video.Flush();
    }

    [Fact]
    public void Hostile_payload_sequences_never_make_the_H264_depacketizer_throw_or_emit_garbage_lengths()
    {
        HostilePacket.Array[1, 30].Sample(packets =>
        {
            var depacketizer = new H264Depacketizer(reorderWindow: 8);
            foreach (var packet in packets)
                depacketizer.Push(packet);
            depacketizer.Flush();
            while (depacketizer.TryTake(out var frame))
                Assert.All(frame.AccessUnit.NalUnits, n => Assert.InRange(n.Length, 1, 40 * 30 + 2));
        }, iter: Cases / 4);
    }

    private static byte[] Flip(byte[] packet, int at, byte bits)
    {
        packet[at] ^= bits == 0 ? (byte)1 : bits;
        return packet;
    }

    private static byte[] Overwrite(byte[] packet, int at, byte value)
    {
        packet[at] = value;
        return packet;
    }
}
