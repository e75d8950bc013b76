using System.Buffers.Binary;
using Pype.Core.Wire;

namespace Pype.Core.Connection;

/// <summary>
/// Lets the owner of several links route a handshake response or transport packet by its receiver
/// index (<see cref="PeerLink.OwnsIndex"/>) without parsing more than four bytes.
/// </summary>
public static class LinkPacketRouting
{
    public static bool TryReadReceiverIndex(ReadOnlySpan<byte> datagram, out uint receiverIndex)
    {
        receiverIndex = 0;
        switch (PypePacket.Classify(datagram))
        {
            case PypePacketType.HandshakeResponse when datagram.Length == HandshakeResponse.Length:
                receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[HandshakeResponse.ReceiverIndexOffset..]);
                return true;
            case PypePacketType.TransportData when datagram.Length >= TransportData.MinLength:
                receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[TransportData.ReceiverIndexOffset..]);
                return true;
            default:
                return false;
        }
    }
}
