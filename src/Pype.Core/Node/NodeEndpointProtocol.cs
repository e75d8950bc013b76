using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;

namespace Pype.Core.Node;

/// <summary>The node endpoint's tunables.</summary>
public sealed record NodeEndpointOptions
{
    /// <summary>Peers the node keeps links to (connected or punching); 0 keeps none beyond those the user asks for.</summary>
    public int OverlayDegree { get; init; } = 8;

    /// <summary>Whether a seed link exists at all (without one, nothing can be introduced).</summary>
    public bool HasSeed { get; init; } = true;

    /// <summary>Which candidate addresses an introduction may make this node probe; the others are dropped and counted (docs/protocol/connection.md).</summary>
    public CandidateRanges CandidateRanges { get; init; } = CandidateRanges.Private;
}

/// <summary>Why the endpoint dropped an input.</summary>
public enum NodeEndpointDrop
{
    IntroductionToSelf,
    /// <summary>The introduced identity key has no X25519 counterpart.</summary>
    IntroductionUnusableKey,
    /// <summary>A handshake was accepted whose static key no longer belongs to a link.</summary>
    InitiationFromUnknownPeer,
    DataOfUnknownType,
    GossipForUnconnectedPeer,
    MediaForUnconnectedPeer,
    /// <summary>Call signalling held for a peer without a session outlived its hold (or made room for newer).</summary>
    CallSignalExpiredWaitingForSession,
    CallSignalWithoutSeed,
    /// <summary>A media packet from a peer whose media route was withdrawn (its call ended).</summary>
    MediaWithoutRoute,
    /// <summary>An introduced candidate in a range this node does not probe (<see cref="NodeEndpointOptions.CandidateRanges"/>).</summary>
    CandidateOutOfRange,
    /// <summary>An introduction none of whose candidates is in a range this node probes.</summary>
    IntroductionWithoutUsableCandidate,
    /// <summary>A stranger's introduction while strangers hold <see cref="NodeEndpoint.MaxStrangerLinks"/> links this node did not ask for.</summary>
    StrangerLinksFull,
    /// <summary>An introduction while <see cref="NodeEndpoint.MaxLinks"/> links exist and none may make room.</summary>
    LinkTableFull,
}

/// <summary>The endpoint's view of one link, kept fresh from link events and state reports: answers <c>peers</c> without asking anyone.</summary>
public sealed record PeerLinkView(
    HashAddress Peer,
    PeerLinkState State,
    CandidateKind? PathKind,
    IPEndPoint? Path,
    TimeSpan? Rtt,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset Since);

/// <summary>What the endpoint asks its owner to do; drained with <see cref="NodeEndpoint.PollCommand"/>.</summary>
public abstract record EndpointCommand
{
    private EndpointCommand()
    {
    }

    /// <summary>Start a link (a fresh <see cref="PeerLink"/>) punching towards these candidates. <paramref name="Generation"/> tells a stopped link from its successor.</summary>
    public sealed record StartLink(HashAddress Peer, byte[] IdentityKey, IReadOnlyList<Candidate> Candidates, long Generation) : EndpointCommand;

    /// <summary>The connected link probes fresh candidates (<see cref="PeerLink.Reintroduce"/>).</summary>
    public sealed record ReintroduceLink(HashAddress Peer, IReadOnlyList<Candidate> Candidates) : EndpointCommand;

    public sealed record StopLink(HashAddress Peer, long Generation) : EndpointCommand;

    public sealed record SendToLink(HashAddress Peer, byte[] Payload) : EndpointCommand;

    /// <summary>A gated, answered initiation for the peer's link; <paramref name="Acceptance"/> holds the local index the endpoint allocated.</summary>
    public sealed record AcceptHandshake(HashAddress Peer, HandshakeAcceptance Acceptance, IPEndPoint Source, bool ViaRelay) : EndpointCommand;

    /// <summary>The handshake gate is under load: send this cookie reply (0xE4) back where the initiation came from.</summary>
    public sealed record SendCookieReply(IPEndPoint Destination, byte[] Datagram, bool ViaRelay) : EndpointCommand;

    /// <summary>Ask the seed to introduce us to <paramref name="Target"/>; report the request id with <see cref="NodeEndpoint.HandleIntroductionRequested"/>.</summary>
    public sealed record RequestIntroduction(PeerKey Target, object? Requester, int Attempt) : EndpointCommand;

    public sealed record RequestPeerList(byte Max) : EndpointCommand;
}

/// <summary>What the endpoint tells the rest of the node and the console; drained with <see cref="NodeEndpoint.PollEvent"/>.</summary>
public abstract record EndpointEvent
{
    private EndpointEvent()
    {
    }

    public sealed record SeedJoined(string Seed, string ServerReflexive) : EndpointEvent;

    public sealed record SeedLeft(string Seed, string Reason) : EndpointEvent;

    public sealed record LinkConnected(HashAddress Peer, CandidateKind Kind, IPEndPoint Path, TimeSpan Elapsed) : EndpointEvent;

    public sealed record LinkPathChanged(HashAddress Peer, CandidateKind Kind, IPEndPoint Path) : EndpointEvent;

    public sealed record LinkLost(HashAddress Peer, TimeSpan Silence) : EndpointEvent;

    public sealed record LinkWithoutPath(HashAddress Peer, int CandidatesTried, TimeSpan Elapsed) : EndpointEvent;

    /// <summary>A connected neighbour for gossip.</summary>
    public sealed record NeighbourUp(HashAddress Peer) : EndpointEvent;

    public sealed record NeighbourDown(HashAddress Peer) : EndpointEvent;

    public sealed record GossipArrived(HashAddress Peer, byte[] Payload) : EndpointEvent;

    public sealed record CallSignalArrived(HashAddress Peer, byte[] PeerIdentityKey, byte[] Payload) : EndpointEvent;

    /// <summary>A media packet from a peer for which no media route was ever set: the call manager takes it.</summary>
    public sealed record MediaArrived(HashAddress Peer, byte[] Payload) : EndpointEvent;

    /// <summary>The seed will introduce the two (the answer to a user's connect).</summary>
    public sealed record ConnectAnswered(object Requester, HashAddress Peer) : EndpointEvent;

    public sealed record ConnectFailed(object Requester, string Message) : EndpointEvent;
}
