using CsCheck;
using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class RtpPacketCodecTests
{
    private static readonly Gen<RtpPacket> AnyPacket =
        Gen.Select(Gen.Bool, Gen.Byte[0, 127], Gen.UShort, Gen.UInt, Gen.UInt, Gen.Byte.Array[0, 300])
            .Select(Gen.UInt.Array[0, 15], Gen.Long[-1, RtpCaptureTimeExtension.MaxValue], Gen.Long[-1, RtpSendTimeExtension.MaxValue], Gen.Byte,
                (h, csrcs, capture, sent, padding) => new RtpPacket(h.Item1, h.Item2, h.Item3, h.Item4, h.Item5, h.Item6)
                {
                    Csrcs = csrcs,
                    CaptureTimeMicroseconds = capture < 0 ? null : capture,
                    SendTime = sent < 0 ? null : (uint)sent,
                    PaddingLength = padding,
                });

    [Fact]
    public void Every_field_survives_a_round_trip()
    {
        AnyPacket.Sample(packet =>
        {
            var bytes = RtpPacketCodec.Serialize(packet);
            var parsed = RtpPacketCodec.Parse(bytes);

            Assert.True(parsed.IsSuccess, parsed.Error.ToString());
            var back = parsed.Packet;
            Assert.Equal((packet.Marker, packet.PayloadType, packet.SequenceNumber, packet.Timestamp, packet.Ssrc),
                (back.Marker, back.PayloadType, back.SequenceNumber, back.Timestamp, back.Ssrc));
            Assert.Equal(packet.Csrcs, back.Csrcs);
            Assert.Equal(packet.CaptureTimeMicroseconds, back.CaptureTimeMicroseconds);
            Assert.Equal(packet.SendTime, back.SendTime);
            Assert.Equal(packet.PaddingLength, back.PaddingLength);
            Assert.Equal(packet.Payload.ToArray(), back.Payload.ToArray());
            Assert.Equal(bytes, RtpPacketCodec.Serialize(back));
        }, iter: 20_000);
    }

    [Fact]
    public void Header_is_laid_out_as_RFC_3550_section_5_1_shows()
    {
        var packet = new RtpPacket(true, 96, 0x1234, 0xAABBCCDD, 0x01020304, new byte[] { 0xEE });

        var bytes = RtpPacketCodec.Serialize(packet);

        Assert.Equal(new byte[] { 0x80, 0xE0, 0x12, 0x34, 0xAA, 0xBB, 0xCC, 0xDD, 1, 2, 3, 4, 0xEE }, bytes);
    }

    [Fact]
    public void Capture_time_is_a_one_byte_form_element_with_id_1_and_seven_bytes()
    {
        var packet = new RtpPacket(false, 96, 1, 2, 3, new byte[] { 0x41 }) { CaptureTimeMicroseconds = 0x0102030405060708 & RtpCaptureTimeExtension.MaxValue };

        var bytes = RtpPacketCodec.Serialize(packet);

        Assert.Equal(0x90, bytes[0]); // version 2, extension bit
        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x02, 0x16, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 }, bytes[12..24]);
        Assert.Equal(RtpCaptureTimeExtension.ExtensionLength, 12);
    }

    [Fact]
    public void Send_time_follows_capture_time_as_element_id_2_with_three_bytes_in_one_more_word()
    {
        var packet = new RtpPacket(false, 96, 1, 2, 3, new byte[] { 0x41 }) { CaptureTimeMicroseconds = 0x0102030405060708 & RtpCaptureTimeExtension.MaxValue, SendTime = 0xA1B2C3 };

        var bytes = RtpPacketCodec.Serialize(packet);

        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x03, 0x16, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x22, 0xA1, 0xB2, 0xC3 }, bytes[12..28]);
        Assert.Equal(0x41, bytes[28]);
        Assert.Equal(16, RtpHeaderExtension.FullLength);
    }

    [Fact]
    public void A_send_time_alone_is_one_word_and_a_packet_without_one_still_parses()
    {
        var alone = RtpPacketCodec.Serialize(new RtpPacket(false, 96, 1, 2, 3, new byte[] { 0x41 }) { SendTime = 7 });
        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x01, 0x22, 0, 0, 7 }, alone[12..20]);

        // The layout before send times: capture time only.
        byte[] old = [0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 2, 0x16, 0, 0, 0, 0, 0, 1, 0x2A, 0x41];
        var parsed = RtpPacketCodec.Parse(old);
        Assert.True(parsed.IsSuccess);
        Assert.Equal(0x12A, parsed.Packet.CaptureTimeMicroseconds);
        Assert.Null(parsed.Packet.SendTime);
    }

    [Fact]
    public void Send_time_counts_seconds_in_6_18_fixed_point_and_differences_wrap_every_64_seconds()
    {
        Assert.Equal(1u << 18, RtpSendTimeExtension.FromUnixMicroseconds(1_000_000));
        Assert.Equal((1u << 17) | (3u << 18), RtpSendTimeExtension.FromUnixMicroseconds(3_500_000));
        Assert.Equal(RtpSendTimeExtension.FromUnixMicroseconds(1_500_000), RtpSendTimeExtension.FromUnixMicroseconds(65_500_000));

        var beforeWrap = RtpSendTimeExtension.FromUnixMicroseconds(63_990_000);
        var afterWrap = RtpSendTimeExtension.FromUnixMicroseconds(64_010_000);
        Assert.True(afterWrap < beforeWrap);
        Assert.InRange(RtpSendTimeExtension.DifferenceMicroseconds(afterWrap, beforeWrap), 19_990, 20_010);
        Assert.InRange(RtpSendTimeExtension.DifferenceMicroseconds(beforeWrap, afterWrap), -20_010, -19_990);
        // One step of the stamp is 2^-18 s, about 3.8 µs.
        var now = 1_760_000_000_123_456L;
        Assert.InRange(RtpSendTimeExtension.DifferenceMicroseconds(RtpSendTimeExtension.FromUnixMicroseconds(now + 1000), RtpSendTimeExtension.FromUnixMicroseconds(now)), 996, 1004);
    }

    [Fact]
    public void Capture_time_is_found_among_other_elements_and_padding()
    {
        // BEDE, 3 words: element id 3 (2 bytes, unknown), padding byte, element id 1 (7 bytes)
        byte[] bytes = [0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 3, 0x31, 0xAA, 0xBB, 0, 0x16, 0, 0, 0, 0, 0, 1, 0x2A, 0x41];

        var parsed = RtpPacketCodec.Parse(bytes);

        Assert.True(parsed.IsSuccess);
        Assert.Equal(0x12A, parsed.Packet.CaptureTimeMicroseconds);
        Assert.Equal(new byte[] { 0x41 }, parsed.Packet.Payload.ToArray());
    }

    [Fact]
    public void Element_id_15_ends_the_walk_and_other_profiles_are_skipped()
    {
        byte[] reserved = [0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0xFF, 0x16, 0, 0, 0x41];
        byte[] twoByteForm = [0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0, 1, 1, 7, 0, 0, 0x41];

        foreach (var bytes in new[] { reserved, twoByteForm })
        {
            var parsed = RtpPacketCodec.Parse(bytes);
            Assert.True(parsed.IsSuccess);
            Assert.Null(parsed.Packet.CaptureTimeMicroseconds);
            Assert.Equal(new byte[] { 0x41 }, parsed.Packet.Payload.ToArray());
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0 }, RtpParseError.ShorterThanHeader)]
    [InlineData(new byte[] { 0x40, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 }, RtpParseError.WrongVersion)]
    [InlineData(new byte[] { 0x82, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 9 }, RtpParseError.CsrcListTruncated)]
    [InlineData(new byte[] { 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 2, 0x16, 0, 0, 0 }, RtpParseError.ExtensionTruncated)]
    [InlineData(new byte[] { 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0, 0, 0x16, 0 }, RtpParseError.ExtensionElementTruncated)]
    [InlineData(new byte[] { 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0x21, 0, 0, 0 }, RtpParseError.SendTimeMalformed)]
    [InlineData(new byte[] { 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 2, 0x23, 0, 0, 0, 0, 0, 0, 0 }, RtpParseError.SendTimeMalformed)]
    [InlineData(new byte[] { 0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0, 0x22, 0, 0 }, RtpParseError.ExtensionElementTruncated)]
    [InlineData(new byte[] { 0xA0, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x41, 0 }, RtpParseError.PaddingCountZero)]
    [InlineData(new byte[] { 0xA0, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x41, 3 }, RtpParseError.PaddingLongerThanPayload)]
    public void Malformed_header_is_refused_with_its_reason(byte[] bytes, RtpParseError expected)
    {
        Assert.Equal(expected, RtpPacketCodec.Parse(bytes).Error);
    }

    [Fact]
    public void A_full_budget_packet_fits_the_datagram_with_the_session_type_byte()
    {
        var packet = new RtpPacket(true, 96, 1, 2, 3, new byte[RtpLimits.MaxPayloadLength]) { CaptureTimeMicroseconds = 1, SendTime = RtpSendTimeExtension.MaxValue };

        Assert.Equal(RtpLimits.MaxPacketLength, RtpPacketCodec.Serialize(packet).Length);
        Assert.Equal(RtpLimits.TransportPayloadLength, RtpLimits.SessionMessageTypeLength + RtpLimits.MaxPacketLength);
        Assert.Equal(1139, RtpLimits.MaxPayloadLength);
    }

    [Fact]
    public void A_timestamp_follows_the_clock_from_a_random_offset_and_wraps()
    {
        Assert.Equal(960u, RtpPayloadFormat.TimestampAt(20_000, RtpPayloadFormat.OpusClockRate, 0));
        Assert.Equal(3000u + 5, RtpPayloadFormat.TimestampAt(33_333, RtpPayloadFormat.H264ClockRate, 5) + 1);
        Assert.Equal(2999u, RtpPayloadFormat.TimestampAt(33_334, RtpPayloadFormat.H264ClockRate, uint.MaxValue));
        var now = 1_760_000_000_000_000L; // 2025 in microseconds
        Assert.Equal(90u, RtpPayloadFormat.TimestampAt(now + 1000, 90_000, 0) - RtpPayloadFormat.TimestampAt(now, 90_000, 0));
    }
}
