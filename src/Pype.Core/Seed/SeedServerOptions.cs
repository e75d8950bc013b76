using System.Net;

namespace Pype.Core.Seed;

/// <summary>The seed's tunables. Defaults follow docs/protocol/seed.md.</summary>
public sealed record SeedServerOptions
{
    /// <summary>How often registered peers are told to send a keepalive.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A peer (and its session) silent for this many intervals is forgotten.</summary>
    public int MissedKeepalivesBeforeForget { get; init; } = 3;

    public int MaxRegisteredPeers { get; init; } = 100_000;

    /// <summary>
    /// Established sessions (a transport packet from the peer decrypted), registered or not yet.
    /// When full, a new one takes the place of the unregistered session idle for longest;
    /// registered peers' sessions are never pushed out.
    /// </summary>
    public int MaxSessions { get; init; } = 110_000;

    /// <summary>
    /// Half-open sessions: answered handshakes whose initiator has not yet sent a transport packet.
    /// When full, a new one pushes out the oldest half-open one (never an established session).
    /// </summary>
    public int MaxHalfOpenSessions { get; init; } = 20_000;

    /// <summary>A half-open session whose initiator sends nothing for this long is forgotten.</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Past this many initiations (that pass mac1) in a second, the seed is under load: an
    /// initiation without a valid mac2 gets a cookie reply and no Diffie-Hellman.
    /// </summary>
    public int HandshakesPerSecondBeforeCookies { get; init; } = 1_000;

    public int MaxPendingIntroductions { get; init; } = 10_000;

    /// <summary>
    /// Introductions one peer's connect requests may hold pending at once (both halves count):
    /// one registered peer filled all <see cref="MaxPendingIntroductions"/> slots, and nobody else
    /// was introduced. A node asks for at most 16 peers at a time to fill its overlay.
    /// </summary>
    public int MaxPendingIntroductionsPerAsker { get; init; } = 64;

    /// <summary>
    /// Introductions to one peer that may be pending at once, whoever asked: many askers (free
    /// keys) asking for one peer would otherwise fill its link table and make it probe every
    /// address they name.
    /// </summary>
    public int MaxPendingIntroductionsPerTarget { get; init; } = 32;

    /// <summary>Introductions of others to one peer in a burst …</summary>
    public int IntroductionsPerTargetBurst { get; init; } = 16;

    /// <summary>… and per second after it (the connect request is dropped and counted beyond; its asker asks again a second later).</summary>
    public double IntroductionsPerTargetPerSecond { get; init; } = 4;

    /// <summary>Connect requests a registered peer may make in a burst …</summary>
    public int ConnectBurst { get; init; } = 32;

    /// <summary>… and per second after it (dropped and counted beyond; the node asks again a second later).</summary>
    public double ConnectsPerSecond { get; init; } = 2;

    /// <summary>
    /// A registered peer gets at most one peer list per this long (a node asks every 5 s while its
    /// overlay is short of neighbours); more often the request is dropped, so nobody can page
    /// through the directory of who is online.
    /// </summary>
    public TimeSpan PeerListInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan IntroductionRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Sends of one introduction, the first included, before the seed gives up on its ack.</summary>
    public int IntroductionMaxAttempts { get; init; } = 10;

