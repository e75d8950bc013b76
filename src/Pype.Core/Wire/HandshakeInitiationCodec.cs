using System.Buffers.Binary;

namespace Pype.Core.Wire;

public static class HandshakeInitiationCodec
{
    /// <param name="responderStaticPublicKey">Keys the mac1 trailer, so only the intended responder accepts it.</param>
    public static WireResult<byte[]> Encode(HandshakeInitiation initiation, ReadOnlySpan<byte> responderStaticPublicKey)
    {
        if (initiation.NoiseMessage.Length != HandshakeInitiation.NoiseMessageLength || responderStaticPublicKey.Length != PacketMac.StaticPublicKeyLength)
            return WireError.FieldLengthInvalid;
        var packet = new byte[HandshakeInitiation.Length];
        PypePacket.WriteHeader(packet, PypePacketType.HandshakeInitiation);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(HandshakeInitiation.SenderIndexOffset), initiation.SenderIndex);
        initiation.NoiseMessage.CopyTo(packet, HandshakeInitiation.NoiseMessageOffset);
        PacketMac.Seal(packet, responderStaticPublicKey);
        return WireResult<byte[]>.Success(packet);
    }

    /// <summary>Parses the layout only; the caller checks mac1 and mac2 with <see cref="PacketMac.IsValid"/> on the raw bytes.</summary>
    public static WireResult<HandshakeInitiation> Decode(ReadOnlySpan<byte> packet)
    {
        var headerError = PypePacket.CheckHeader(packet, PypePacketType.HandshakeInitiation);
        if (headerError != WireError.None)
            return headerError;
        if (packet.Length == HandshakeInitiation.LengthWithoutMac2)
            return WireError.UnsupportedVersion;
        if (packet.Length != HandshakeInitiation.Length)
            return WireError.WrongLength;
        var senderIndex = BinaryPrimitives.ReadUInt32LittleEndian(packet[HandshakeInitiation.SenderIndexOffset..]);
        var noiseMessage = packet.Slice(HandshakeInitiation.NoiseMessageOffset, HandshakeInitiation.NoiseMessageLength).ToArray();
        return WireResult<HandshakeInitiation>.Success(new HandshakeInitiation(senderIndex, noiseMessage));
    }
}
