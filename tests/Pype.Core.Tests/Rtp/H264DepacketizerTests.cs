using Pype.Core.Media;
using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class H264DepacketizerTests
{
    private const uint Ssrc = 0x5EED;
    private const long CaptureTime = 1_760_000_000_000_000;

    private static readonly byte[] Sps = [0x67, 0x42, 0xC0, 0x1F];
    private static readonly byte[] Pps = [0x68, 0xCE, 0x3C, 0x80];

    [Fact]
    public void A_frame_comes_out_with_a_delimiter_in_front_its_timestamp_capture_time_and_keyframe_flag()
    {
        var idr = SyntheticH264.NalUnit(0x65, 5000, new Random(1));
        var packets = Packetize(65530, Frame(Sps, Pps, idr));

        var frame = Assert.Single(Depacketize(packets));

        Assert.True(frame.IsComplete);
        Assert.True(frame.IsKeyframe);
        Assert.Equal(90_000u, frame.RtpTimestamp);
        Assert.Equal(CaptureTime, frame.CaptureTimeMicroseconds);
        Assert.Equal([AccessUnit.Delimiter.ToArray(), Sps, Pps, idr], SyntheticH264.NalUnitsOf(frame.AccessUnit, withoutDelimiter: false));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1 }, frame.AccessUnit.ToAnnexB()[..10]);
    }

    [Theory]
    [InlineData(0, "first")]
    [InlineData(2, "middle")]
    [InlineData(4, "last")]
    public void A_NAL_unit_missing_a_fragment_is_dropped_and_counted(int lostFragment, string _)
    {
        var big = SyntheticH264.NalUnit(0x41, 5000, new Random(2));
        var small = SyntheticH264.NalUnit(0x41, 200, new Random(3));
        var packets = Packetize(65532, Frame(Sps, Pps), Frame(big, small)).ToList();
        Assert.Equal(7, packets.Count); // a STAP-A frame, then five fragments and the small slice
        packets.RemoveAt(1 + lostFragment);

        var depacketizer = new H264Depacketizer();
        var frame = Depacketize(packets, depacketizer)[1];

        Assert.False(frame.IsComplete);
        Assert.Equal([small], SyntheticH264.NalUnitsOf(frame.AccessUnit));
        Assert.Equal(1, depacketizer.Counters.FragmentedNalUnitsDropped);
        Assert.Equal(1, depacketizer.Counters.PacketsLost);
    }

    [Fact]
    public void A_lost_last_fragment_that_carried_the_marker_is_noticed_when_the_next_frame_starts()
    {
        var big = SyntheticH264.NalUnit(0x65, 3000, new Random(4));
        var next = SyntheticH264.NalUnit(0x41, 300, new Random(5));
        var packets = Packetize(65535, Frame(Sps, Pps, big), Frame(next)).ToList();
        packets.RemoveAt(3); // STAP-A, fragment, fragment, [last fragment], next frame

        var depacketizer = new H264Depacketizer();
        var frames = Depacketize(packets, depacketizer);

        Assert.Equal(2, frames.Count);
        Assert.False(frames[0].IsComplete);
        Assert.Equal([Sps, Pps], SyntheticH264.NalUnitsOf(frames[0].AccessUnit));
        Assert.True(frames[1].IsComplete);
        Assert.Equal([next], SyntheticH264.NalUnitsOf(frames[1].AccessUnit));
        Assert.Equal(1, depacketizer.Counters.FragmentedNalUnitsDropped);
    }

    [Fact]
    public void A_frame_after_a_wholly_lost_frame_is_flagged()
    {
        var frames = SyntheticH264.Frames(new Random(6), 3);
        var packets = Packetize(10, frames);
        var middle = packets.Where(p => p.Timestamp == 93_000).ToHashSet();

        var received = Depacketize(packets.Where(p => !middle.Contains(p)));

        Assert.Equal([90_000u, 96_000u], received.Select(f => f.RtpTimestamp));
        Assert.Equal([true, false], received.Select(f => f.IsComplete));
    }

    [Theory]
    [InlineData(new byte[] { 0x78, 0, 5, 0x67, 1 })]                 // size runs past the end
    [InlineData(new byte[] { 0x78, 0, 2, 0x67, 1, 0 })]              // a lone size byte left over
    [InlineData(new byte[] { 0x78, 0, 0, 0, 2, 0x68, 1 })]           // zero-size unit
    [InlineData(new byte[] { 0x78 })]                                // no units at all
    public void STAP_A_with_a_malformed_length_is_dropped_whole_and_counted(byte[] payload)
    {
        var depacketizer = new H264Depacketizer();

        var frame = Assert.Single(Depacketize([new RtpPacket(true, 96, 1, 0, Ssrc, payload)], depacketizer));

        Assert.False(frame.IsComplete);
        Assert.Empty(SyntheticH264.NalUnitsOf(frame.AccessUnit));
        Assert.Equal(1, depacketizer.Counters.MalformedPayloads);
    }

    [Theory]
    [InlineData(new byte[] { 0x7C, 0xC5, 1 })] // FU-A with both start and end
    [InlineData(new byte[] { 0x7C, 0x80 })]    // FU-A with type 0
    [InlineData(new byte[] { 0x7C })]          // FU indicator alone
    [InlineData(new byte[] { 0x00, 1 })]       // type 0
    [InlineData(new byte[0])]
    public void Malformed_payloads_are_counted_and_make_the_frame_incomplete(byte[] payload)
    {
        var depacketizer = new H264Depacketizer();

        var frame = Assert.Single(Depacketize([new RtpPacket(true, 96, 1, 0, Ssrc, payload)], depacketizer));

        Assert.False(frame.IsComplete);
        Assert.Equal(1, depacketizer.Counters.MalformedPayloads);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(27)]
    [InlineData(29)]
    [InlineData(30)]
    public void Payloads_outside_packetization_mode_1_are_counted_as_unsupported(int type)
    {
        var depacketizer = new H264Depacketizer();

        Depacketize([new RtpPacket(true, 96, 1, 0, Ssrc, new byte[] { (byte)(0x60 | type), 0x85, 1, 2 })], depacketizer);

        Assert.Equal(1, depacketizer.Counters.UnsupportedPayloads);
    }

    [Fact]
    public void Reordered_packets_across_the_sequence_wrap_are_put_back_in_order()
    {
        var big = SyntheticH264.NalUnit(0x65, 8000, new Random(7));
        var packets = Packetize(65531, Frame(Sps, Pps), Frame(Sps, Pps, big)).ToList();
        Assert.Contains(packets, p => p.SequenceNumber == 0);

        var depacketizer = new H264Depacketizer();
        var frame = Depacketize([packets[0], .. Enumerable.Reverse(packets.Skip(1))], depacketizer)[1];

        Assert.True(frame.IsComplete);
        Assert.Equal([Sps, Pps, big], SyntheticH264.NalUnitsOf(frame.AccessUnit));
        Assert.Equal(0, depacketizer.Counters.PacketsLost);
    }

    [Fact]
    public void Duplicates_late_packets_other_payload_types_and_other_sources_are_counted_and_ignored()
    {
        var frames = SyntheticH264.Frames(new Random(8), 2);
        var packets = Packetize(100, frames).ToList();
        var depacketizer = new H264Depacketizer();

        Depacketize([packets[0], packets[0], packets[0] with { Ssrc = 1 }, packets[0] with { PayloadType = 97 }], depacketizer);
        Assert.Equal(1, depacketizer.Counters.Duplicates);
        Assert.Equal(1, depacketizer.Counters.ForeignSsrc);
        Assert.Equal(1, depacketizer.Counters.WrongPayloadType);

        var late = packets[0] with { SequenceNumber = 99 };
        depacketizer.Push(late);
        Assert.Equal(1, depacketizer.Counters.TooLate);
    }

    [Fact]
    public void A_gap_is_given_up_on_once_the_reorder_window_has_passed_it()
    {
        var frames = SyntheticH264.Frames(new Random(9), 40);
        var packets = Packetize(0, frames).ToList();
        var depacketizer = new H264Depacketizer(reorderWindow: 8);

        foreach (var packet in packets.Take(9).Where((_, i) => i != 1))
            depacketizer.Push(packet);
        Assert.Equal(0, depacketizer.Counters.PacketsLost);

        depacketizer.Push(packets[9]);
        Assert.Equal(1, depacketizer.Counters.PacketsLost);
        depacketizer.Push(packets[1]);
        Assert.Equal(1, depacketizer.Counters.TooLate);
    }

    internal static AccessUnit Frame(params byte[][] nalUnits) =>
        new([AccessUnit.Delimiter.ToArray(), .. nalUnits.Select(n => (ReadOnlyMemory<byte>)n)]);

    internal static IReadOnlyList<RtpPacket> Packetize(ushort firstSequenceNumber, params AccessUnit[] frames)
    {
        var packetizer = new H264Packetizer(Ssrc, firstSequenceNumber);
        return frames.SelectMany((f, i) => packetizer.Packetize(f, (uint)(90_000 + 3000 * i), CaptureTime + 33_333 * i)).ToList();
    }

    internal static List<DepacketizedAccessUnit> Depacketize(IEnumerable<RtpPacket> packets, H264Depacketizer? depacketizer = null)
    {
        depacketizer ??= new H264Depacketizer();
        foreach (var packet in packets)
            depacketizer.Push(packet);
        depacketizer.Flush();
        var frames = new List<DepacketizedAccessUnit>();
        while (depacketizer.TryTake(out var frame))
            frames.Add(frame);
        return frames;
    }
}
