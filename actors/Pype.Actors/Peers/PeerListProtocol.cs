namespace Pype.Actors.Peers;

/// <summary>Messages of the PeerListActor beyond the node commands it serves.</summary>
public interface IPeerListMessage;

public sealed record GetPeerListStatus : IPeerListMessage
{
    public static readonly GetPeerListStatus Instance = new();
}

public sealed record PeerListStatus(
    int Connected,
    int Punching,
    int TargetDegree,
    IReadOnlyDictionary<string, long> Drops);

/// <summary>The node has a new relayed address (a new TURN allocation); relayed sessions are introduced again.</summary>
public sealed record OwnRelayChanged(System.Net.IPEndPoint Relayed) : IPeerListMessage;

/// <summary>
/// From the call manager: media packets (session message types 0x40–0x4F) that arrive from
/// <paramref name="Peer"/> go straight from its ConnectionActor to <paramref name="Session"/> as
/// <c>Media.MediaPacketReceived</c>, with no hop through the peer list or the node; a null
/// session withdraws the route (the call ended).
/// </summary>
public sealed record RouteMedia(Core.Identity.HashAddress Peer, Akka.Actor.IActorRef? Session) : IPeerListMessage;
