using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Replication;

/// <summary>
/// One node's gossip over its overlay neighbours, sans-IO: it is fed messages, local changes,
/// neighbour changes and timeouts, each with the time, and is drained of messages to send
/// (<see cref="PollSend"/>) and events (<see cref="PollEvent"/>) after every input. New and
/// changed items are pushed to every neighbour at once and forwarded once by each node that
/// accepts them; every few seconds one random neighbour gets an anti-entropy round (digest of
/// the root's children, descent where they differ, then only the items that differ).
/// What a neighbour's message makes it answer is paced per neighbour, and held to three times
/// what a new neighbour sent (GossipEngine.Answers.cs).
/// Nothing a peer sends makes it throw: bad input is dropped and counted.
/// </summary>
public sealed partial class GossipEngine
{
    private readonly IdentityKeyPair _identity;
    private readonly IRandomSource _random;
    private readonly Dictionary<HashAddress, GossipNeighbour> _neighbours = [];
    private readonly List<HashAddress> _neighbourOrder = [];
    private readonly Queue<OutgoingGossip> _outgoing = new();
    private readonly Queue<GossipEvent> _events = new();
    private readonly long[] _drops = new long[Enum.GetValues<GossipDropReason>().Length];
    private DateTimeOffset _nextAntiEntropy;
    private DateTimeOffset? _nextRefresh;
    private (IReadOnlyList<Candidate> Candidates, byte[] Metadata)? _ownRecordFields;
    private ulong _ownSequence;
    private bool _snapshotRequested;
    private DateTimeOffset _now;

    public GossipEngine(
        IdentityKeyPair identity,
        IRandomSource random,
        DateTimeOffset now,
        GossipOptions? options = null,
        AddressBookReplica? addressBook = null,
        CallListReplica? callList = null)
    {
        _identity = identity;
        _random = random;
        Options = options ?? GossipOptions.Default;
        AddressBook = addressBook ?? new AddressBookReplica();
        CallList = callList ?? new CallListReplica();
        AddressBook.TrustSelf(identity.Hash);
        CallList.TrustSelf(identity.Hash);
        _nextAntiEntropy = now + NextInterval();
        _now = now;
    }

    public GossipOptions Options { get; }

    public AddressBookReplica AddressBook { get; }

    public CallListReplica CallList { get; }

    public HashAddress Self => _identity.Hash;

    public IReadOnlyCollection<HashAddress> Neighbours => _neighbourOrder;

    /// <summary>The call-list entries in which this node is the caller or the callee.</summary>
    public IEnumerable<CallListEntry> OwnCallEntries => CallList.Entries.Where(entry => entry.Callee == Self || entry.Caller == Self);

    /// <summary>The next time <see cref="HandleTimeout"/> has work to do: a refresh, a round, or answers whose bytes are due.</summary>
    public DateTimeOffset NextDeadline
    {
        get
        {
            var next = _nextRefresh is { } refresh && refresh < _nextAntiEntropy ? refresh : _nextAntiEntropy;
            return NextAnswerDue() is { } due && due < next ? due : next;
        }
    }

    public long MessagesSent { get; private set; }

    public long BytesSent { get; private set; }

    public long AntiEntropyRounds { get; private set; }

    public long DropCount(GossipDropReason reason) => _drops[(int)reason];

    public OutgoingGossip? PollSend() => _outgoing.TryDequeue(out var message) ? message : null;

    public GossipEvent? PollEvent() => _events.TryDequeue(out var gossipEvent) ? gossipEvent : null;

    public void NeighbourAdded(DateTimeOffset now, HashAddress peer)
    {
        _now = Later(now);
        if (peer == Self || _neighbours.ContainsKey(peer))
            return;
        if (_neighbours.Count >= Options.MaxNeighbours)
        {
            Drop(GossipDropReason.TooManyNeighbours);
            return;
        }

        _neighbours.Add(peer, new GossipNeighbour(Options, now));
        _neighbourOrder.Add(peer);

        if (Options.SnapshotFromFirstNeighbour && !_snapshotRequested)
        {
            _snapshotRequested = true;
            RequestSnapshot(peer);
        }
    }