    /// <summary>A registration older than this (by the peer's clock against ours) is refused as a possible replay.</summary>
    public TimeSpan PresenceMaxAge { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PresenceMaxFutureSkew { get; init; } = TimeSpan.FromSeconds(30);

    public double HandshakesPerSecondPerAddress { get; init; } = 10;

    public double HandshakeBurstPerAddress { get; init; } = 20;

    public int MaxRateLimitedAddresses { get; init; } = 65_536;

    /// <summary>TURN servers and their shared secret; null when this seed hands out no relays.</summary>
    public SeedRelayOptions? Relay { get; init; }

    public TimeSpan ForgetAfter => KeepaliveInterval * MissedKeepalivesBeforeForget;

    internal void Validate()
    {
        if (KeepaliveInterval < TimeSpan.FromSeconds(1) || KeepaliveInterval.TotalSeconds > ushort.MaxValue)
            throw new ArgumentException("the keepalive interval must lie between 1 s and 65535 s");
        if (MissedKeepalivesBeforeForget < 1 || MaxRegisteredPeers < 1 || MaxSessions < 1 || MaxPendingIntroductions < 1
            || IntroductionMaxAttempts < 1 || IntroductionRetryInterval <= TimeSpan.Zero
            || HandshakesPerSecondPerAddress <= 0 || HandshakeBurstPerAddress < 1 || MaxRateLimitedAddresses < 1
            || MaxPendingIntroductionsPerTarget < 1 || IntroductionsPerTargetBurst < 1 || IntroductionsPerTargetPerSecond <= 0
            || MaxHalfOpenSessions < 1 || HalfOpenTimeout <= TimeSpan.Zero || HandshakesPerSecondBeforeCookies < 0)
            throw new ArgumentException("seed limits must be positive");
        Relay?.Validate();
    }
}

/// <summary>Why the seed dropped an input. Nothing is ever sent back for a drop.</summary>
public enum SeedServerDrop
{
    NotAPypePacket,
    UnexpectedPacketType,
    HandshakeRateLimited,
    /// <summary>
    /// A first transport packet completed a session while every established one is registered:
    /// the new session is dropped (registered peers are never pushed out).
    /// </summary>
    SessionTableFull,
    HandshakeMalformed,
    /// <summary>A handshake of the layout before mac2 (132 bytes): a node that predates cookie replies.</summary>
    HandshakeUnsupportedVersion,
    /// <summary>Under load and without a valid mac2: answered with a cookie reply, no Diffie-Hellman done.</summary>
    HandshakeCookieRequired,
    HandshakeBadMac,
    HandshakeAuthenticationFailed,
    HandshakeReplayed,
    HandshakeTooManyPeers,
    UnknownIndex,
    SessionExpired,
    TransportMalformed,
    TransportReplayed,
    TransportAuthenticationFailed,
    MessageMalformed,
    MessageTypeUnknown,
    /// <summary>A message only the seed sends (SeedRegistered, SeedIntroduction, …) arrived at the seed.</summary>
    MessageUnexpected,
    /// <summary>A peer list was asked for by a session that has not registered: peer lists go to registered peers only.</summary>
    PeerListUnregistered,
    /// <summary>A peer list was asked for sooner than <see cref="SeedServerOptions.PeerListInterval"/> after the last one.</summary>
    PeerListTooSoon,
    PresenceKeyMismatch,
    PresenceBadSignature,
    PresenceStale,
    PresenceFromTheFuture,
    RegistryFull,
    PendingIntroductionsFull,
    /// <summary>The asker already holds <see cref="SeedServerOptions.MaxPendingIntroductionsPerAsker"/> pending introductions.</summary>
    PendingIntroductionsPerAskerFull,
    /// <summary>The target already has <see cref="SeedServerOptions.MaxPendingIntroductionsPerTarget"/> introductions pending.</summary>
    PendingIntroductionsPerTargetFull,
    /// <summary>A connect request for a target beyond its <see cref="SeedServerOptions.IntroductionsPerTargetBurst"/> and rate.</summary>
    IntroductionsPerTargetRateLimited,
    /// <summary>A connect request beyond the asker's <see cref="SeedServerOptions.ConnectBurst"/> and rate.</summary>
    ConnectRateLimited,
    UnknownIntroduction,
    /// <summary>A presence from another seed of the cluster is not validly signed by its peer.</summary>
    ClusterPresenceInvalid,
    /// <summary>Another seed asked this one to introduce a peer that is not registered here.</summary>
    ClusterIntroductionForUnknownPeer,
    /// <summary>A cluster message that does not decode.</summary>
    ClusterMessageMalformed,
}

public abstract record SeedServerEvent;

public sealed record PeerRegistered(PeerKey Peer, IPEndPoint EndPoint) : SeedServerEvent;

public sealed record PeerForgotten(PeerKey Peer) : SeedServerEvent;

/// <summary>A peer registered here, or its candidates changed: what other seeds of a cluster need to introduce it.</summary>
public sealed record PresenceShared(SignedPresence Presence, IPEndPoint Observed) : SeedServerEvent;

/// <summary>
/// A peer registered here asked for one registered at another seed of the cluster: that seed
/// must introduce <see cref="About"/> to <see cref="Target"/> (this seed already told the asker).
/// </summary>
public sealed record ClusterIntroductionNeeded(string Member, PeerKey Target, SignedPresence About, IPEndPoint Observed) : SeedServerEvent;

public sealed record IntroductionMade(PeerKey Asker, PeerKey Target) : SeedServerEvent;

/// <summary>An introduction was sent <see cref="SeedServerOptions.IntroductionMaxAttempts"/> times without an ack, or its recipient went away.</summary>
public sealed record IntroductionAbandoned(PeerKey Recipient, uint IntroductionId) : SeedServerEvent;
