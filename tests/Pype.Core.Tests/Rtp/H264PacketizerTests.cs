using CsCheck;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class H264PacketizerTests
{
    private const long CaptureTime = 1_760_000_000_000_000;

    [Fact]
    public void Aggregation_and_fragmentation_types_are_those_of_RFC_6184_table_1()
    {
        Assert.Equal(24, H264RtpPayload.StapA);
        Assert.Equal(28, H264RtpPayload.FuA);
        Assert.Equal(9, H264NalUnitType.AccessUnitDelimiter);
        Assert.Equal(5, H264NalUnitType.IdrSlice);
    }

    [Fact]
    public void Small_NAL_units_travel_together_in_one_STAP_A_without_the_delimiter()
    {
        var unit = new AccessUnit([new byte[] { 0x09, 0xF0 }, new byte[] { 0x67, 1, 2 }, new byte[] { 0x68, 3 }, new byte[] { 0x65, 4, 5, 6 }]);

        var packets = new H264Packetizer(7, 100).Packetize(unit, 9000, CaptureTime);

        var packet = Assert.Single(packets);
        Assert.True(packet.Marker);
        Assert.Equal(new byte[] { 0x78, 0, 3, 0x67, 1, 2, 0, 2, 0x68, 3, 0, 4, 0x65, 4, 5, 6 }, packet.Payload.ToArray());
        Assert.Equal(CaptureTime, packet.CaptureTimeMicroseconds);
    }

    [Fact]
    public void A_NAL_unit_alone_goes_as_a_single_NAL_unit_packet()
    {
        var slice = SyntheticH264.NalUnit(0x41, 1000, new Random(1));

        var packets = new H264Packetizer(7, 100).Packetize(new AccessUnit([new byte[] { 0x09, 0x30 }, slice]), 0, CaptureTime);

        Assert.Equal(slice, Assert.Single(packets).Payload.ToArray());
    }

    [Fact]
    public void A_large_NAL_unit_is_cut_into_FU_A_fragments_that_keep_its_NRI_and_type()
    {
        var idr = SyntheticH264.NalUnit(0x65, 3000, new Random(2));

        var packets = new H264Packetizer(7, 100).Packetize(new AccessUnit([idr]), 0, CaptureTime);

        Assert.Equal(3, packets.Count);
        Assert.All(packets, p => Assert.Equal(0x60 | 28, p.Payload.Span[0]));
        Assert.Equal([0x85, 0x05, 0x45], packets.Select(p => (int)p.Payload.Span[1]));
        Assert.Equal(idr[1..], packets.SelectMany(p => p.Payload.ToArray()[2..]));
        Assert.Equal([false, false, true], packets.Select(p => p.Marker));
        Assert.InRange(packets.Max(p => p.Payload.Length) - packets.Min(p => p.Payload.Length), 0, 1);
    }

    [Fact]
    public void Packets_of_a_frame_share_its_timestamp_and_number_on_through_the_wrap()
    {
        var packetizer = new H264Packetizer(7, 65534);
        var frames = SyntheticH264.Frames(new Random(3), 6);

        var packets = frames.SelectMany((f, i) => packetizer.Packetize(f, (uint)(uint.MaxValue - 3000 + i * 3000), CaptureTime)).ToList();

        Assert.Equal(Enumerable.Range(0, packets.Count).Select(i => (ushort)(65534 + i)), packets.Select(p => p.SequenceNumber));
        var byFrame = packets.GroupBy(p => p.Timestamp).ToList();
        Assert.Equal(frames.Length, byFrame.Count);
        Assert.All(byFrame, frame => Assert.Equal(frame.Select((_, i) => i == frame.Count() - 1), frame.Select(p => p.Marker)));
    }

    [Fact]
    public void Every_packet_fits_the_payload_budget_and_the_datagram()
    {
        SyntheticH264.Stream.Sample(frames =>
        {
            var packetizer = new H264Packetizer(7, 0);
            foreach (var packet in frames.SelectMany(f => packetizer.Packetize(f, 0, CaptureTime)))
            {
                Assert.InRange(packet.Payload.Length, 1, RtpLimits.MaxPayloadLength);
                Assert.InRange(RtpPacketCodec.LengthOf(packet), 1, RtpLimits.MaxPacketLength);
            }
        }, iter: 300);
    }

    [Fact]
    public void A_NAL_unit_exactly_at_the_budget_goes_whole_and_one_byte_more_is_fragmented()
    {
        var atBudget = SyntheticH264.NalUnit(0x41, RtpLimits.MaxPayloadLength, new Random(4));
        var overBudget = SyntheticH264.NalUnit(0x41, RtpLimits.MaxPayloadLength + 1, new Random(5));
        var packetizer = new H264Packetizer(7, 0);

        Assert.Single(packetizer.Packetize(new AccessUnit([atBudget]), 0, CaptureTime));
        Assert.Equal(2, packetizer.Packetize(new AccessUnit([overBudget]), 0, CaptureTime).Count);
    }
}
