namespace Pype.Core.Session;

/// <summary>
/// The first byte of every plaintext carried inside a Noise transport packet (0xE3). Ranges:
/// 0x01–0x0F link upkeep, 0x10–0x1F the seed protocol, 0x20– later layers (gossip, calls, media).
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

    SeedRegister = 0x10,
    SeedRegistered = 0x11,
    SeedPeerListRequest = 0x12,
    SeedPeerList = 0x13,
    SeedConnectRequest = 0x14,
    SeedConnectResult = 0x15,
    SeedIntroduction = 0x16,
    SeedIntroductionAck = 0x17,
}
