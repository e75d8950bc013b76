using System.Buffers.Binary;
using Pype.Core.Identity;

namespace Pype.Core.Calls;

/// <summary>
/// Every call of one node, sans-IO: it is fed the peers' signalling messages, call-list
/// invites, the user's operations and timeouts, each with the time, and is drained of messages to
/// send (<see cref="PollSend"/>, each for one peer's encrypted session) and events
/// (<see cref="PollEvent"/>) after every input. It routes messages by call id, refuses a second
/// incoming call with Busy while another is ringing or active, merges a call seen both in the
/// call list and directly, and settles glare (docs/protocol/calls.md). Nothing a peer sends
/// makes it throw: bad input is dropped and counted.
/// </summary>
public sealed class CallBook
{
    /// <summary>
    /// The most calls remembered at once, ended ones included: a node takes one call at a time, so
    /// this only bounds what refused and replayed invites can make the book hold.
    /// </summary>
    public const int MaxCalls = 256;

    /// <summary>The most calls remembered with one peer: a peer's burst of invites costs this much and no more.</summary>
    public const int MaxCallsPerPeer = 8;

    private readonly IRandomSource _random;
    private readonly CallOutbox _outbox = new();
    private readonly Dictionary<UInt128, CallSession> _calls = [];
    private readonly Dictionary<UInt128, DateTimeOffset> _glareLosers = [];

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

    public CallEvent? PollEvent() => _outbox.Events.TryDequeue(out var callEvent) ? callEvent : null;

