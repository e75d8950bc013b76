using System.Net;
using Akka.Actor;

namespace Pype.Actors.Transport;

/// <summary>Messages of the UdpTransportActor, the owner of a process role's one UDP socket.</summary>
public interface IUdpTransportMessage;

/// <summary>Sends one datagram. Sending a Pype handshake (0xE1/0xE2) also routes later
/// packets addressed to its sender index back to the actor that sent it. With
/// <paramref name="ViaRelay"/> it goes through the node's TURN allocation (the relay handler).</summary>
public sealed record SendDatagram(IPEndPoint Destination, byte[] Datagram, bool ViaRelay = false) : IUdpTransportMessage;

/// <summary>
/// Who owns the node's TURN allocation on <paramref name="Server"/>: STUN and ChannelData from
/// that server go to it, and so do via-relay sends and permission requests.
/// </summary>
public sealed record RegisterRelayHandler(IActorRef Handler, IPEndPoint Server) : IUdpTransportMessage;

/// <summary>A Pype packet that came out of the TURN allocation, sent by <paramref name="Source"/>: routed as if it had arrived from there.</summary>
public sealed record RelayedInbound(IPEndPoint Source, byte[] Datagram) : IUdpTransportMessage;

/// <summary>Asks the relay handler (if any) to permit these peer addresses on the allocation.</summary>
public sealed record PermitRelayPeers(IReadOnlyList<IPAddress> Addresses) : IUdpTransportMessage;

/// <summary>What the transport hands the relay handler to send through the allocation.</summary>
public sealed record RelayOutbound(IPEndPoint Destination, byte[] Datagram);

/// <summary>Who receives handshake initiations (0xE1) that name no index yet.</summary>
public sealed record RegisterHandshakeHandler(IActorRef Handler) : IUdpTransportMessage;

/// <summary>Who receives STUN responses (binding transactions of the seed link).</summary>
public sealed record RegisterStunHandler(IActorRef Handler) : IUdpTransportMessage;

/// <summary>Stops routing these indices (a retired session or handshake).</summary>
public sealed record ReleaseIndices(IReadOnlyList<uint> Indices) : IUdpTransportMessage;

public sealed record GetTransportStatus : IUdpTransportMessage
{
    public static readonly GetTransportStatus Instance = new();
}

/// <summary>A datagram from the socket, handed to the actor that owns it; <paramref name="ViaRelay"/> when it came out of the node's TURN allocation.</summary>
public sealed record InboundDatagram(IPEndPoint Source, byte[] Datagram, DateTimeOffset ReceivedAt, bool ViaRelay = false);

public sealed record TransportStatus(
    IPEndPoint LocalEndPoint,
    long DatagramsIn,
    long DatagramsOut,
    long StunAnswered,
    int RoutedIndices,
    IReadOnlyDictionary<string, long> Drops);
