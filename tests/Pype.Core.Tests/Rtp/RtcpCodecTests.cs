using CsCheck;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.RateControl;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class RtcpCodecTests
{
    private static readonly Gen<RtcpReportBlock> AnyBlock =
        Gen.Select(Gen.UInt, Gen.Byte, Gen.Int[RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost], Gen.UInt, Gen.UInt, Gen.UInt, Gen.UInt,
            (ssrc, fraction, lost, highest, jitter, lsr, dlsr) => new RtcpReportBlock(ssrc, fraction, lost, highest, jitter, lsr, dlsr));

    private static readonly Gen<RtcpPacket> AnyPacket = Gen.OneOf<RtcpPacket>(
        Gen.Select(Gen.UInt, Gen.ULong, Gen.UInt, Gen.UInt, Gen.UInt, AnyBlock.Array[0, 4],
            (ssrc, ntp, rtp, packets, octets, blocks) => new RtcpSenderReport(ssrc, ntp, rtp, packets, octets, blocks)),
        Gen.Select(Gen.UInt, AnyBlock.Array[0, 4], (ssrc, blocks) => new RtcpReceiverReport(ssrc, blocks)),
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UShort.Array[1, 40], (sender, media, lost) => new RtcpGenericNack(sender, media, lost)),
        Gen.Select(Gen.UInt, Gen.UInt, (sender, media) => new RtcpPictureLossIndication(sender, media)),
        Gen.Select(Gen.UInt, Gen.UInt, Gen.Int[0, 2], Gen.UShort, Gen.UInt,
            (sender, media, trend, queue, rate) => new RtcpDelayTrendReport(sender, media, (DelayTrend)trend, queue, rate)));

    [Fact]
    public void A_compound_survives_a_round_trip()
    {
        AnyPacket.Array[1, 4].Sample(packets =>
        {
            var bytes = RtcpCodec.Serialize(packets);
            var parsed = RtcpCodec.Parse(bytes);

            Assert.True(parsed.IsSuccess, parsed.Error.ToString());
            Assert.Equal(packets.Length, parsed.Packets.Count);
            for (var i = 0; i < packets.Length; i++)
            {
                if (packets[i] is RtcpGenericNack nack)
                {
                    // The wire packs numbers into PID+BLP items: the set survives, and re-encoding is stable.
                    var back = Assert.IsType<RtcpGenericNack>(parsed.Packets[i]);
                    Assert.Equal(nack.LostSequenceNumbers.ToHashSet(), back.LostSequenceNumbers.ToHashSet());
                    Assert.Equal(RtcpCodec.Serialize(nack), RtcpCodec.Serialize(back));
                }
                else
                    Assert.Equal(packets[i], parsed.Packets[i]);
            }
            Assert.Equal(bytes, RtcpCodec.Serialize(parsed.Packets));
        }, iter: 20_000);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_make_the_parser_throw()
    {
        var mutated = Gen.Select(AnyPacket.Array[1, 3], Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[0, 2], (packets, position, value, how) =>
        {
            var bytes = RtcpCodec.Serialize(packets);
            var at = position % bytes.Length;
            if (how == 0)
                return bytes[..at];
            bytes[at] = how == 1 ? (byte)(bytes[at] ^ (value | 1)) : value;
            return bytes;
        });
        Gen.Frequency((1, Gen.Byte.Array[0, 1300]), (3, mutated)).Sample(bytes =>
        {
            var parsed = RtcpCodec.Parse(bytes);
            if (!parsed.IsSuccess)
                Assert.Empty(parsed.Packets);
        }, iter: 100_000);
    }

    [Fact]
    public void Receiver_report_is_laid_out_as_RFC_3550_section_6_4_2_shows()
    {
        var block = new RtcpReportBlock(0x0A0B0C0D, 0x40, -2, 0x0001FFFF, 0x10, 0x11223344, 0x00010000);

        var bytes = RtcpCodec.Serialize(new RtcpReceiverReport(0x01020304, [block]));

        Assert.Equal(new byte[]
        {
            0x81, 201, 0x00, 0x07, 1, 2, 3, 4,
            0x0A, 0x0B, 0x0C, 0x0D, 0x40, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0xFF, 0xFF,
            0, 0, 0, 0x10, 0x11, 0x22, 0x33, 0x44, 0x00, 0x01, 0x00, 0x00,
        }, bytes);
    }

    [Fact]
    public void Generic_NACK_packs_nearby_losses_into_one_PID_and_bitmask_across_the_wrap()
    {
        var bytes = RtcpCodec.Serialize(new RtcpGenericNack(1, 2, [65534, 65535, 0, 15, 100]));

        // 65534 is the PID; 65535, 0 and 15 are 1, 2 and 17 after it: 17 is too far, so 15 starts a new item.
        Assert.Equal(new byte[] { 0x81, 205, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x00, 0x03, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00 }, bytes);
        var back = Assert.IsType<RtcpGenericNack>(Assert.Single(RtcpCodec.Parse(bytes).Packets));
        Assert.Equal([65534, 65535, 0, 15, 100], back.LostSequenceNumbers);
    }

    [Fact]
    public void PLI_is_a_payload_specific_feedback_message_with_no_FCI()
    {
        var bytes = RtcpCodec.Serialize(new RtcpPictureLossIndication(7, 9));

        Assert.Equal(new byte[] { 0x81, 206, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0, 9 }, bytes);
    }

    [Fact]
    public void Delay_trend_report_is_an_APP_packet_named_PYDT()
    {
        var bytes = RtcpCodec.Serialize(new RtcpDelayTrendReport(7, 9, DelayTrend.Overusing, 0x0123, 456_789));

        Assert.Equal(new byte[]
        {
            0x80, 204, 0x00, 0x05, 0, 0, 0, 7, (byte)'P', (byte)'Y', (byte)'D', (byte)'T',
            0, 0, 0, 9, 1, 0, 0x01, 0x23, 0x00, 0x06, 0xF8, 0x55,
        }, bytes);
    }

    [Fact]
    public void Other_APP_packets_and_unknown_trend_states_are_skipped_and_a_short_PYDT_is_refused()
    {
        byte[] otherApp = [0x80, 204, 0x00, 0x02, 0, 0, 0, 7, (byte)'X', (byte)'Y', (byte)'Z', (byte)'W'];
        var unknownState = RtcpCodec.Serialize(new RtcpDelayTrendReport(7, 9, DelayTrend.Normal, 0, 0));
        unknownState[16] = 3;
        var pli = RtcpCodec.Serialize(new RtcpPictureLossIndication(1, 2));

        var parsed = RtcpCodec.Parse([.. otherApp, .. unknownState, .. pli]);

        Assert.True(parsed.IsSuccess);
        Assert.Equal(2, parsed.SkippedPackets);
        Assert.Equal(new RtcpPictureLossIndication(1, 2), Assert.Single(parsed.Packets));
        byte[] shortPydt = [0x80, 204, 0x00, 0x03, 0, 0, 0, 7, (byte)'P', (byte)'Y', (byte)'D', (byte)'T', 0, 0, 0, 9];
        Assert.Equal(RtcpParseError.BodyTooShort, RtcpCodec.Parse(shortPydt).Error);
    }

    [Fact]
    public void Unknown_packets_in_a_compound_are_skipped_and_counted()
    {
        byte[] sdes = [0x81, 202, 0x00, 0x01, 0, 0, 0, 5];
        byte[] remb = [0x8F, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0];
        var pli = RtcpCodec.Serialize(new RtcpPictureLossIndication(1, 2));

        var parsed = RtcpCodec.Parse([.. sdes, .. remb, .. pli]);

        Assert.True(parsed.IsSuccess);
        Assert.Equal(2, parsed.SkippedPackets);
        Assert.Equal(new RtcpPictureLossIndication(1, 2), Assert.Single(parsed.Packets));
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 201, 0x00, 0x02, 0, 0, 0, 1 }, RtcpParseError.LengthPastEnd)]
    [InlineData(new byte[] { 0x41, 201, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseError.WrongVersion)]
    [InlineData(new byte[] { 0x81, 201, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseError.BodyTooShort)]
    [InlineData(new byte[] { 0xA0, 201, 0x00, 0x01, 0, 0, 0, 0 }, RtcpParseError.BadPadding)]
    [InlineData(new byte[] { 0x80, 201, 0x00, 0x01, 0, 0, 0, 1, 0x80 }, RtcpParseError.ShorterThanHeader)]
    public void Malformed_compounds_are_rejected_whole(byte[] bytes, RtcpParseError expected)
    {
        Assert.Equal(expected, RtcpCodec.Parse(bytes).Error);
    }

    [Fact]
    public void Padding_on_the_last_packet_is_removed()
    {
        byte[] padded = [0xA0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4];

        var parsed = RtcpCodec.Parse(padded);

        Assert.Equal(new RtcpReceiverReport(1, []), Assert.Single(parsed.Packets));
    }

    [Fact]
    public void Round_trip_time_is_arrival_minus_LSR_minus_DLSR()
    {
        var sent = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var lsr = RtcpNtpTime.ToShort(RtcpNtpTime.FromTime(sent));
        var block = new RtcpReportBlock(1, 0, 0, 0, 0, lsr, RtcpNtpTime.ToShort(TimeSpan.FromMilliseconds(200)));

        var rtt = RtcpNtpTime.RoundTrip(sent + TimeSpan.FromMilliseconds(260), block);

        Assert.NotNull(rtt);
        Assert.InRange(rtt.Value.TotalMilliseconds, 59.9, 60.1);
        Assert.Null(RtcpNtpTime.RoundTrip(sent, block with { LastSenderReport = 0 }));
        Assert.Null(RtcpNtpTime.RoundTrip(sent + TimeSpan.FromMilliseconds(100), block));
    }
}
