using Pype.Core.Noise;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Wire;

public sealed class WireCodecTests
{
    private static readonly byte[] ResponderKey = Enumerable.Repeat((byte)9, 32).ToArray();

    [Fact]
    public void Packet_lengths_match_the_documented_layout()
    {
        Assert.Equal(148, HandshakeInitiation.Length);
        Assert.Equal(92, HandshakeResponse.Length);
        Assert.Equal(16, TransportData.HeaderLength);
        Assert.Equal(1168, TransportData.MaxPayloadLength);
    }

    [Fact]
    public void Initiation_round_trips_and_carries_a_mac_for_its_responder_only()
    {
        var initiation = new HandshakeInitiation(0xA1B2C3D4, Enumerable.Range(0, HandshakeInitiation.NoiseMessageLength).Select(i => (byte)i).ToArray());

        var packet = HandshakeInitiationCodec.Encode(initiation, ResponderKey).Value!;
        var decoded = HandshakeInitiationCodec.Decode(packet);

        Assert.Equal([0xE1, 0, 0, 0, 0xD4, 0xC3, 0xB2, 0xA1], packet[..8]);
        Assert.Equal(initiation.SenderIndex, decoded.Value!.SenderIndex);
        Assert.Equal(initiation.NoiseMessage, decoded.Value.NoiseMessage);
        Assert.True(PacketMac.IsValid(packet, ResponderKey));
        Assert.False(PacketMac.IsValid(packet, new byte[32]));
    }

    [Fact]
    public void Response_round_trips()
    {
        var response = new HandshakeResponse(7, 8, new byte[HandshakeResponse.NoiseMessageLength]);

        var decoded = HandshakeResponseCodec.Decode(HandshakeResponseCodec.Encode(response, ResponderKey).Value!);

        Assert.Equal((7u, 8u), (decoded.Value!.SenderIndex, decoded.Value.ReceiverIndex));
    }

    [Fact]
    public void Transport_data_round_trips_with_a_little_endian_counter()
    {
        var packet = TransportDataCodec.Encode(new TransportData(3, 0x0102030405060708, new byte[20])).Value!;

        Assert.Equal([0xE3, 0, 0, 0, 3, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1], packet[..16]);
        Assert.Equal(0x0102030405060708UL, TransportDataCodec.Decode(packet).Value!.Counter);
    }

    [Fact]
    public void Transport_data_over_1200_bytes_is_refused_by_the_encoder_and_the_decoder()
    {
        var tooBig = new TransportData(1, 1, new byte[TransportData.MaxCiphertextLength + 1]);

        Assert.Equal(WireError.PayloadTooLarge, TransportDataCodec.Encode(tooBig).Error);
        Assert.Equal(WireError.TooLong, TransportDataCodec.Decode(new byte[PypePacket.MaxDatagramLength + 1].With(0, 0xE3)).Error);
    }

    [Fact]
    public void Nonzero_reserved_bytes_wrong_types_and_wrong_lengths_are_reported()
    {
        var packet = HandshakeInitiationCodec.Encode(new HandshakeInitiation(1, new byte[HandshakeInitiation.NoiseMessageLength]), ResponderKey).Value!;

        Assert.Equal(WireError.ReservedNotZero, HandshakeInitiationCodec.Decode(packet.ToArray().With(2, 1)).Error);
        Assert.Equal(WireError.WrongType, HandshakeResponseCodec.Decode(packet).Error);
        Assert.Equal(WireError.WrongLength, HandshakeInitiationCodec.Decode(packet[..^1]).Error);
        Assert.Equal(WireError.TooShort, TransportDataCodec.Decode([0xE3]).Error);
    }

    [Fact]
    public void Classify_names_pype_packets_and_ignores_stun_and_rtp()
    {
        Assert.Equal(PypePacketType.TransportData, PypePacket.Classify([0xE3]));
        Assert.Null(PypePacket.Classify([0x00, 0x01]));
        Assert.Null(PypePacket.Classify([0x80]));
        Assert.Null(PypePacket.Classify([]));
    }

    [Fact]
    public void Timestamps_order_as_their_bytes_do()
    {
        var earlier = Tai64NTimestamp.From(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var later = Tai64NTimestamp.From(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1));

        Assert.True(later > earlier);
        Assert.True(earlier.ToBytes().AsSpan().SequenceCompareTo(later.ToBytes()) < 0);
        Assert.True(Tai64NTimestamp.TryRead(later.ToBytes(), out var read) && read == later);
    }
}

internal static class ByteArrayExtensions
{
    public static byte[] With(this byte[] bytes, int index, byte value)
    {
        bytes[index] = value;
        return bytes;
    }
}
