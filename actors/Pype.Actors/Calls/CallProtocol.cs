using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Actors.Calls;

/// <summary>Messages of the CallManagerActor.</summary>
public interface ICallManagerMessage;

/// <summary>Calls the owner of this public key; answered with a <see cref="Node.NodeReply"/>.</summary>
public sealed record PlaceCallTo(byte[] CalleePublicKey) : ICallManagerMessage;

public enum CallAction
{
    Answer,
    Reject,
    HangUp,
}

/// <summary>Answers, rejects or hangs up a call; <paramref name="CallId"/> is a hex prefix or null for
/// "the one call this applies to". Answered with a <see cref="Node.NodeReply"/>.</summary>
public sealed record ActOnCall(string? CallId, CallAction Action, string Command) : ICallManagerMessage;

public sealed record GetLiveCalls : ICallManagerMessage
{
    public static readonly GetLiveCalls Instance = new();
}

public sealed record LiveCalls(IReadOnlyList<Node.LiveCallView> Calls);

/// <summary>Media statistics of every established call; answered with <see cref="Node.CallStatsReply"/>.</summary>
public sealed record GetCallStats : ICallManagerMessage, Node.INodeCommand
{
    public static readonly GetCallStats Instance = new();
}

/// <summary>Call signalling (0x30–0x3F) that arrived over the peer's encrypted session.</summary>
public sealed record CallSignalReceived(HashAddress Peer, byte[] PeerPublicKey, byte[] Payload) : ICallManagerMessage;

/// <summary>Media (0x40–0x4F) that arrived over the peer's encrypted session.</summary>
public sealed record MediaReceivedFromPeer(HashAddress Peer, byte[] Payload) : ICallManagerMessage;

/// <summary>The gossip engine opened an invite for us in the call list.</summary>
public sealed record CallInviteFound(UInt128 CallId, byte[] CallerPublicKey, byte[] Offer) : ICallManagerMessage;

/// <summary>A tombstone for one of our calls arrived through the call list.</summary>
public sealed record CallTombstoneFound(UInt128 CallId, HashAddress Signer, CallEntryKind Kind) : ICallManagerMessage;

/// <summary>
/// Signalling for a peer, told to the PeerListActor: sent at once over an existing session, or
/// held while the peer list asks the seed to introduce the peer (its public key is needed for that).
/// </summary>
public sealed record SendCallSignal(HashAddress Peer, byte[] PeerPublicKey, byte[] Payload);

/// <summary>The call manager's own once-a-second timer: ask every media session for its statistics to publish.</summary>
internal sealed record PublishCallStats
{
    public static readonly PublishCallStats Instance = new();
}
