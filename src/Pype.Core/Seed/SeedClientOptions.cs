using System.Net;
using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Seed;

/// <summary>A seed the node trusts: where it listens and the Ed25519 key it must prove it holds.</summary>
public sealed record SeedEndpoint(IPEndPoint EndPoint, PeerKey PublicKey)
{
    public override string ToString() => $"{EndPoint} ({PublicKey})";
}

/// <summary>The node's side of the seed protocol: who it is, which seeds to try in order, and its timers.</summary>
public sealed record SeedClientOptions
{
    public required IdentityKeyPair Identity { get; init; }

    /// <summary>Tried in order; after the last comes the first again.</summary>
    public required IReadOnlyList<SeedEndpoint> Seeds { get; init; }

    /// <summary>The node's own interface addresses; the server-reflexive one is added after STUN.</summary>
    public IReadOnlyList<Candidate> HostCandidates { get; init; } = [];

    /// <summary>Used until the seed names its own interval, then the shorter of the two.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A seed silent for this many keepalive intervals is given up for the next one.</summary>
    public int MissedKeepalivesBeforeLoss { get; init; } = 3;

    public TimeSpan HandshakeInitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan HandshakeMaxBackoff { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long each step with a seed (STUN, handshake, registration) may take before the next seed is tried.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A seed relays a presence that may be as old as the peer's last registration (one rekey, 2 min).</summary>
    public TimeSpan IntroductionMaxAge { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan IntroductionMaxFutureSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a SeedRegistered that says a relay grant follows, how long to wait for the grant
    /// before registering again (the answer brings a fresh grant): a few round trips.
    /// </summary>
    public TimeSpan RelayGrantWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Registrations sent for a lost grant before waiting for the next regular one (the next rekey's).</summary>
    public int RelayGrantRetries { get; init; } = 3;

    /// <summary>The node's shared source of initiation timestamps; null gives the client one of its own, kept nowhere.</summary>
    public Noise.HandshakeClock? HandshakeClock { get; init; }

    internal void Validate()
    {
        if (Seeds.Count == 0)
            throw new ArgumentException("at least one seed is needed");
        if (HostCandidates.Count >= CandidateCodec.MaxCandidates)
            throw new ArgumentException($"at most {CandidateCodec.MaxCandidates - 1} host candidates, leaving room for the server-reflexive one");
        if (KeepaliveInterval <= TimeSpan.Zero || MissedKeepalivesBeforeLoss < 1 || StepTimeout <= TimeSpan.Zero
            || HandshakeInitialBackoff <= TimeSpan.Zero || HandshakeMaxBackoff < HandshakeInitialBackoff
            || RelayGrantWait <= TimeSpan.Zero || RelayGrantRetries < 0)
            throw new ArgumentException("seed client timers must be positive");
        foreach (var seed in Seeds)
            if (!IdentityKeyPair.TryToX25519PublicKey(seed.PublicKey.Span, out _))
                throw new ArgumentException($"seed {seed} has an unusable public key");
    }
}

/// <summary>Why the node gave up on a seed and moved to the next.</summary>
public enum SeedLossReason
{
    StunFailed,
    HandshakeTimedOut,
    RegistrationTimedOut,
    /// <summary>Registered, then nothing heard for the allowed number of keepalive intervals.</summary>
    Silent,
}

/// <summary>Why the node dropped an input from the network.</summary>
public enum SeedClientDrop
{
    NotForUs,
    UnexpectedStun,
    UnknownIndex,
    HandshakeRejected,
    /// <summary>A cookie reply that does not open for an outstanding initiation (forged, damaged, or a second one for it).</summary>
    CookieReplyRejected,
    /// <summary>A session whose remote static key is not the pinned seed's (cannot happen with IK; checked anyway).</summary>
    NotPinnedSeed,
    TransportRejected,
    MessageMalformed,
    MessageTypeUnknown,
    MessageUnexpected,
    IntroductionBadSignature,
    IntroductionStale,
    IntroductionFromTheFuture,
}

public abstract record SeedClientEvent;

/// <summary>The seed accepted our presence; <paramref name="ServerReflexive"/> is where it saw us.</summary>
public sealed record SeedRegisteredEvent(SeedEndpoint Seed, IPEndPoint ServerReflexive) : SeedClientEvent;

/// <summary>We gave up on this seed and are moving to the next one in the list.</summary>
public sealed record SeedLostEvent(SeedEndpoint Seed, SeedLossReason Reason) : SeedClientEvent;

public sealed record PeerListReceived(IReadOnlyList<PeerKey> Peers) : SeedClientEvent;

public sealed record ConnectResultReceived(uint RequestId, SeedConnectStatus Status) : SeedClientEvent;

/// <summary>
/// The seed introduced us to a peer. <paramref name="Peer"/> has been verified; the observed
/// endpoint is the seed's word (outside the peer's signature) and only a hint for hole punching.
/// </summary>
public sealed record IntroductionReceived(SignedPresence Peer, IPEndPoint? ObservedEndPoint) : SeedClientEvent;

/// <summary>
/// The seed handed out TURN servers and credentials (again after every registration, so each
/// grant renews the last one well before it expires).
/// </summary>
public sealed record RelayGrantReceived(SeedRelayGrant Grant) : SeedClientEvent;