    public void NeighbourRemoved(HashAddress peer)
    {
        if (_neighbours.Remove(peer))
        {
            _neighbourOrder.Remove(peer);
        }
    }

    /// <summary>
    /// As a joining node, ask <paramref name="peer"/> to reconcile with us now: newPeerRequest (it
    /// opens a round with us) and our own root digests, whose empty children it answers with its
    /// items. The digests also earn the answers their budget while we are new to it.
    /// </summary>
    public void RequestSnapshot(HashAddress peer)
    {
        Send(peer, new GossipMessage.NewPeerRequest());
        StartRound(peer);
    }

    /// <summary>
    /// Signs and publishes our own record, and republishes it every refresh interval from now on.
    /// The sequence is the time in Unix milliseconds (or one more than the last), so it keeps
    /// growing across restarts.
    /// </summary>
    public AddressBookRecord PublishOwnRecord(DateTimeOffset now, IReadOnlyList<Candidate> candidates, ReadOnlySpan<byte> metadata)
    {
        _ownSequence = Math.Max(_ownSequence + 1, (ulong)now.ToUnixTimeMilliseconds());
        var record = AddressBookRecord.Create(_identity, _ownSequence, now + Options.OwnRecordLifetime, candidates, metadata);
        _ownRecordFields = (candidates, metadata.ToArray());
        _nextRefresh = now + Options.OwnRecordRefresh;
        LocalRecordChanged(now, record);
        return record;
    }

    /// <summary>Offers a record made here (ours or one we were handed) and pushes it if accepted.</summary>
    public OfferResult LocalRecordChanged(DateTimeOffset now, AddressBookRecord record)
    {
        var result = AddressBook.Offer(now, record);
        if (result.IsAccepted)
            Push(GossipStore.AddressBook, [record.Encoded], except: null);
        return result;
    }

    /// <summary>Offers a call entry made here (an invite we place, a tombstone we sign) and pushes it if accepted.</summary>
    public OfferResult LocalCallChanged(DateTimeOffset now, CallListEntry entry)
    {
        var result = CallList.Offer(now, entry);
        if (result.IsAccepted)
            Push(GossipStore.CallList, [entry.Encoded], except: null);
        return result;
    }

    /// <summary>Signs a ringing invite to the callee (the offer sealed to it), writes it into the call list and pushes it.</summary>
    public LocalCallChange PlaceCall(DateTimeOffset now, ReadOnlySpan<byte> calleePublicKey, UInt128 callId, ReadOnlySpan<byte> offer) =>
        calleePublicKey.SequenceEqual(_identity.PublicKey.Span)
            ? new LocalCallChange.Refused("you cannot call yourself")
            : WriteLocalCall(now, CallListEntry.CreateInvite(_identity, calleePublicKey, callId, offer, now, CallListEntry.DefaultLifetime, _random));

    /// <summary>
    /// The live invites this node may end <paramref name="how"/>: a hang-up ends any of its own
    /// (as caller or callee); an answer or a rejection only one that rings here.
    /// </summary>
    public IEnumerable<CallListEntry> EndableCalls(DateTimeOffset now, CallEntryKind how) =>
        CallList.Entries
            .Where(entry => !entry.IsTombstone && entry.Expiry > now)
            .Where(entry => how == CallEntryKind.HungUp ? entry.Callee == Self || entry.Caller == Self : entry.Callee == Self);

    /// <summary>Replaces one of the <see cref="EndableCalls"/> with its tombstone of kind <paramref name="how"/> and pushes it.</summary>
    public LocalCallChange EndCall(DateTimeOffset now, CallListEntry entry, CallEntryKind how) =>
        WriteLocalCall(now, CallListEntry.CreateTombstone(_identity, entry, how));

