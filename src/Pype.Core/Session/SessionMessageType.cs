namespace Pype.Core.Session;

/// <summary>
/// The first byte of every plaintext carried inside a Noise transport packet (0xE3). Ranges:
/// 0x01–0x0F link upkeep, 0x10–0x1F the seed protocol, 0x20–0x2F gossip, 0x30–0x3F call signalling, 0x40–0x4F media.
/// An unknown type is dropped and counted by the receiver.
/// </summary>
public enum SessionMessageType : byte
{
    /// <summary>Empty: keeps NAT mappings and the session alive.</summary>
    Keepalive = 0x01,
    /// <summary>u64 nonce: answered by <see cref="Pong"/> with the same nonce, for RTT.</summary>
    Ping = 0x02,
    /// <summary>u64 nonce echoed from a <see cref="Ping"/>.</summary>
    Pong = 0x03,
    /// <summary>u64 random token, sent to a new source address of the peer before the path moves there (docs/protocol/connection.md §5).</summary>
    PathChallenge = 0x04,
    /// <summary>u64 token echoed from a <see cref="PathChallenge"/>, sent back to the address the challenge came from.</summary>
    PathResponse = 0x05,

    SeedRegister = 0x10,
    SeedRegistered = 0x11,
    SeedPeerListRequest = 0x12,
    SeedPeerList = 0x13,
    SeedConnectRequest = 0x14,
    SeedConnectResult = 0x15,
    SeedIntroduction = 0x16,
    SeedIntroductionAck = 0x17,
    /// <summary>Seed → node: TURN servers and short-lived credentials for them (docs/protocol/seed.md).</summary>
    SeedRelayGrant = 0x18,

    /// <summary>Gossip (docs/protocol/replication.md): a joining node asks a neighbour to start reconciling at once.</summary>
    GossipNewPeerRequest = 0x20,
    /// <summary>Gossip: address-book records by 64-bit key prefix.</summary>
    GossipGetAddressBook = 0x21,
    /// <summary>Gossip: call-list entries by 64-bit key prefix.</summary>
    GossipGetCallList = 0x22,
    /// <summary>Gossip: a callee, signed, asks the caller to connect back for a call it found.</summary>
    GossipConnect2Call = 0x23,
    /// <summary>Gossip: sixteen child summaries of one node of the digest tree.</summary>
    GossipDigest = 0x24,
    /// <summary>Gossip: the complete key list under one node of the digest tree.</summary>
    GossipKeyList = 0x25,
    /// <summary>Gossip: signed records or call entries, pushed or in reply.</summary>
    GossipRecords = 0x26,

    /// <summary>Calls (docs/protocol/calls.md): the caller's invite and media offer.</summary>
    CallInvite = 0x30,
    /// <summary>Calls: the callee is alerting its user.</summary>
    CallRinging = 0x31,
    /// <summary>Calls: the callee answered, with its chosen limits and SSRCs.</summary>
    CallAccept = 0x32,
    /// <summary>Calls: the callee declined, is busy, or cannot take the offer.</summary>
    CallReject = 0x33,
    /// <summary>Calls: either side ends the call.</summary>
    CallHangUp = 0x34,
    /// <summary>Calls: acknowledges one of 0x30–0x34, which are retransmitted until acknowledged.</summary>
    CallAck = 0x35,

    /// <summary>Media (docs/protocol/rtp.md): one RTP packet follows, video (PT 96) or audio (PT 111),
    /// told apart by payload type and SSRC. At most 1 + RtpLimits.MaxPacketLength bytes in all.</summary>
    MediaRtp = 0x40,

    /// <summary>Media feedback (docs/protocol/rtp.md §7): one compound RTCP packet follows (SR, RR,
    /// Generic NACK, PLI). At most 1 + RtpLimits.MaxPacketLength bytes in all.</summary>
    MediaRtcp = 0x41,
}

/// <summary>What a session plaintext is for, by the range its first byte falls in.</summary>
public enum SessionPayloadKind
{
    Link,
    Seed,
    Gossip,
    Call,
    Media,
    Unknown,
}

/// <summary>The ranges of <see cref="SessionMessageType"/>, defined once for everyone who routes plaintexts by kind.</summary>
public static class SessionMessageRanges
{
    public const byte LinkFirst = 0x01;
    public const byte LinkLast = 0x0F;
    public const byte SeedFirst = 0x10;
    public const byte SeedLast = 0x1F;
    public const byte GossipFirst = 0x20;
    public const byte GossipLast = 0x2F;
    public const byte CallFirst = 0x30;
    public const byte CallLast = 0x3F;
    public const byte MediaFirst = 0x40;
    public const byte MediaLast = 0x4F;

    public static SessionPayloadKind KindOf(ReadOnlySpan<byte> plaintext) => plaintext.IsEmpty ? SessionPayloadKind.Unknown : plaintext[0] switch
    {
        >= LinkFirst and <= LinkLast => SessionPayloadKind.Link,
        >= SeedFirst and <= SeedLast => SessionPayloadKind.Seed,
        >= GossipFirst and <= GossipLast => SessionPayloadKind.Gossip,
        >= CallFirst and <= CallLast => SessionPayloadKind.Call,
        >= MediaFirst and <= MediaLast => SessionPayloadKind.Media,
        _ => SessionPayloadKind.Unknown,
    };
}