    public CallSession? Find(UInt128 callId) => _calls.GetValueOrDefault(callId);

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
            Answer(now, ringing.CallId);
            return ringing.CallId;
        }

        if (!MakeRoom(peer))
        {
            throw new InvalidOperationException("the call book is full: check HasRoomFor first");
        }

        var callId = NewCallId();
        _calls.Add(callId, CallSession.Place(now, callId, peer, offer, Options, _outbox));
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
    public bool Answer(DateTimeOffset now, UInt128 callId) =>
        _calls.TryGetValue(callId, out var call) && call.PreparedAnswer is { } answer && call.Answer(now, answer);

    /// <summary>Declines a ringing incoming call; false when there is none to decline.</summary>
    public bool Reject(DateTimeOffset now, UInt128 callId) => _calls.TryGetValue(callId, out var call) && call.Reject(now);

    /// <summary>Ends a call in any state but ended; false when there is none.</summary>
    public bool HangUp(DateTimeOffset now, UInt128 callId) => _calls.TryGetValue(callId, out var call) && call.HangUp(now);

    /// <summary>A signalling message from <paramref name="from"/>'s encrypted session.</summary>
    public void Handle(DateTimeOffset now, HashAddress from, ReadOnlySpan<byte> bytes)
    {
        if (!CallMessageCodec.TryDecode(bytes, out var message))
        {
            _outbox.Drop(CallDropReason.Malformed);
            return;
        }

        if (message is CallMessage.Invite invite && !_calls.ContainsKey(invite.CallId))
        {
            Offered(now, from, invite.CallId, invite.Offer, IncomingCallSource.Direct);
        }
        else if (_glareLosers.ContainsKey(message.CallId))
        {
            _outbox.Drop(CallDropReason.GlareLost);
        }
        else if (!_calls.TryGetValue(message.CallId, out var call))
        {
            _outbox.Drop(CallDropReason.UnknownCall);
        }
        else if (call.Peer != from)
        {
            _outbox.Drop(CallDropReason.WrongPeer);
        }
        else
        {
            call.Handle(now, message);
        }
    }

    /// <summary>
    /// A call for us found in the call list (its invite opened, its offer decoded). The Ringing it
    /// answers with is for the caller: the owner connects back to send it. The same call arriving
    /// directly, before or after, rings only once.
    /// </summary>
    public void IncomingFromCallList(DateTimeOffset now, UInt128 callId, HashAddress caller, MediaOffer offer)
    {
        if (_glareLosers.ContainsKey(callId))
        {
            return;
        }

        if (_calls.TryGetValue(callId, out var known))
        {
            if (known.Peer != caller)
            {
                _outbox.Drop(CallDropReason.WrongPeer);
            }

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
            || !_calls.TryGetValue(callId, out var call) || call.Peer != signer)
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
                _calls.Remove(call.CallId);
            }
        }

        foreach (var (callId, seen) in _glareLosers.ToList())
        {
            if (now >= seen + Options.EndedCallMemory)
            {
                _glareLosers.Remove(callId);
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

    private void Offered(DateTimeOffset now, HashAddress caller, UInt128 callId, MediaOffer offer, IncomingCallSource source)
    {
        if (caller == Self)
        {
            _outbox.Drop(CallDropReason.UnexpectedMessage);
            return;
        }

        if (!MakeRoom(caller))
        {
            return;
        }

        if (!offer.IsSupported)
        {
            _calls.Add(callId, CallSession.Refused(now, callId, caller, offer, source, RejectReason.Unsupported, Options, _outbox));
            return;
        }

        var ours = _calls.Values.FirstOrDefault(call => call.Peer == caller && call.Role == CallRole.Caller && call.State is CallState.Calling or CallState.Ringing);
        if (ours is not null)
        {
            ResolveGlare(now, ours, caller, callId, offer, source);
        }
        else if (_calls.Values.Any(call => call.State != CallState.Ended))
        {
            _calls.Add(callId, CallSession.Refused(now, callId, caller, offer, source, RejectReason.Busy, Options, _outbox));
        }
        else
        {
            _calls.Add(callId, CallSession.Incoming(now, callId, caller, offer, AnswerTo(offer), source, Options, _outbox));
        }
    }

    /// <summary>
    /// We call <paramref name="caller"/> while it calls us. The winner proceeds; the loser's
    /// invite is ignored without a word on the winner's side, and on the loser's side its own call
    /// gives way and the winner's is answered at once.
    /// </summary>
    private void ResolveGlare(DateTimeOffset now, CallSession ours, HashAddress caller, UInt128 callId, MediaOffer offer, IncomingCallSource source)
    {
        if (WinsGlare(Self, ours.CallId, caller, callId))
        {
            if (_glareLosers.Count >= MaxCalls)
            {
                _glareLosers.Remove(_glareLosers.MinBy(loser => loser.Value).Key);
            }

            _glareLosers[callId] = now;
            _outbox.Drop(CallDropReason.GlareLost);
            return;
        }

        ours.Supersede(now, callId);
        _calls.Add(callId, CallSession.AnsweredOnGlare(now, ours.StartedAt, callId, caller, offer, AnswerTo(offer), source, Options, _outbox));
    }

    /// <summary>
    /// Makes room for a call with <paramref name="peer"/> by forgetting the longest-ended call (the
    /// peer's own first, when it is the peer that is over its share); counts the drop when all are live.
    /// </summary>
    private bool MakeRoom(HashAddress peer)
    {
        if (CountWith(peer) >= MaxCallsPerPeer && !Forget(OldestSettled(call => call.Peer == peer)))
        {
            _outbox.Drop(CallDropReason.TooManyCallsWithPeer);
            return false;
        }

        if (_calls.Count >= MaxCalls && !Forget(OldestSettled(_ => true)))
        {
            _outbox.Drop(CallDropReason.TooManyCalls);
            return false;
        }

        return true;
    }

    private int CountWith(HashAddress peer) => _calls.Values.Count(call => call.Peer == peer);

    private CallSession? OldestSettled(Func<CallSession, bool> which) =>
        _calls.Values.Where(call => call.IsSettled && which(call)).MinBy(call => call.EndedAt);

    private bool Forget(CallSession? call) => call is not null && _calls.Remove(call.CallId);

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
        while (callId == UInt128.Zero || _calls.ContainsKey(callId) || _glareLosers.ContainsKey(callId));
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
