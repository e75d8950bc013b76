using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Calls;

/// <summary>
/// Every call of one node, sans-IO: places, rings, answers, rejects and hangs up calls over
/// messages that may be lost (each unconfirmed message is repeated with back-off), rejects a
/// second call with Busy, and resolves glare (both sides calling each other at once) the same
/// way on both sides: the call whose caller has the smaller hash goes ahead and the other side
/// answers it at once, since its user wanted that conversation too.
/// </summary>
public sealed class CallBook(HashAddress self, CallOptions? options = null)
{
    private sealed class Call(UInt128 id, HashAddress peer, CallRole role, DateTimeOffset startedAt, byte[] offer)
    {
        public UInt128 Id { get; } = id;
        public HashAddress Peer { get; } = peer;
        public CallRole Role { get; } = role;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public byte[] Offer { get; } = offer;
        public byte[] Answer { get; set; } = [];
        public CallState State { get; set; } = role == CallRole.Caller ? CallState.Calling : CallState.Ringing;
        public CallMessage? Unconfirmed { get; set; }
        public DateTimeOffset RetransmitAt { get; set; }
        public TimeSpan RetransmitGap { get; set; }
        public DateTimeOffset UnconfirmedSince { get; set; }
        public DateTimeOffset LastHeardAt { get; set; } = startedAt;
        public DateTimeOffset EndedAt { get; set; }
    }

    private readonly CallOptions options = options ?? CallOptions.Default;
    private readonly Dictionary<UInt128, Call> calls = [];
    private readonly Queue<OutgoingCallMessage> outgoing = new();
    private readonly Queue<CallEvent> events = new();
    private readonly long[] drops = new long[Enum.GetValues<CallDropReason>().Length];

    public OutgoingCallMessage? PollSend() => outgoing.TryDequeue(out var message) ? message : null;

    public CallEvent? PollEvent() => events.TryDequeue(out var callEvent) ? callEvent : null;

    public long DropCount(CallDropReason reason) => drops[(int)reason];

