using System.Buffers.Binary;

namespace Pype.Core.Wire;

public static class HandshakeResponseCodec
{
    /// <param name="initiatorStaticPublicKey">Keys the mac1 trailer, so only the initiator accepts it.</param>
    public static WireResult<byte[]> Encode(HandshakeResponse response, ReadOnlySpan<byte> initiatorStaticPublicKey)
    {
        if (response.NoiseMessage.Length != HandshakeResponse.NoiseMessageLength || initiatorStaticPublicKey.Length != PacketMac.StaticPublicKeyLength)
            return WireError.FieldLengthInvalid;
        var packet = new byte[HandshakeResponse.Length];
        PypePacket.WriteHeader(packet, PypePacketType.HandshakeResponse);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(HandshakeResponse.SenderIndexOffset), response.SenderIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(HandshakeResponse.ReceiverIndexOffset), response.ReceiverIndex);
        response.NoiseMessage.CopyTo(packet, HandshakeResponse.NoiseMessageOffset);
        PacketMac.Seal(packet, initiatorStaticPublicKey);
        return WireResult<byte[]>.Success(packet);
    }

    public static WireResult<HandshakeResponse> Decode(ReadOnlySpan<byte> packet)
    {
        var headerError = PypePacket.CheckHeader(packet, PypePacketType.HandshakeResponse);
        if (headerError != WireError.None)
            return headerError;
        if (packet.Length == HandshakeResponse.LengthWithoutMac2)
            return WireError.UnsupportedVersion;
        if (packet.Length != HandshakeResponse.Length)
            return WireError.WrongLength;
        var senderIndex = BinaryPrimitives.ReadUInt32LittleEndian(packet[HandshakeResponse.SenderIndexOffset..]);
        var receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(packet[HandshakeResponse.ReceiverIndexOffset..]);
        var noiseMessage = packet.Slice(HandshakeResponse.NoiseMessageOffset, HandshakeResponse.NoiseMessageLength).ToArray();
        return WireResult<HandshakeResponse>.Success(new HandshakeResponse(senderIndex, receiverIndex, noiseMessage));
    }
}
