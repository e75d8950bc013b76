using System.Net;

namespace Pype.Actors.Relay;

/// <summary>Messages of the RelayActor, the node's TURN allocation.</summary>
public interface IRelayMessage;

public sealed record GetRelayView : IRelayMessage
{
    public static readonly GetRelayView Instance = new();
}

/// <param name="State">The TURN client's state in lower case (idle, allocating, allocated, failed, …).</param>
/// <param name="Allocations">Allocations made since the node started, on any server.</param>
/// <param name="AllocationsLost">Allocations the server stopped holding (restart, expiry, no answer to a probe).</param>
public sealed record RelayView(string? Server, string State, IPEndPoint? Relayed, IReadOnlyDictionary<string, long> Drops, int Allocations, int AllocationsLost);

/// <summary>
/// What the RelayActor tells the node when every granted TURN server refused its credentials:
/// fresh ones are wanted from the seed (at most every 30 s).
/// </summary>
public sealed record RelayGrantWanted
{
    public static readonly RelayGrantWanted Instance = new();
}

/// <summary>
/// What the RelayActor tells the node: the relayed address peers can reach us at, or null when
/// there is none (not yet, lost, failed). The node publishes it as a relayed candidate.
/// </summary>
public sealed record RelayedCandidateChanged(IPEndPoint? Relayed);