    /// <summary>
    /// Ends the one <see cref="EndableCalls"/> entry whose id starts with <paramref name="callIdPrefix"/>
    /// (any, when null); refused when none or several match. <paramref name="command"/> names what
    /// was asked, for the refusal.
    /// </summary>
    public LocalCallChange EndCall(DateTimeOffset now, string? callIdPrefix, CallEntryKind how, string command)
    {
        var mine = EndableCalls(now, how).Where(e => HexPrefix.Matches(e.CallId, callIdPrefix)).ToList();
        return mine.Count switch
        {
            1 => EndCall(now, mine[0], how),
            0 => DeferOrRefuse(now, callIdPrefix, how, command),
            _ => new LocalCallChange.Refused($"{mine.Count} calls are ringing: give the call id"),
        };
    }

    /// <summary>connect2call: as the callee of <paramref name="entry"/>, ask its caller to connect to us.</summary>
    public void RequestConnectBack(DateTimeOffset now, CallListEntry entry, IReadOnlyList<Candidate> candidates) =>
        Send(entry.Caller, GossipMessage.Connect2Call.Create(_identity, entry, now, candidates));

    public void HandleTimeout(DateTimeOffset now)
    {
        _now = Later(now);
        foreach (var (peer, neighbour) in _neighbours)
        {
            if (neighbour.HasBacklog)
                DrainAnswers(_now, peer, neighbour);
        }

        if (_nextRefresh is { } refresh && now >= refresh && _ownRecordFields is var (candidates, metadata))
        {
            PublishOwnRecord(now, candidates, metadata);
        }

        if (now < _nextAntiEntropy)
        {
            return;
        }

        _nextAntiEntropy = now + NextInterval();
        AddressBook.Expire(now);
        CallList.Expire(now);
        // A new neighbour is not picked: what we send it unasked should not outrun what it sent.
        var established = _neighbourOrder.Where(peer => !_neighbours[peer].IsNew(now)).ToList();
        if (established.Count > 0)
        {
            AntiEntropyRounds++;
            StartRound(established[RandomIndex(established.Count)]);
        }
    }

    /// <summary>
    /// A message from a peer. What it makes us answer (digests, key lists, requests, items) is
    /// paced by the neighbour's byte budget, and while it is new held to three times what it sent
    /// (<see cref="GossipOptions.NewNeighbourAnswerFactor"/>); what does not fit waits.
    /// </summary>
    public void HandleMessage(DateTimeOffset now, HashAddress from, ReadOnlySpan<byte> bytes)
    {
        _now = Later(now);
        if (_neighbours.TryGetValue(from, out var sender))
        {
            sender.BytesReceived += bytes.Length;
            HandleNeighbourMessage(now, from, sender, bytes);
            DrainAnswers(_now, from, sender);
            return;
        }

        if (GossipCodec.TryDecode(bytes, out var message) && message is GossipMessage.Connect2Call connect)
            HandleConnect2Call(now, from, connect);
        else
            Drop(message is null ? GossipDropReason.MalformedMessage : GossipDropReason.NotNeighbour);
    }

    private LocalCallChange WriteLocalCall(DateTimeOffset now, CallListEntry entry)
    {
        var result = LocalCallChanged(now, entry);
        return result.IsAccepted ? new LocalCallChange.Written(entry) : new LocalCallChange.Refused($"the call list refused the entry ({result})");
    }

    private void StartRound(HashAddress peer)
    {
        Send(peer, Reconciler.RootDigest(GossipStore.AddressBook, AddressBook.Digest));
        Send(peer, Reconciler.RootDigest(GossipStore.CallList, CallList.Digest));
    }

    private void HandleRecords(DateTimeOffset now, HashAddress from, TokenBucket bucket, GossipMessage.Records records)
    {
        var accepted = new List<ReadOnlyMemory<byte>>();
        foreach (var item in records.Items)
        {
            var taken = records.Store == GossipStore.AddressBook
                ? OfferRecord(now, bucket, item.Span)
                : OfferCallEntry(now, from, bucket, item.Span);
            if (taken)
                accepted.Add(item);
        }

        if (records.Push && accepted.Count > 0)
            Push(records.Store, accepted, except: from);
    }

