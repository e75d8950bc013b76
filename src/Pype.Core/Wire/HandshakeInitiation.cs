namespace Pype.Core.Wire;

/// <summary>
/// Packet 0xE1: the initiator's sender index and Noise IK message 1
/// (ephemeral 32 ‖ encrypted static 32+16 ‖ encrypted TAI64N timestamp 12+16), then mac1 and mac2.
/// </summary>
public sealed record HandshakeInitiation(uint SenderIndex, byte[] NoiseMessage)
{
    public const int EphemeralLength = 32;
    public const int EncryptedStaticLength = 32 + 16;
    public const int EncryptedTimestampLength = 12 + 16;
    public const int NoiseMessageLength = EphemeralLength + EncryptedStaticLength + EncryptedTimestampLength;

    public const int SenderIndexOffset = PypePacket.HeaderLength;
    public const int NoiseMessageOffset = SenderIndexOffset + PypePacket.IndexLength;
    public const int MacOffset = NoiseMessageOffset + NoiseMessageLength;
    public const int Mac2Offset = MacOffset + PacketMac.MacLength;
    public const int Length = Mac2Offset + PacketMac.MacLength;

    /// <summary>The layout before mac2 (mac1 last): refused as <see cref="WireError.UnsupportedVersion"/>.</summary>
    public const int LengthWithoutMac2 = Mac2Offset;
}
