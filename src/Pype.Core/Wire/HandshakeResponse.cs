namespace Pype.Core.Wire;

/// <summary>
/// Packet 0xE2: the responder's index, the initiator's index it answers, and Noise IK message 2
/// (ephemeral 32 ‖ encrypted empty payload 0+16), then mac1 and mac2.
/// </summary>
public sealed record HandshakeResponse(uint SenderIndex, uint ReceiverIndex, byte[] NoiseMessage)
{
    public const int EphemeralLength = 32;
    public const int EncryptedEmptyLength = 16;
    public const int NoiseMessageLength = EphemeralLength + EncryptedEmptyLength;

    public const int SenderIndexOffset = PypePacket.HeaderLength;
    public const int ReceiverIndexOffset = SenderIndexOffset + PypePacket.IndexLength;
    public const int NoiseMessageOffset = ReceiverIndexOffset + PypePacket.IndexLength;
    public const int MacOffset = NoiseMessageOffset + NoiseMessageLength;
    public const int Mac2Offset = MacOffset + PacketMac.MacLength;
    public const int Length = Mac2Offset + PacketMac.MacLength;

    /// <summary>The layout before mac2 (mac1 last): refused as <see cref="WireError.UnsupportedVersion"/>.</summary>
    public const int LengthWithoutMac2 = Mac2Offset;
}
