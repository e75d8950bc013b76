using System.Net;
using Akka.Actor;

namespace Pype.Actors.Transport;

/// <summary>Messages of the UdpTransportActor, the owner of a process role's one UDP socket.</summary>
public interface IUdpTransportMessage;

/// <summary>Sends one datagram. Sending a Pype handshake (0xE1/0xE2) also routes later
/// packets addressed to its sender index back to the actor that sent it.</summary>
public sealed record SendDatagram(IPEndPoint Destination, byte[] Datagram) : IUdpTransportMessage;

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

/// <summary>A datagram from the socket, handed to the actor that owns it.</summary>
public sealed record InboundDatagram(IPEndPoint Source, byte[] Datagram, DateTimeOffset ReceivedAt);

public sealed record TransportStatus(
    IPEndPoint LocalEndPoint,
    long DatagramsIn,
    long DatagramsOut,
    long StunAnswered,
    int RoutedIndices,
    IReadOnlyDictionary<string, long> Drops);
