using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>The timers and limits of a <see cref="GossipEngine"/>; the defaults are the protocol's.</summary>
public sealed record GossipOptions
{
    public static GossipOptions Default { get; } = new();

    /// <summary>A neighbour may hand over this many seconds' worth of items at once (a snapshot).</summary>
    public const int NodeItemBurstSeconds = 25;

    /// <summary>
    /// What a running node uses: its configured round interval and rate, a burst of
    /// <see cref="NodeItemBurstSeconds"/> at that rate, and a snapshot from its first neighbour
    /// so a node that just joined fills its replicas at once.
    /// </summary>
    public static GossipOptions ForNode(TimeSpan antiEntropyInterval, int itemsPerSecondPerLink) => new()
    {
        AntiEntropyInterval = antiEntropyInterval,
        ItemsPerSecondPerLink = itemsPerSecondPerLink,
        ItemBurstPerLink = itemsPerSecondPerLink * NodeItemBurstSeconds,
        SnapshotFromFirstNeighbour = true,
    };

    /// <summary>Mean time between anti-entropy rounds, each with one random neighbour.</summary>
    public TimeSpan AntiEntropyInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Each interval is drawn uniformly within ± this fraction, so nodes do not fall into step.</summary>
    public double AntiEntropyJitter { get; init; } = 0.25;

    /// <summary>Push new and changed items to every neighbour at once (off only to test anti-entropy alone).</summary>
    public bool PushEnabled { get; init; } = true;

    /// <summary>Sustained items per second a neighbour may make us validate; duplicates are free.</summary>
    public double ItemsPerSecondPerLink { get; init; } = 200;

    /// <summary>Items a neighbour may send at once before the rate applies, e.g. a snapshot.</summary>
    public int ItemBurstPerLink { get; init; } = 5_000;

    public TimeSpan OwnRecordLifetime { get; init; } = AddressBookRecord.DefaultLifetime;

    public TimeSpan OwnRecordRefresh { get; init; } = AddressBookRecord.DefaultRefreshInterval;

    /// <summary>A node that just joined asks its first neighbour for everything at once
    /// (newPeerRequest) instead of waiting for anti-entropy rounds to fill its replicas.</summary>
    public bool SnapshotFromFirstNeighbour { get; init; }

    /// <summary>How far a connect2call's send time may be from our clock either way.</summary>
    public TimeSpan Connect2CallMaxSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>While a neighbour is new, everything we answer it totals at most this many times what it sent us.</summary>
    public const int NewNeighbourAnswerFactor = 3;

    /// <summary>A neighbour is new for this long after it was added (a fresh link): its answers are held to <see cref="NewNeighbourAnswerFactor"/>.</summary>
    public TimeSpan NewNeighbourAge { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sustained bytes a second our answers to one neighbour may take (digests, key lists, requests and the items asked for).</summary>
    public double AnswerBytesPerSecondPerLink { get; init; } = 48 * 1024;

    /// <summary>Answer bytes one neighbour may have at once before the rate applies (at least one message).</summary>
    public int AnswerByteBurstPerLink { get; init; } = 256 * 1024;

    /// <summary>Encoded answers (digests, key lists, requests) one neighbour may have waiting; beyond, an answer is dropped and counted.</summary>
    public int MaxPendingAnswersPerLink { get; init; } = 64;

    /// <summary>Items (by key) one neighbour may have waiting to be sent; beyond, the rest waits for a later round.</summary>
    public int MaxPendingItemsPerLink { get; init; } = 4096;

    /// <summary>Neighbours the engine keeps state for; beyond, one more is refused and counted.</summary>
    public int MaxNeighbours { get; init; } = 128;
}

/// <summary>Why the engine dropped a message or an item. Replica rejections are also counted by reason on the replica.</summary>
public enum GossipDropReason
{
    /// <summary>The message does not decode.</summary>
    MalformedMessage,
    /// <summary>A gossip message from a peer that is not an overlay neighbour.</summary>
    NotNeighbour,
    /// <summary>An item inside a records message does not decode.</summary>
    MalformedItem,
    /// <summary>An item we already hold in exactly that version (harmless, counted to see redundancy).</summary>
    DuplicateItem,
    /// <summary>An item over the neighbour's rate.</summary>
    RateLimited,
    /// <summary>An item the replica refused (its own counters say why).</summary>
    RejectedItem,
    /// <summary>A call for us whose invite does not open, or names another caller or call.</summary>
    UnreadableInvite,
    /// <summary>A connect2call that is not for a call of ours, is stale, or is not signed by the callee.</summary>
    InvalidConnect2Call,
    /// <summary>An answer, or items, beyond what may wait for a neighbour's byte budget; a later round asks again.</summary>
    BacklogFull,
    /// <summary>A neighbour added beyond <see cref="GossipOptions.MaxNeighbours"/>.</summary>
    TooManyNeighbours,
}

/// <summary>What the engine tells its owner, drained with <see cref="GossipEngine.PollEvent"/>.</summary>
public abstract record GossipEvent
{
    private GossipEvent()
    {
    }

    /// <summary>A peer's record that is new or newer than what we held.</summary>
    public sealed record RecordLearned(AddressBookRecord Record) : GossipEvent;

    /// <summary>Someone calls us: the entry, its opened invite, and the neighbour whose call list it came from.</summary>
    public sealed record CallFound(CallListEntry Entry, CallInvite Invite, HashAddress Source) : GossipEvent;

    /// <summary>Any call-list entry a neighbour gave us was accepted (so the owner can store it).</summary>
    public sealed record CallEntryLearned(CallListEntry Entry) : GossipEvent;

    /// <summary>A call we are party to was answered, rejected or hung up.</summary>
    public sealed record CallEnded(CallListEntry Tombstone) : GossipEvent;

    /// <summary>The callee of a call we placed asks us to connect to its candidates.</summary>
    public sealed record ConnectBackRequested(HashAddress From, GossipMessage.Connect2Call Request) : GossipEvent;
}

/// <summary>A message for one neighbour, at most <see cref="GossipCodec.MaxMessageLength"/> bytes.</summary>
public readonly record struct OutgoingGossip(HashAddress Peer, byte[] Bytes);