    private bool OfferRecord(DateTimeOffset now, TokenBucket bucket, ReadOnlySpan<byte> bytes)
    {
        if (!AddressBookRecordCodec.TryDecode(bytes, out var record))
            return Drop(GossipDropReason.MalformedItem);
        if (AddressBook.Lookup(record.Hash)?.Fingerprint == record.Fingerprint)
            return Drop(GossipDropReason.DuplicateItem);
        if (!bucket.TryTake(now))
            return Drop(GossipDropReason.RateLimited);
        if (!AddressBook.Offer(now, record).IsAccepted)
            return Drop(GossipDropReason.RejectedItem);
        _events.Enqueue(new GossipEvent.RecordLearned(record));
        return true;
    }

    private bool OfferCallEntry(DateTimeOffset now, HashAddress from, TokenBucket bucket, ReadOnlySpan<byte> bytes)
    {
        if (!CallListEntryCodec.TryDecode(bytes, out var entry))
            return Drop(GossipDropReason.MalformedItem);
        if (CallList.Lookup(entry.Key)?.Fingerprint == entry.Fingerprint)
            return Drop(GossipDropReason.DuplicateItem);
        if (!bucket.TryTake(now))
            return Drop(GossipDropReason.RateLimited);
        if (!CallList.Offer(now, entry).IsAccepted)
            return Drop(GossipDropReason.RejectedItem);
        _events.Enqueue(new GossipEvent.CallEntryLearned(entry));

        if (EndIfDeferred(now, entry))
            return true;
        if (entry.IsTombstone && (entry.Callee == Self || entry.Caller == Self))
            _events.Enqueue(new GossipEvent.CallEnded(entry));
        else if (!entry.IsTombstone && entry.Callee == Self)
        {
            if (entry.TryOpenInvite(_identity, out var invite))
                _events.Enqueue(new GossipEvent.CallFound(entry, invite, from));
            else
                Drop(GossipDropReason.UnreadableInvite);
        }

        return true;
    }

    private void HandleConnect2Call(DateTimeOffset now, HashAddress from, GossipMessage.Connect2Call connect)
    {
        var entry = connect.Caller == Self ? CallList.Lookup(CallListEntry.KeyOf(connect.Callee, Self, connect.CallId)) : null;
        var fresh = connect.Sent > now - Options.Connect2CallMaxSkew && connect.Sent < now + Options.Connect2CallMaxSkew;
        if (entry is null || !fresh || !connect.HasValidSignature())
        {
            Drop(GossipDropReason.InvalidConnect2Call);
            return;
        }

        _events.Enqueue(new GossipEvent.ConnectBackRequested(from, connect));
    }

    private void Push(GossipStore store, IReadOnlyList<ReadOnlyMemory<byte>> items, HashAddress? except)
    {
        if (!Options.PushEnabled)
            return;
        foreach (var message in Reconciler.PackRecords(store, push: true, items))
        {
            var bytes = GossipCodec.Encode(message);
            foreach (var peer in _neighbourOrder.Where(peer => peer != except))
                Enqueue(peer, bytes);
        }
    }

    private DigestTree TreeOf(GossipStore store) => store == GossipStore.AddressBook ? AddressBook.Digest : CallList.Digest;

    private void Send(HashAddress peer, GossipMessage message) => Enqueue(peer, GossipCodec.Encode(message));

    private void Enqueue(HashAddress peer, byte[] bytes)
    {
        MessagesSent++;
        BytesSent += bytes.Length;
        _outgoing.Enqueue(new OutgoingGossip(peer, bytes));
    }

    private bool Drop(GossipDropReason reason)
    {
        _drops[(int)reason]++;
        return false;
    }

    private TimeSpan NextInterval()
    {
        var jitter = (RandomFraction() * 2 - 1) * Options.AntiEntropyJitter;
        return Options.AntiEntropyInterval * (1 + jitter);
    }

    private int RandomIndex(int count) => (int)(RandomFraction() * count) % count;

    private double RandomFraction()
    {
        Span<byte> bytes = stackalloc byte[4];
        _random.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) / (uint.MaxValue + 1.0);
    }
}
