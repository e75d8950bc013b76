using Pype.Core.Identity;

namespace Pype.Core.Calls;

/// <summary>
/// Which incoming calls the book takes and what it forgets to make room: each peer holds at most
/// <see cref="MaxCallsPerPeer"/> calls, strangers together at most <see cref="MaxStrangerCalls"/>,
/// and a contact's call may push out a stranger's ended one, or ring in place of a stranger's
/// call that rings unanswered, so no number of strangers' invites keeps a contact's call out.
/// </summary>
public sealed partial class CallBook
{
    private HashSet<HashAddress> _contacts = [];

    /// <summary>The peers counted as contacts from now on; everyone else is a stranger.</summary>
    public void SetContacts(IEnumerable<HashAddress> contacts) => _contacts = [.. contacts];

    public bool IsContact(HashAddress peer) => _contacts.Contains(peer);

    private void Offered(DateTimeOffset now, HashAddress caller, UInt128 callId, MediaOffer offer, IncomingCallSource source)
    {
        if (caller == Self)
        {
            _outbox.Drop(CallDropReason.UnexpectedMessage);
            return;
        }

        if (!MakeRoom(caller, placedHere: false))
        {
            return;
        }

        var key = new CallKey(caller, callId);
        if (!offer.IsSupported)
        {
            _calls.Add(key, CallSession.Refused(now, callId, caller, offer, source, RejectReason.Unsupported, Options, _outbox));
            return;
        }

        var ours = _calls.Values.FirstOrDefault(call => call.Peer == caller && call.Role == CallRole.Caller && call.State is CallState.Calling or CallState.Ringing);
        if (ours is not null)
        {
            ResolveGlare(now, ours, caller, callId, offer, source);
            return;
        }

        if (IsContact(caller))
        {
            GiveWayToContact(now);
        }

        if (_calls.Values.Any(call => call.State != CallState.Ended))
        {
            _calls.Add(key, CallSession.Refused(now, callId, caller, offer, source, RejectReason.Busy, Options, _outbox));
        }
        else
        {
            _calls.Add(key, CallSession.Incoming(now, callId, caller, offer, AnswerTo(offer), source, Options, _outbox));
        }
    }

    /// <summary>
    /// A contact calls while the only live calls are strangers' calls ringing unanswered here (an
    /// invite anyone can send to keep us busy): they are refused busy, and the contact's call rings.
    /// </summary>
    private void GiveWayToContact(DateTimeOffset now)
    {
        var live = _calls.Values.Where(call => call.State != CallState.Ended).ToList();
        if (live.Count == 0 || !live.All(call => !IsContact(call.Peer) && call.Role == CallRole.Callee && call.State == CallState.Ringing && !call.IsAnswered))
        {
            return;
        }

        foreach (var call in live)
        {
            call.GiveWay(now);
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

            _glareLosers[new CallKey(caller, callId)] = now;
            _outbox.Drop(CallDropReason.GlareLost);
            return;
        }

        ours.Supersede(now, callId);
        _calls.Add(new CallKey(caller, callId), CallSession.AnsweredOnGlare(now, ours.StartedAt, callId, caller, offer, AnswerTo(offer), source, Options, _outbox));
    }

    /// <summary>
    /// Makes room for a call with <paramref name="peer"/> by forgetting the longest-ended call (the
    /// peer's own first, when it is the peer that is over its share); counts the drop when all are
    /// live. A stranger's incoming call also keeps within the strangers' share (calls strangers started); a contact's may push
    /// out a stranger's call that ended but still waits for its last message to be acknowledged.
    /// Calls placed here are the user's choice and count against the total only.
    /// </summary>
    private bool MakeRoom(HashAddress peer, bool placedHere)
    {
        if (CountWith(peer) >= MaxCallsPerPeer && !Forget(OldestSettled(call => call.Peer == peer)))
        {
            _outbox.Drop(CallDropReason.TooManyCallsWithPeer);
            return false;
        }

        var contact = placedHere || IsContact(peer);
        if (!contact && _calls.Values.Count(IsStrangersCall) >= MaxStrangerCalls && !Forget(OldestSettled(IsStrangersCall)))
        {
            _outbox.Drop(CallDropReason.TooManyStrangerCalls);
            return false;
        }

        if (_calls.Count >= MaxCalls && !Forget(OldestSettled(_ => true))
            && !(contact && Forget(OldestEnded(call => !IsContact(call.Peer)))))
        {
            _outbox.Drop(CallDropReason.TooManyCalls);
            return false;
        }

        return true;
    }

    /// <summary>A call a stranger started: what hostile invites make the book hold.</summary>
    private bool IsStrangersCall(CallSession call) => call.Role == CallRole.Callee && !IsContact(call.Peer);

    private int CountWith(HashAddress peer) => _calls.Values.Count(call => call.Peer == peer);

    private CallSession? OldestSettled(Func<CallSession, bool> which) =>
        _calls.Values.Where(call => call.IsSettled && which(call)).MinBy(call => call.EndedAt);

    private CallSession? OldestEnded(Func<CallSession, bool> which) =>
        _calls.Values.Where(call => call.State == CallState.Ended && which(call)).MinBy(call => call.EndedAt);

    private bool Forget(CallSession? call) => call is not null && _calls.Remove(new CallKey(call.Peer, call.CallId));

    /// <summary>Whether any peer's call (or glare loser) has this id: ours are drawn unlike every id remembered.</summary>
    private bool InUse(UInt128 callId) =>
        _calls.Keys.Any(key => key.CallId == callId) || _glareLosers.Keys.Any(key => key.CallId == callId);
}

/// <summary>What names a call in a <see cref="CallBook"/>: its peer and the id its caller drew.</summary>
public readonly record struct CallKey(HashAddress Peer, UInt128 CallId);
