using System.Buffers.Binary;
using Pype.Core.Wire;

namespace Pype.Core.Connection;

/// <summary>How a Pype packet names the local state it belongs to.</summary>
public enum PypeAddressing
{
    /// <summary>A handshake initiation (0xE1): it names no local index yet, so the responder takes it.</summary>
    Initiation,
    /// <summary>A handshake response (0xE2), transport packet (0xE3) or cookie reply (0xE4) carrying a receiver index.</summary>
    Indexed,
    /// <summary>Too short for its type, or not a Pype packet type at all.</summary>
    Malformed,
}

/// <summary>
/// The one reader of Pype packets' indices, from the wire codecs' offsets: routes a handshake
/// response or transport packet by its receiver index (<see cref="PeerLink.OwnsIndex"/>, the
/// node's transport) without parsing more than four bytes.
/// </summary>
public static class LinkPacketRouting
{
    public static bool TryReadReceiverIndex(ReadOnlySpan<byte> datagram, out uint receiverIndex) =>
        Address(datagram, out receiverIndex) == PypeAddressing.Indexed;

    public static PypeAddressing Address(ReadOnlySpan<byte> datagram, out uint receiverIndex)
    {
        receiverIndex = 0;
        switch (PypePacket.Classify(datagram))
        {
            case PypePacketType.HandshakeInitiation:
                return PypeAddressing.Initiation;
            case PypePacketType.HandshakeResponse when datagram.Length == HandshakeResponse.Length:
                receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[HandshakeResponse.ReceiverIndexOffset..]);
                return PypeAddressing.Indexed;
            case PypePacketType.TransportData when datagram.Length >= TransportData.MinLength:
                receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[TransportData.ReceiverIndexOffset..]);
                return PypeAddressing.Indexed;
            case PypePacketType.CookieReply when datagram.Length == CookieReply.Length:
                receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[CookieReply.ReceiverIndexOffset..]);
                return PypeAddressing.Indexed;
            default:
                return PypeAddressing.Malformed;
        }
    }

    /// <summary>
    /// The local index a handshake we send allocates (its sender index): the index the peer's
    /// answers will name, for the sender to register as its own route before the packet leaves.
    /// </summary>
    public static bool TryReadSenderIndex(ReadOnlySpan<byte> handshake, out uint senderIndex)
    {
        senderIndex = 0;
        switch (PypePacket.Classify(handshake))
        {
            case PypePacketType.HandshakeInitiation when handshake.Length == HandshakeInitiation.Length:
                senderIndex = BinaryPrimitives.ReadUInt32LittleEndian(handshake[HandshakeInitiation.SenderIndexOffset..]);
                return true;
            case PypePacketType.HandshakeResponse when handshake.Length == HandshakeResponse.Length:
                senderIndex = BinaryPrimitives.ReadUInt32LittleEndian(handshake[HandshakeResponse.SenderIndexOffset..]);
                return true;
            default:
                return false;
        }
    }
}
