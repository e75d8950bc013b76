using System.Net;
using Akka.Actor;

namespace Pype.Actors.Transport;

/// <summary>Messages of the UdpTransportActor, the owner of a process role's one UDP socket.</summary>
public interface IUdpTransportMessage;

/// <summary>Sends one datagram. With <paramref name="ViaRelay"/> it goes through the node's TURN
/// allocation (the relay handler). Sending routes nothing: whoever allocates a local index says so with <see cref="RouteIndex"/>.</summary>
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

/// <summary>
/// Pype packets naming <paramref name="Index"/> (handshake responses, transport data) go to
/// <paramref name="Owner"/>, the actor whose handshake or session allocated it, until released,
/// until the owner stops, or until no packet used it for the table's idle expiry.
/// </summary>
public sealed record RouteIndex(uint Index, IActorRef Owner) : IUdpTransportMessage;

/// <summary>Stops routing these indices (a retired session or handshake).</summary>
public sealed record ReleaseIndices(IReadOnlyList<uint> Indices) : IUdpTransportMessage;

/// <summary>How a shell whose core allocates indices inside its handshakes (the seed link, the seed server) routes them.</summary>
public static class OwnHandshakeRoutes
{
    /// <summary>Before a handshake of ours leaves: its sender index is the index the answers will name, so route it to us first.</summary>
    public static void RouteBeforeSending(this IActorRef transport, byte[] datagram, IActorRef owner)
    {
        if (Core.Connection.LinkPacketRouting.TryReadSenderIndex(datagram, out var index))
            transport.Tell(new RouteIndex(index, owner), owner);
    }
}

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
