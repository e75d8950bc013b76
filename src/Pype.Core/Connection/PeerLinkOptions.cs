namespace Pype.Core.Connection;

/// <summary>
/// The timers of one <see cref="PeerLink"/>. The defaults are the named constants below; tests and
/// operators may shorten or lengthen them, the protocol does not depend on their exact values.
/// </summary>
public sealed record PeerLinkOptions
{
    /// <summary>Below Linux conntrack's 30 s idle timeout for unreplied UDP, with room for one lost keepalive's worth of slack.</summary>
    public static readonly TimeSpan DefaultKeepaliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long punching may take before the link gives up on a direct path.</summary>
    public static readonly TimeSpan DefaultPunchTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The first gap between probe rounds; it doubles after every round.</summary>
    public static readonly TimeSpan DefaultProbeInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest gap between probe rounds, so a lossy path still gets about a dozen rounds within the punch timeout.</summary>
    public static readonly TimeSpan DefaultMaxProbeInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Direct candidates are probed alone for this long before relayed ones join the probe rounds.</summary>
    public static readonly TimeSpan DefaultRelayedCandidateDelay = TimeSpan.FromSeconds(1);

    /// <summary>Lost after this many keepalive intervals without an authenticated packet.</summary>
    public const int LostAfterKeepaliveIntervals = 3;

    /// <summary>How long a session that lost the preference keeps decrypting, for packets already in flight.</summary>
    public static readonly TimeSpan SessionRetireGrace = TimeSpan.FromSeconds(3);

    /// <summary>A responder session the peer never used is forgotten after this long.</summary>
    public static readonly TimeSpan PendingSessionLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Gap between rekey handshake attempts on the active path (each with a fresh initiator).</summary>
    public static readonly TimeSpan RekeyRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The side with the larger key rekeys only this long after the leader should have, so the two
    /// sides do not rekey at once; it is a fallback for a leader whose rekeys keep getting lost.
    /// </summary>
    public static readonly TimeSpan FollowerRekeyDelay = TimeSpan.FromSeconds(15);

    /// <summary>Handshakes in flight at once; the oldest is forgotten beyond this.</summary>
    public const int MaxPendingInitiators = 64;

    /// <summary>Direct candidates a link remembers; new introductions beyond this push out the oldest.</summary>
    public const int MaxDirectTargets = 32;

    /// <summary>Sessions held at once (established, pending and retiring); the lowest ranked goes beyond this.</summary>
    public const int MaxSessions = 8;

    /// <summary>A path challenge unanswered this long is forgotten; the next packet from that address may send another.</summary>
    public static readonly TimeSpan PathChallengeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>New addresses challenged at once: with <see cref="PathChallengeTimeout"/>, at most this many challenges a second.</summary>
    public const int MaxPendingPathChallenges = 4;

    /// <summary>Path challenges answered per second (burst twice that): each answer goes wherever the challenge came from.</summary>
    public const int PathResponsesPerSecond = 4;

    public static PeerLinkOptions Default { get; } = new();

    public TimeSpan KeepaliveInterval { get; init; } = DefaultKeepaliveInterval;

    /// <summary>The node's shared source of initiation timestamps; null gives the link one of its own, kept nowhere.</summary>
    public Noise.HandshakeClock? HandshakeClock { get; init; }

    /// <summary>How often a Ping measures the round-trip time; by default the keepalive interval.</summary>
    public TimeSpan? PingInterval { get; init; }

    public TimeSpan PunchTimeout { get; init; } = DefaultPunchTimeout;

    public TimeSpan ProbeInterval { get; init; } = DefaultProbeInterval;

    public TimeSpan MaxProbeInterval { get; init; } = DefaultMaxProbeInterval;

    /// <summary>By default <see cref="LostAfterKeepaliveIntervals"/> × <see cref="KeepaliveInterval"/>.</summary>
    public TimeSpan? LostAfter { get; init; }

    public TimeSpan RelayedCandidateDelay { get; init; } = DefaultRelayedCandidateDelay;

    /// <summary>How long a direct path must stay silent before relayed packets may take the path back; by default two keepalive intervals.</summary>
    public TimeSpan? DirectPathHold { get; init; }

    /// <summary>
    /// When application data went out and nothing authenticated came back for this long, the
    /// path is presumed dead and every candidate, relayed ones included, is probed again (once per
    /// two punch timeouts while the silence lasts); a relayed packet may then replace a direct path
    /// that has been silent this long (with data going out) without waiting out
    /// <see cref="DirectPathHold"/>. Null turns both off.
    /// </summary>
    public TimeSpan? SilenceBeforeReprobe { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan EffectiveDirectPathHold => DirectPathHold ?? KeepaliveInterval * 2;

    public TimeSpan EffectivePingInterval => PingInterval ?? KeepaliveInterval;

    public TimeSpan EffectiveLostAfter => LostAfter ?? KeepaliveInterval * LostAfterKeepaliveIntervals;
}
