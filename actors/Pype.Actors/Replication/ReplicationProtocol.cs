using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Actors.Replication;

/// <summary>Messages of the signed-item stores (AddressBookActor, CallListActor).</summary>
public interface IItemStoreMessage;

/// <summary>Journal an item the gossip engine accepted; answered with <see cref="ItemStored"/>.</summary>
public sealed record StoreItem(byte[] Encoded) : IItemStoreMessage;

public sealed record ItemStored(bool Stored);

/// <summary>The replica evicted the item under this key (its store key text): keep it out of the next snapshot.</summary>
public sealed record ForgetItem(string Key) : IItemStoreMessage;

public sealed record GetStoredItems : IItemStoreMessage
{
    public static readonly GetStoredItems Instance = new();
}

public sealed record StoredItems(string Store, IReadOnlyList<byte[]> Items);

/// <summary>Journal event and snapshot of a store: the items' own signed wire bytes.</summary>
public sealed record ReplicaItemStored(byte[] Encoded);
public sealed record ReplicaItemsSnapshot(IReadOnlyList<byte[]> Items);

/// <summary>Messages of the GossipActor.</summary>
public interface IGossipMessage;

public sealed record NeighbourUp(HashAddress Peer) : IGossipMessage;
public sealed record NeighbourDown(HashAddress Peer) : IGossipMessage;
public sealed record GossipReceived(HashAddress Peer, byte[] Message) : IGossipMessage;
/// <summary>Our reachable candidates changed (start, seed registration): publish our record again.</summary>
public sealed record OwnCandidatesChanged(IReadOnlyList<Candidate> Candidates) : IGossipMessage;

/// <summary>Gossip for one neighbour; the PeerListActor sends it over that peer's session.</summary>
public sealed record SendGossip(HashAddress Peer, byte[] Message);

public sealed record GetBookSummary : IGossipMessage
{
    public static readonly GetBookSummary Instance = new();
}

public sealed record LookupRecord(HashAddress Hash) : IGossipMessage;

public sealed record GetCallEntries : IGossipMessage
{
    public static readonly GetCallEntries Instance = new();
}

public sealed record GetGossipStatus : IGossipMessage
{
    public static readonly GetGossipStatus Instance = new();
}

/// <param name="Unjournalled">Items the replicas hold that their journal has not confirmed yet: a kill -9 now would lose them here (neighbours still have them).</param>
/// <param name="Refused">What the replicas turned away or evicted, by store and kebab-case reason (e.g. <c>call-list-quota-reached</c>, <c>address-book-evicted</c>); only non-zero counts.</param>
public sealed record GossipStatus(int Records, int CallEntries, int Neighbours, long MessagesSent, long BytesSent, long AntiEntropyRounds, IReadOnlyDictionary<string, long> Drops, int Unjournalled = 0, IReadOnlyDictionary<string, long>? Refused = null);

/// <summary>Writes a ringing entry for the callee into the call list, with the call's id and its
/// encoded <see cref="Pype.Core.Calls.MediaOffer"/>; answered with a NodeReply.</summary>
public sealed record PlaceCallInList(byte[] CalleePublicKey, UInt128 CallId, byte[] Offer) : IGossipMessage;

/// <summary>Replaces a call's entry with a tombstone. <paramref name="CallId"/> may be a prefix or
/// null for "the one call this applies to".</summary>
public sealed record EndCallInList(string? CallId, Pype.Core.Replication.CallEntryKind How, string Command) : IGossipMessage;

/// <summary>The answer to <see cref="PlaceCallInList"/> and <see cref="EndCallInList"/>: the entry
/// written (its call id and kind), or why the call list refused it.</summary>
public sealed record CallListWritten(string CallId, Pype.Core.Replication.CallEntryKind Kind);
public sealed record CallListRefused(string Reason);

/// <summary>The call's invite has not reached this replica yet; its end is written when it does.</summary>
public sealed record CallListEndDeferred(string CallId);
