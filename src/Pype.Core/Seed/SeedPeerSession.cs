using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Noise;

namespace Pype.Core.Seed;

/// <summary>The seed's side of one authenticated session with a peer, registered or not yet.</summary>
internal sealed class SeedPeerSession(NoiseSession noise, string staticKey, IPEndPoint endPoint, DateTimeOffset now)
{
    public NoiseSession Noise { get; } = noise;

    /// <summary>The peer's X25519 static key as hex: a reconnecting peer is recognised by it.</summary>
    public string StaticKey { get; } = staticKey;

    /// <summary>Follows the peer's newest authenticated packet, as WireGuard's endpoint roaming does.</summary>
    public IPEndPoint EndPoint { get; set; } = endPoint;

    public DateTimeOffset LastSeen { get; set; } = now;

    public DateTimeOffset CreatedAt { get; } = now;

    /// <summary>False while half-open: the handshake was answered, but no transport packet from the peer has decrypted yet.</summary>
    public bool Established { get; set; }

    /// <summary>Its place in the half-open list (oldest first) or, established and unregistered, in the idle strangers list.</summary>
    public LinkedListNode<SeedPeerSession>? Queued { get; set; }

    public RegisteredPeer? Registration { get; set; }

    /// <summary>When this session was last sent a peer list (they are rate-limited per session).</summary>
    public DateTimeOffset? LastPeerListAt { get; set; }

    /// <summary>The connect requests this session may make, full at its first one.</summary>
    public TokenBucket? ConnectBudget { get; set; }

    public uint LocalIndex => Noise.LocalIndex;
}

/// <summary>An introduction waiting for its recipient's ack.</summary>
internal sealed class PendingIntroduction(uint id, PeerKey recipient, byte[] plaintext, PeerKey askedBy)
{
    public uint Id { get; } = id;

    /// <summary>Whose connect request caused it (for a cluster introduction, the asker at the other seed).</summary>
    public PeerKey AskedBy { get; } = askedBy;
    public PeerKey Recipient { get; } = recipient;
    public byte[] Plaintext { get; } = plaintext;
    public int Attempts { get; set; }
}
