using System.Net;

namespace Pype.Core.Turn;

/// <summary>What a <see cref="TurnRelay"/> tells its owner; drained with <see cref="TurnRelay.PollEvent"/>.</summary>
public abstract record TurnRelayEvent
{
    private TurnRelayEvent()
    {
    }

    /// <summary>A peer's datagram that came out of the allocation.</summary>
    public sealed record DataReceived(IPEndPoint Peer, ReadOnlyMemory<byte> Payload) : TurnRelayEvent;

    /// <summary>The address peers can reach us at, or null when there is none (not yet, lost, failed): the node publishes it.</summary>
    public sealed record RelayedAddressChanged(IPEndPoint? Relayed) : TurnRelayEvent;

    /// <summary>A new allocation begins on <paramref name="Server"/>: its STUN and ChannelData are the relay's from now on.</summary>
    public sealed record AllocatingOn(IPEndPoint Server) : TurnRelayEvent;

    public sealed record Allocated(IPEndPoint Relayed) : TurnRelayEvent;

    /// <summary>The server lost the allocation; the client is allocating again on the same server.</summary>
    public sealed record AllocationLost(TurnFailure Failure) : TurnRelayEvent;

    /// <summary>An allocation on <paramref name="Server"/> failed or was given up; <paramref name="Next"/> is where and when the next attempt goes, null when every granted server refused us.</summary>
    public sealed record AllocationFailed(IPEndPoint Server, TurnFailure Failure, TurnAttempt? Next) : TurnRelayEvent;

    /// <summary>The credentials in use are past half their lifetime: a new allocation takes the fresh ones.</summary>
    public sealed record RenewingCredentials(IPEndPoint Server) : TurnRelayEvent;

    /// <summary>Every granted server refused our credentials: the owner asks the seed for a fresh grant (at most every 30 s).</summary>
    public sealed record FreshGrantWanted : TurnRelayEvent;
}
