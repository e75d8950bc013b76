using Pype.Core.Noise;

namespace Pype.Core.Connection;

/// <summary>Why a <see cref="PeerLink"/> ignored something. Nothing is ever sent back for a drop.</summary>
public enum LinkDropReason
{
    /// <summary>The first byte is no Pype packet type.</summary>
    NotPypePacket,
    /// <summary>Initiations belong to the node's responder, not to a link.</summary>
    InitiationNotForLink,
    /// <summary>The link is idle, lost or gave up.</summary>
    LinkInactive,
    HandshakeMalformed,
    HandshakeBadMac,
    HandshakeAuthenticationFailed,
    /// <summary>A response to no handshake in flight: late, duplicated or forged.</summary>
    ResponseNotExpected,
    /// <summary>An accepted handshake whose initiator is not this link's peer.</summary>
    WrongPeer,
    /// <summary>An accepted handshake reusing a local index the link already holds.</summary>
    IndexInUse,
    TransportTooShort,
    TransportMalformed,
    UnknownIndex,
    SessionExpired,
    Replayed,
    CounterLimitReached,
    AuthenticationFailed,
    EmptyMessage,
    MalformedLinkMessage,
    UnknownLinkMessage,
    /// <summary>A Pong whose nonce answers none of the last few Pings (very late, repeated or forged by the peer).</summary>
    UnexpectedPong,
    /// <summary>A path response whose token answers no pending challenge (late, repeated or forged by the peer).</summary>
    UnexpectedPathResponse,
    /// <summary>A path response from another address than the one challenged: it proves nothing about that address.</summary>
    PathResponseFromElsewhere,
    /// <summary>An authenticated packet from a new address while the pending path challenges are at their bound: no challenge is sent.</summary>
    PathChallengesFull,
    /// <summary>A path challenge over the rate at which the link answers them.</summary>
    PathChallengeRateLimited,
    /// <summary>A cookie reply that does not open for a handshake in flight (forged, damaged, or a second one for it).</summary>
    CookieReplyRejected,
}

/// <summary>Counters of dropped input, by reason.</summary>
public sealed class LinkDropCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<LinkDropReason>().Length];

    public long this[LinkDropReason reason] => _counts[(int)reason];

    public long Total { get; private set; }

    public IReadOnlyDictionary<LinkDropReason, long> NonZero() =>
        Enum.GetValues<LinkDropReason>().Where(r => this[r] > 0).ToDictionary(r => r, r => this[r]);

    internal void Add(LinkDropReason reason)
    {
        _counts[(int)reason]++;
        Total++;
    }

    public override string ToString() => string.Join(", ", NonZero().Select(kv => $"{kv.Key}={kv.Value}"));
}

internal static class LinkDropReasons
{
    public static LinkDropReason From(HandshakeRejection rejection) => rejection switch
    {
        HandshakeRejection.BadMac => LinkDropReason.HandshakeBadMac,
        HandshakeRejection.AuthenticationFailed => LinkDropReason.HandshakeAuthenticationFailed,
        _ => LinkDropReason.HandshakeMalformed,
    };

    public static LinkDropReason From(DropReason reason) => reason switch
    {
        DropReason.TooShort => LinkDropReason.TransportTooShort,
        DropReason.Replayed => LinkDropReason.Replayed,
        DropReason.CounterLimitReached => LinkDropReason.CounterLimitReached,
        DropReason.AuthenticationFailed => LinkDropReason.AuthenticationFailed,
        DropReason.WrongIndex => LinkDropReason.UnknownIndex,
        _ => LinkDropReason.TransportMalformed,
    };
}