    /// <summary>The call that is not over yet, if any (a node takes one call at a time).</summary>
    public (UInt128 Id, HashAddress Peer, CallRole Role, CallState State)? Active =>
        calls.Values.FirstOrDefault(c => c.State != CallState.Ended) is { } call ? (call.Id, call.Peer, call.Role, call.State) : null;

    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var call in calls.Values)
                foreach (var at in Deadlines(call))
                    if (next is null || at < next) next = at;
            return next;
        }
    }

    /// <summary>Calls <paramref name="peer"/>; false when another call is still going on.</summary>
    public bool Place(DateTimeOffset now, HashAddress peer, UInt128 callId, byte[] offer)
    {
        if (Active is not null || calls.ContainsKey(callId) || peer == self) return false;
        var call = new Call(callId, peer, CallRole.Caller, now, offer);
        calls[callId] = call;
        SendConfirmed(now, call, new CallMessage.Invite(callId, offer));
        return true;
    }

    public bool Answer(DateTimeOffset now, UInt128 callId, byte[] answer)
    {
        if (!calls.TryGetValue(callId, out var call) || call.Role != CallRole.Callee || call.State != CallState.Ringing) return false;
        Establish(now, call, answer);
        SendConfirmed(now, call, new CallMessage.Accept(callId, answer));
        return true;
    }

    public bool Reject(DateTimeOffset now, UInt128 callId)
    {
        if (!calls.TryGetValue(callId, out var call) || call.Role != CallRole.Callee || call.State != CallState.Ringing) return false;
        End(now, call, CallEndReason.Rejected);
        SendConfirmed(now, call, new CallMessage.Reject(callId, RejectReason.Declined));
        return true;
    }

    public bool HangUp(DateTimeOffset now, UInt128 callId)
    {
        if (!calls.TryGetValue(callId, out var call) || call.State == CallState.Ended) return false;
        End(now, call, CallEndReason.HungUpLocally);
        SendConfirmed(now, call, new CallMessage.HangUp(callId, HangUpReason.Normal));
        return true;
    }

    public void HandleMessage(DateTimeOffset now, HashAddress from, ReadOnlySpan<byte> bytes)
    {
        if (CallMessageCodec.Decode(bytes) is not { } message)
        {
            Drop(CallDropReason.Malformed);
            return;
        }
        if (!calls.TryGetValue(message.CallId, out var call))
        {
            if (message is CallMessage.Invite invite) OnNewInvite(now, from, invite);
            else if (message is CallMessage.HangUp or CallMessage.Reject or CallMessage.Accept)
                Send(from, new CallMessage.Ack(message.CallId, TypeOf(message))); // its sender may be waiting for that
            else Drop(CallDropReason.UnknownCall);
            return;
        }
        if (call.Peer != from)
        {
            Drop(CallDropReason.WrongPeer);
            return;
        }
        call.LastHeardAt = now;
        switch (message)
        {
            case CallMessage.Invite when call.Role == CallRole.Callee:
                if (call.State == CallState.Ringing) Send(from, new CallMessage.Ringing(call.Id));
                else if (call.Unconfirmed is { } pending) Send(from, pending); // our answer was lost
                break;
            case CallMessage.Ringing when call.Role == CallRole.Caller && call.State == CallState.Calling:
                call.State = CallState.Ringing;
                ConfirmUnconfirmed(call, SessionMessageType.CallInvite);
                events.Enqueue(new CallEvent.RingingAtPeer(call.Id, call.Peer));
                break;
            case CallMessage.Accept accept when call.Role == CallRole.Caller:
                Send(from, new CallMessage.Ack(call.Id, SessionMessageType.CallAccept));
                if (call.State is CallState.Calling or CallState.Ringing)
                {
                    call.Unconfirmed = null;
                    Establish(now, call, accept.Answer);
                }
                break;
            case CallMessage.Reject reject when call.Role == CallRole.Caller:
                Send(from, new CallMessage.Ack(call.Id, SessionMessageType.CallReject));
                if (call.State != CallState.Ended)
                {
                    call.Unconfirmed = null;
                    End(now, call, reject.Reason switch
                    {
                        RejectReason.Busy => CallEndReason.Busy,
                        RejectReason.Unsupported => CallEndReason.Unsupported,
                        _ => CallEndReason.Rejected,
                    });
                }
                break;
            case CallMessage.HangUp:
                Send(from, new CallMessage.Ack(call.Id, SessionMessageType.CallHangUp));
                if (call.State != CallState.Ended)
                {
                    call.Unconfirmed = null;
                    End(now, call, CallEndReason.HungUpRemotely);
                }
                break;
            case CallMessage.Ack ack:
                ConfirmUnconfirmed(call, ack.Acknowledged);
                break;
            default:
                Drop(CallDropReason.UnexpectedMessage);
                break;
        }
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        foreach (var call in calls.Values.ToList())
        {
            if (call.State == CallState.Ended && call.Unconfirmed is null && now >= call.EndedAt + options.EndedCallMemory)
            {
                calls.Remove(call.Id);
                continue;
            }
            if (call.State is CallState.Calling or CallState.Ringing && now >= call.StartedAt + options.RingingTimeout)
            {
                End(now, call, CallEndReason.RingingTimedOut);
                if (call.Role == CallRole.Caller) SendConfirmed(now, call, new CallMessage.HangUp(call.Id, HangUpReason.RingingTimedOut));
                else call.Unconfirmed = null;
                continue;
            }
            if (call.State == CallState.Calling && now >= call.LastHeardAt + options.PeerSilenceLimit)
            {
                call.Unconfirmed = null;
                End(now, call, CallEndReason.PeerSilent);
                continue;
            }
            if (call.Unconfirmed is { } pending && now >= call.RetransmitAt)
            {
                if (call.State == CallState.Ended && now >= call.UnconfirmedSince + options.PeerSilenceLimit)
                {
                    call.Unconfirmed = null; // the peer is gone; stop repeating our goodbye
                    continue;
                }
                Send(call.Peer, pending);
                call.RetransmitGap = TimeSpan.FromTicks(Math.Min(call.RetransmitGap.Ticks * 2, options.MaxRetransmitInterval.Ticks));
                call.RetransmitAt = now + call.RetransmitGap;
            }
        }
    }

    private void OnNewInvite(DateTimeOffset now, HashAddress from, CallMessage.Invite invite)
    {
        var active = calls.Values.FirstOrDefault(c => c.State != CallState.Ended);
        if (active is { Role: CallRole.Caller, State: CallState.Calling or CallState.Ringing } && active.Peer == from)
        {
            // Glare: both called each other. The caller with the smaller hash goes ahead.
            if (string.CompareOrdinal(self.ToString(), from.ToString()) < 0)
            {
                Drop(CallDropReason.GlareLost);
                return;
            }
            calls.Remove(active.Id);
            var incoming = new Call(invite.CallId, from, CallRole.Callee, active.StartedAt, invite.Offer);
            calls[invite.CallId] = incoming;
            Answer(now, invite.CallId, active.Offer);
            return;
        }
        var call = new Call(invite.CallId, from, CallRole.Callee, now, invite.Offer);
        calls[invite.CallId] = call;
        if (active is not null)
        {
            End(now, call, CallEndReason.Busy, raise: false);
            SendConfirmed(now, call, new CallMessage.Reject(invite.CallId, RejectReason.Busy));
            return;
        }
        Send(from, new CallMessage.Ringing(invite.CallId));
        events.Enqueue(new CallEvent.Incoming(invite.CallId, from, invite.Offer));
    }

    private void Establish(DateTimeOffset now, Call call, byte[] answer)
    {
        call.State = CallState.Established;
        call.Answer = answer;
        events.Enqueue(new CallEvent.Established(call.Id, call.Peer, now - call.StartedAt, call.Offer, answer));
    }

    private void End(DateTimeOffset now, Call call, CallEndReason reason, bool raise = true)
    {
        call.State = CallState.Ended;
        call.EndedAt = now;
        if (raise) events.Enqueue(new CallEvent.Ended(call.Id, call.Peer, reason));
    }

    private void SendConfirmed(DateTimeOffset now, Call call, CallMessage message)
    {
        call.Unconfirmed = message;
        call.UnconfirmedSince = now;
        call.RetransmitGap = options.InitialRetransmitInterval;
        call.RetransmitAt = now + call.RetransmitGap;
        Send(call.Peer, message);
    }

    private static void ConfirmUnconfirmed(Call call, SessionMessageType acknowledged)
    {
        if (call.Unconfirmed is { } pending && TypeOf(pending) == acknowledged) call.Unconfirmed = null;
    }

    private IEnumerable<DateTimeOffset> Deadlines(Call call)
    {
        if (call.Unconfirmed is not null) yield return call.RetransmitAt;
        if (call.State is CallState.Calling or CallState.Ringing) yield return call.StartedAt + options.RingingTimeout;
        if (call.State == CallState.Calling) yield return call.LastHeardAt + options.PeerSilenceLimit;
        if (call.State == CallState.Ended && call.Unconfirmed is null) yield return call.EndedAt + options.EndedCallMemory;
    }

    private void Send(HashAddress peer, CallMessage message) => outgoing.Enqueue(new OutgoingCallMessage(peer, CallMessageCodec.Encode(message)));

    private void Drop(CallDropReason reason) => drops[(int)reason]++;

    private static SessionMessageType TypeOf(CallMessage message) => (SessionMessageType)CallMessageCodec.Encode(message)[0];
}
