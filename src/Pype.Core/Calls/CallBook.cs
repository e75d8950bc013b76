using System.Buffers.Binary;
using Pype.Core.Identity;

namespace Pype.Core.Calls;

/// <summary>
/// Every call of one node, sans-IO: it is fed the peers' signalling messages, call-list
/// invites, the user's operations and timeouts, each with the time, and is drained of messages to
/// send (<see cref="PollSend"/>, each for one peer's encrypted session) and events
/// (<see cref="PollEvent"/>) after every input. It routes messages by (peer, call id): a call id is
/// the caller's choice and public in the call list, so another peer reusing it has a call of its
/// own and never reaches this one. It refuses a second
/// incoming call with Busy while another is ringing or active, merges a call seen both in the
/// call list and directly, and settles glare (docs/protocol/calls.md). Nothing a peer sends
/// makes it throw: bad input is dropped and counted.
/// </summary>
public sealed partial class CallBook
{
    /// <summary>
    /// The most calls remembered at once, ended ones included: a node takes one call at a time, so
    /// this only bounds what refused and replayed invites can make the book hold.
    /// </summary>
    public const int MaxCalls = 256;

    /// <summary>The most calls remembered with one peer: a peer's burst of invites costs this much and no more.</summary>
    public const int MaxCallsPerPeer = 8;

    /// <summary>
    /// The most calls strangers (peers that are not contacts) started that are remembered at once: the rest of <see cref="MaxCalls"/>
    /// is kept for contacts, so strangers' invites can never fill the book against them.
    /// </summary>
    public const int MaxStrangerCalls = 192;

    private readonly IRandomSource _random;
    private readonly CallOutbox _outbox = new();
    private readonly Dictionary<CallKey, CallSession> _calls = [];
    private readonly Dictionary<CallKey, DateTimeOffset> _glareLosers = [];

    public CallBook(HashAddress self, IRandomSource random, CallOptions? options = null)
    {
        Self = self;
        _random = random;
        Options = options ?? CallOptions.Default;
    }

    public HashAddress Self { get; }

    public CallOptions Options { get; }

    /// <summary>Calls still known here, ended ones included until they are forgotten.</summary>
    public IReadOnlyCollection<CallSession> Calls => _calls.Values;

    /// <summary>How many signalling messages were sent again for want of an acknowledgement.</summary>
    public long Retransmissions => _outbox.Retransmissions;

    /// <summary>The next time <see cref="HandleTimeout"/> has work to do, or null when nothing waits.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var call in _calls.Values)
            {
                Consider(ref next, call.IsSettled ? call.EndedAt!.Value + Options.EndedCallMemory : call.NextDeadline);
            }

            foreach (var seen in _glareLosers.Values)
            {
                Consider(ref next, seen + Options.EndedCallMemory);
            }

