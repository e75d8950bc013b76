using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class OpusRtpTests
{
    private const long CaptureTime = 1_760_000_000_000_000;

    [Fact]
    public void Each_Opus_packet_is_one_RTP_payload_on_the_48_kHz_clock()
    {
        var packetizer = new OpusRtpPacketizer(9, 65535);

        var packets = Enumerable.Range(0, 3).Select(i => packetizer.Packetize(new byte[] { (byte)i, 0xAA }, (uint)(960 * i), CaptureTime + 20_000 * i)).ToList();

        Assert.Equal([65535, 0, 1], packets.Select(p => (int)p.SequenceNumber));
        Assert.Equal([0u, 960u, 1920u], packets.Select(p => p.Timestamp));
        Assert.All(packets, p => Assert.Equal(RtpPayloadFormat.OpusPayloadType, p.PayloadType));
        Assert.Equal(new byte[] { 1, 0xAA }, packets[1].Payload.ToArray());
        Assert.Equal(960u, RtpPayloadFormat.TimestampAt(20_000, RtpPayloadFormat.OpusClockRate, 0));
    }

    [Fact]
    public void The_marker_is_set_on_the_first_packet_and_the_first_after_a_silence()
    {
        var packetizer = new OpusRtpPacketizer(9, 0);

        var markers = new uint[] { 0, 960, 1920, 1920 + 960 * 10, 1920 + 960 * 11 }
            .Select(t => packetizer.Packetize(new byte[] { 1 }, t, CaptureTime).Marker);

        Assert.Equal([true, false, false, true, false], markers);
    }

    [Fact]
    public void A_sequence_gap_is_reported_before_the_next_packet_so_the_decoder_can_conceal_it()
    {
        var packetizer = new OpusRtpPacketizer(9, 65534);
        var packets = Enumerable.Range(0, 6).Select(i => packetizer.Packetize(new byte[] { (byte)i }, (uint)(960 * i), CaptureTime)).ToList();
        var depacketizer = new OpusRtpDepacketizer();

        foreach (var packet in new[] { packets[0], packets[2], packets[1], packets[5], packets[5] })
            depacketizer.Push(packet);
        depacketizer.Flush();

        var received = Drain(depacketizer);
        Assert.Equal([0, 1, 2, 5], received.Select(r => (int)r.OpusPacket.Span[0]));
        Assert.Equal([0, 0, 0, 2], received.Select(r => r.LostBefore));
        Assert.Equal(2, depacketizer.Counters.PacketsLost);
        Assert.Equal(1, depacketizer.Counters.Duplicates);
        Assert.Equal(CaptureTime, received[0].CaptureTimeMicroseconds);
    }

    [Fact]
    public void Silence_without_packets_is_not_loss()
    {
        var packetizer = new OpusRtpPacketizer(9, 0);
        var depacketizer = new OpusRtpDepacketizer();

        depacketizer.Push(packetizer.Packetize(new byte[] { 1 }, 0, CaptureTime));
        depacketizer.Push(packetizer.Packetize(new byte[] { 2 }, 960 * 50, CaptureTime));

        var received = Drain(depacketizer);
        Assert.Equal([0, 0], received.Select(r => r.LostBefore));
        Assert.Equal([true, true], received.Select(r => r.StartsTalkspurt));
    }

    [Fact]
    public void An_empty_payload_counts_as_a_lost_packet()
    {
        var depacketizer = new OpusRtpDepacketizer();

        depacketizer.Push(new RtpPacket(false, 111, 1, 0, 9, new byte[] { 1 }));
        depacketizer.Push(new RtpPacket(false, 111, 2, 960, 9, ReadOnlyMemory<byte>.Empty));
        depacketizer.Push(new RtpPacket(false, 111, 3, 1920, 9, new byte[] { 3 }));

        Assert.Equal([0, 1], Drain(depacketizer).Select(r => r.LostBefore));
        Assert.Equal(1, depacketizer.Counters.EmptyPayloads);
    }

    private static List<ReceivedOpusPacket> Drain(OpusRtpDepacketizer depacketizer)
    {
        var received = new List<ReceivedOpusPacket>();
        while (depacketizer.TryTake(out var packet))
            received.Add(packet);
        return received;
    }
}
