namespace Pype.Core.Wire;

/// <summary>Who a datagram arriving on the node's one UDP socket belongs to.</summary>
public enum PacketKind
{
    Unknown,
    Stun,
    TurnChannelData,
    Pype,
}
