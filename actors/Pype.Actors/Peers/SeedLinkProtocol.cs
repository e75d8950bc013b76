using Pype.Core.Seed;

namespace Pype.Actors.Peers;

/// <summary>Messages of the SeedLinkActor, the node's session with its seed.</summary>
public interface ISeedLinkMessage;

public sealed record RequestPeerList(byte Max) : ISeedLinkMessage;

/// <summary>Register again so the seed sends fresh relay credentials: every TURN server refused the ones we hold.</summary>
public sealed record RequestRelayGrant : ISeedLinkMessage
{
    public static readonly RequestRelayGrant Instance = new();
}

/// <summary>Our relayed (TURN) address to add to the presence the seed holds, or null to drop it.</summary>
public sealed record SetRelayedCandidate(System.Net.IPEndPoint? Relayed) : ISeedLinkMessage;

/// <summary>Asks the seed to introduce a peer; answered with <see cref="ConnectRequestSent"/>.
/// <paramref name="ReplyTo"/> travels along for whoever waits on the result (the console).</summary>
public sealed record RequestIntroduction(PeerKey Target, Akka.Actor.IActorRef? ReplyTo, int Attempt = 1) : ISeedLinkMessage;

/// <summary>The request id the seed's result will carry, or null when not registered at a seed.</summary>
public sealed record ConnectRequestSent(uint? RequestId, PeerKey Target, Akka.Actor.IActorRef? ReplyTo, int Attempt);

public sealed record GetSeedLinkView : ISeedLinkMessage
{
    public static readonly GetSeedLinkView Instance = new();
}

public sealed record SeedLinkView(string Seed, bool Registered, string? ServerReflexive, IReadOnlyDictionary<string, long> Drops);

/// <summary>What the seed link reports to its parent: every event of the seed client.</summary>
public sealed record SeedLinkEventOccurred(SeedClientEvent Event);