            return next;
        }
    }

    public long DropCount(CallDropReason reason) => _outbox.DropCount(reason);

    public OutgoingCallMessage? PollSend() => _outbox.Sends.TryDequeue(out var message) ? message : null;

    public CallEvent? PollEvent() => PollEvent(out _);

    /// <summary>The next event and the peer of the call that raised it (with the id, the key of that call).</summary>
    public CallEvent? PollEvent(out HashAddress peer)
    {
        if (_outbox.Events.TryDequeue(out var raised))
        {
            peer = raised.Peer;
            return raised.Event;
        }

        peer = default;
        return null;
    }

    /// <summary>The call with <paramref name="peer"/> named <paramref name="callId"/>.</summary>
    public CallSession? Find(HashAddress peer, UInt128 callId) => _calls.GetValueOrDefault(new CallKey(peer, callId));

    /// <summary>
    /// A call named by its id alone, for the user: the live one when several peers used the id (at
    /// most one is live: a second incoming call is refused busy, and our own ids are never in use),
    /// otherwise the latest to start.
    /// </summary>
    public CallSession? Find(UInt128 callId)
    {
        CallSession? found = null;
        foreach (var call in _calls.Values)
        {
            if (call.CallId == callId && (found is null || Later(call, found)))
            {
                found = call;
            }
        }

        return found;

        static bool Later(CallSession call, CallSession than) =>
            (call.State != CallState.Ended) != (than.State != CallState.Ended) ? call.State != CallState.Ended : call.StartedAt > than.StartedAt;
    }

    /// <summary>
    /// Calls <paramref name="peer"/> and returns the new call id. The owner also writes the
    /// call-list invite (its offer is <see cref="MediaOffer.Encode"/>) so a callee the invite cannot
    /// reach directly still finds it. If <paramref name="peer"/> is ringing us already, that call
    /// is answered instead and its id returned.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is this node.</exception>
    /// <exception cref="InvalidOperationException">There is no room for another call (<see cref="HasRoomFor"/>).</exception>
    public UInt128 Place(DateTimeOffset now, HashAddress peer, MediaOffer offer)
    {
        if (peer == Self)
        {
            throw new ArgumentException("a node cannot call itself", nameof(peer));
        }

        if (_calls.Values.FirstOrDefault(call => call.Peer == peer && call.Role == CallRole.Callee && call.State == CallState.Ringing && !call.IsAnswered) is { } ringing)
        {
            Answer(now, peer, ringing.CallId);
            return ringing.CallId;
        }

        if (!MakeRoom(peer, placedHere: true))
        {
            throw new InvalidOperationException("the call book is full: check HasRoomFor first");
        }

        var callId = NewCallId();
        _calls.Add(new CallKey(peer, callId), CallSession.Place(now, callId, peer, offer, Options, _outbox));
        return callId;
    }

    /// <summary>
    /// Whether another call with <paramref name="peer"/> fits within <see cref="MaxCalls"/> and
    /// <see cref="MaxCallsPerPeer"/>, counting ended calls that could be forgotten early to make room.
    /// </summary>
    public bool HasRoomFor(HashAddress peer) =>
        (CountWith(peer) < MaxCallsPerPeer || OldestSettled(call => call.Peer == peer) is not null)
        && (_calls.Count < MaxCalls || OldestSettled(_ => true) is not null);

    /// <summary>Answers a ringing incoming call with our limits and the SSRCs chosen when it arrived (<see cref="CallSession.PreparedAnswer"/>); false when there is none to answer.</summary>
    public bool Answer(DateTimeOffset now, HashAddress peer, UInt128 callId) => AnswerCall(now, Find(peer, callId));

    /// <summary>As <see cref="Answer(DateTimeOffset, HashAddress, UInt128)"/>, the call named by its id alone (<see cref="Find(UInt128)"/>).</summary>
    public bool Answer(DateTimeOffset now, UInt128 callId) => AnswerCall(now, Find(callId));

    private static bool AnswerCall(DateTimeOffset now, CallSession? call) => call?.PreparedAnswer is { } answer && call.Answer(now, answer);

    /// <summary>Declines a ringing incoming call; false when there is none to decline.</summary>
    public bool Reject(DateTimeOffset now, HashAddress peer, UInt128 callId) => Find(peer, callId) is { } call && call.Reject(now);

    public bool Reject(DateTimeOffset now, UInt128 callId) => Find(callId) is { } call && call.Reject(now);

    /// <summary>Ends a call in any state but ended; false when there is none.</summary>
    public bool HangUp(DateTimeOffset now, HashAddress peer, UInt128 callId) => Find(peer, callId) is { } call && call.HangUp(now);

    public bool HangUp(DateTimeOffset now, UInt128 callId) => Find(callId) is { } call && call.HangUp(now);

    /// <summary>A signalling message from <paramref name="from"/>'s encrypted session.</summary>
    public void Handle(DateTimeOffset now, HashAddress from, ReadOnlySpan<byte> bytes)
    {
        if (!CallMessageCodec.TryDecode(bytes, out var message))
        {
            _outbox.Drop(CallDropReason.Malformed);
            return;
        }

        var key = new CallKey(from, message.CallId);
        if (message is CallMessage.Invite invite && !_calls.ContainsKey(key) && !_glareLosers.ContainsKey(key))
        {
            Offered(now, from, invite.CallId, invite.Offer, IncomingCallSource.Direct);
        }
        else if (_glareLosers.ContainsKey(key))
        {
            _outbox.Drop(CallDropReason.GlareLost);
        }
        else if (_calls.TryGetValue(key, out var call))
        {
            call.Handle(now, message);
        }
        else
        {
            // Not this peer's call: one with that id may be another peer's, which it cannot touch.
            _outbox.Drop(Find(message.CallId) is null ? CallDropReason.UnknownCall : CallDropReason.WrongPeer);
        }
    }

    /// <summary>
    /// A call for us found in the call list (its invite opened, its offer decoded). The Ringing it
    /// answers with is for the caller: the owner connects back to send it. The same call arriving
    /// directly, before or after, rings only once.
    /// </summary>
    public void IncomingFromCallList(DateTimeOffset now, UInt128 callId, HashAddress caller, MediaOffer offer)
    {
        var key = new CallKey(caller, callId);
        if (_glareLosers.ContainsKey(key) || _calls.ContainsKey(key))
        {
            return;
        }

        Offered(now, caller, callId, offer, IncomingCallSource.CallList);
    }

    /// <summary>
    /// The peer ended the call in the call list (a tombstone signed by <paramref name="signer"/>):
    /// a caller that gave up before the callee connected back, or a callee that declined without a
    /// session. Ends the call without a word to the peer, which already knows. Answered tombstones
    /// change nothing here: the accept itself travels directly. False when nothing changed.
    /// </summary>
    public bool EndedInCallList(DateTimeOffset now, UInt128 callId, HashAddress signer, Replication.CallEntryKind kind)
    {
        if (kind is not (Replication.CallEntryKind.Rejected or Replication.CallEntryKind.HungUp)
            || !_calls.TryGetValue(new CallKey(signer, callId), out var call))
        {
            return false;
        }

        var reason = kind == Replication.CallEntryKind.Rejected && call.Role == CallRole.Caller ? CallEndReason.Rejected : CallEndReason.HungUpRemote;
        return call.EndedByPeer(now, reason);
    }

    /// <summary>
    /// The encrypted session with <paramref name="peer"/> is gone. Established calls with it end
    /// (nothing can reach the peer to say so); calls still being set up keep retrying, since the
    /// owner may reconnect, and give up on their own timers.
    /// </summary>
    public void LinkLost(DateTimeOffset now, HashAddress peer)
    {
        foreach (var call in _calls.Values.Where(call => call.Peer == peer && call.State == CallState.Established).ToList())
        {
            call.EndedByPeer(now, CallEndReason.ConnectionLost);
        }
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        foreach (var call in _calls.Values.ToList())
        {
            call.HandleTimeout(now);
            if (call.IsSettled && now >= call.EndedAt!.Value + Options.EndedCallMemory)
            {
                _calls.Remove(new CallKey(call.Peer, call.CallId));
            }
        }

        foreach (var (key, seen) in _glareLosers.ToList())
        {
            if (now >= seen + Options.EndedCallMemory)
            {
                _glareLosers.Remove(key);
            }
        }
    }

    /// <summary>
    /// Glare order: the call with the smaller (caller hash, call id), compared as unsigned
    /// big-endian bytes, wins. Both sides compute the same answer.
    /// </summary>
    public static bool WinsGlare(HashAddress caller, UInt128 callId, HashAddress otherCaller, UInt128 otherCallId)
    {
        Span<byte> mine = stackalloc byte[HashAddress.Length + 16];
        Span<byte> theirs = stackalloc byte[HashAddress.Length + 16];
        caller.CopyTo(mine);
        BinaryPrimitives.WriteUInt128BigEndian(mine[HashAddress.Length..], callId);
        otherCaller.CopyTo(theirs);
        BinaryPrimitives.WriteUInt128BigEndian(theirs[HashAddress.Length..], otherCallId);
        return mine.SequenceCompareTo(theirs) < 0;
    }

    private MediaOffer AnswerTo(MediaOffer offer)
    {
        var videoSsrc = NewSsrc(offer);
        uint audioSsrc;
        do
        {
            audioSsrc = NewSsrc(offer);
        }
        while (audioSsrc == videoSsrc);
        return offer.AnswerWith(Options.LocalLimits, videoSsrc, audioSsrc);
    }

    private uint NewSsrc(MediaOffer offer)
    {
        Span<byte> bytes = stackalloc byte[4];
        uint ssrc;
        do
        {
            _random.Fill(bytes);
            ssrc = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
        while (ssrc == 0 || ssrc == offer.VideoSsrc || ssrc == offer.AudioSsrc);
        return ssrc;
    }

    private UInt128 NewCallId()
    {
        Span<byte> bytes = stackalloc byte[16];
        UInt128 callId;
        do
        {
            _random.Fill(bytes);
            callId = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }
        while (callId == UInt128.Zero || InUse(callId));
        return callId;
    }

    private static void Consider(ref DateTimeOffset? next, DateTimeOffset? candidate)
    {
        if (candidate is { } at && (next is null || at < next))
        {
            next = at;
        }
    }
}
