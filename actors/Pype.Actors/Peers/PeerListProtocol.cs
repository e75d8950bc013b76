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
