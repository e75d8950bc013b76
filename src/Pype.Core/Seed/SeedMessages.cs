using System.Net;
using Pype.Core.Session;

namespace Pype.Core.Seed;

/// <summary>A seed-protocol plaintext carried inside a Noise transport packet; its first byte is its <see cref="SessionMessageType"/>.</summary>
public abstract record SeedMessage;

/// <summary>0x10 node → seed: "I am online", with a presence signed by the session's own identity.</summary>
public sealed record SeedRegister(SignedPresence Presence) : SeedMessage;

/// <summary>
/// 0x11 seed → node: accepted; how often to keep alive, and where the seed saw the node's packets
/// come from. <see cref="RelayGrantFollows"/> tells the node a <see cref="SeedRelayGrant"/> was
/// sent with it, so a node that does not get one knows it was lost and can register again.
/// <see cref="Flags"/> is the optional trailing byte, kept whole so bits a later seed sets survive.
/// </summary>
public sealed record SeedRegistered(ushort KeepaliveIntervalSeconds, IPEndPoint ObservedEndPoint, byte Flags = 0) : SeedMessage
{
    /// <summary>Bit 0 of the flags; the other bits are sent as zero and ignored.</summary>
    public const byte RelayGrantFollowsFlag = 0x01;

    public bool RelayGrantFollows => (Flags & RelayGrantFollowsFlag) != 0;
}

/// <summary>0x12 node → seed: up to <see cref="Max"/> random online peers, please.</summary>
public sealed record SeedPeerListRequest(byte Max) : SeedMessage;

/// <summary>0x13 seed → node: at most <see cref="SeedMessageCodec.MaxPeersInList"/> keys, never the asker's.</summary>
public sealed record SeedPeerList(IReadOnlyList<PeerKey> Peers) : SeedMessage;

/// <summary>0x14 node → seed: introduce me to this peer.</summary>
public sealed record SeedConnectRequest(uint RequestId, PeerKey Target) : SeedMessage;

public enum SeedConnectStatus : byte
{
    /// <summary>Both sides are being sent each other's candidates.</summary>
    Introduced = 1,
    /// <summary>The target is not registered with this seed.</summary>
    Offline = 2,
    /// <summary>The asker has not registered yet, so the seed has nothing to give the target.</summary>
    NotRegistered = 3,
}

/// <summary>0x15 seed → node: the answer to a <see cref="SeedConnectRequest"/> with the same id.</summary>
public sealed record SeedConnectResult(uint RequestId, SeedConnectStatus Status) : SeedMessage;

/// <summary>
/// 0x16 seed → node: the other peer's signed presence, and, outside the signature, the
/// endpoint the seed observed that peer's packets coming from (which its own presence may lack).
/// </summary>
public sealed record SeedIntroduction(uint IntroductionId, SignedPresence Presence, IReadOnlyList<Candidate> Observed) : SeedMessage;

/// <summary>0x17 node → seed: this introduction arrived; stop resending it.</summary>
public sealed record SeedIntroductionAck(uint IntroductionId) : SeedMessage;

/// <summary>
/// 0x18 seed → node, after each <see cref="SeedRegistered"/> when the seed has TURN servers:
/// where to allocate a relay and TURN REST credentials valid until <see cref="Expires"/>.
/// A separate message rather than trailing fields of 0x11, because nodes that predate it reject
/// trailing bytes (and with them the registration) but merely count an unknown type.
/// </summary>
public sealed record SeedRelayGrant(IReadOnlyList<IPEndPoint> Servers, Turn.TurnCredentials Credentials, DateTimeOffset Expires) : SeedMessage
{
    /// <summary>More servers than this would not help a node, which uses the first that works.</summary>
    public const int MaxServers = 4;

    /// <summary>Username and password are each at most this many UTF-8 bytes (one length byte).</summary>
    public const int MaxCredentialLength = 255;
}

/// <summary>Upkeep messages (<see cref="SessionMessageType.Keepalive"/>, Ping, Pong) decoded alongside the seed's own.</summary>
public sealed record LinkUpkeep(SessionMessageType Type, ulong Nonce) : SeedMessage;
