using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Calls;

/// <summary>
/// One call, as caller or callee: its state, the message it waits to have acknowledged and its
/// timers. A <see cref="CallBook"/> creates it, routes the peer's messages to it and drives its
/// timers; its messages and events go to the book's queues.
/// </summary>
/// <remarks>
/// Caller: Calling → Ringing (the callee rang) → Established (the callee accepted). Callee:
/// Ringing → Established (its accept was acknowledged). Either: → Ended with a reason. An ended
/// side keeps retransmitting its last message (Reject or HangUp) until acknowledged or the peer
/// falls silent, and acknowledges late messages without acting on them.
/// </remarks>
public sealed class CallSession
{
    private readonly CallOptions _options;
    private readonly CallOutbox _outbox;
    private ReliableSend? _pending;
    private DateTimeOffset? _lastHeard;
    private DateTimeOffset? _ringingDeadline;
    private bool _answered;
    private bool _directSeen;

    private CallSession(UInt128 callId, HashAddress peer, CallRole role, DateTimeOffset startedAt, CallOptions options, CallOutbox outbox)
    {
        CallId = callId;
        Peer = peer;
        Role = role;
        StartedAt = startedAt;
        _options = options;
        _outbox = outbox;
    }

    public UInt128 CallId { get; }

    public HashAddress Peer { get; }

    public CallRole Role { get; }

    public CallState State { get; private set; }

    /// <summary>When this side started: the caller placed it, or the callee first saw it (or, after glare, placed its own).</summary>
    public DateTimeOffset StartedAt { get; }

    public IncomingCallSource? Source { get; private init; }

    public MediaOffer? LocalMedia { get; private set; }

    public MediaOffer? RemoteMedia { get; private set; }

    /// <summary>
    /// The callee's answer, chosen when the call arrives rather than when the user answers, so
    /// that media can be prepared with its SSRCs while the call rings; sent by <c>CallBook.Answer</c>.
    /// </summary>
    public MediaOffer? PreparedAnswer { get; private init; }

    public CallEndReason? EndReason { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>True once this side (the callee) answered, acknowledged or not.</summary>
    public bool IsAnswered => _answered;

    internal bool IsSettled => State == CallState.Ended && _pending is null;

    /// <summary>The next time <see cref="HandleTimeout"/> has work to do here, or null.</summary>
    internal DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            if (_pending is not null)
            {
                next = Earliest(_pending.NextRetransmit, GiveUpAt());
            }

            if (_ringingDeadline is { } ringing)
            {
                next = next is { } n ? Earliest(n, ringing) : ringing;
            }

            return next;
        }
    }

    internal static CallSession Place(DateTimeOffset now, UInt128 callId, HashAddress peer, MediaOffer offer, CallOptions options, CallOutbox outbox)
    {
        var call = new CallSession(callId, peer, CallRole.Caller, now, options, outbox) { LocalMedia = offer };
        call._ringingDeadline = now + options.RingingTimeout;
        call.SendReliable(now, new CallMessage.Invite(callId, offer));
        return call;
    }

    /// <summary>A new incoming call: raises IncomingCall and rings (the owner alerts its user).</summary>
    internal static CallSession Incoming(DateTimeOffset now, UInt128 callId, HashAddress caller, MediaOffer offer, MediaOffer answer, IncomingCallSource source, CallOptions options, CallOutbox outbox)
    {
        var call = NewCallee(now, now, callId, caller, offer, source, options, outbox, answer);
        call.State = CallState.Ringing;
        call._ringingDeadline = now + options.RingingTimeout;
        outbox.Raise(caller, new CallEvent.IncomingCall(callId, caller, source, offer));
        call.SendReliable(now, new CallMessage.Ringing(callId));
        return call;
    }

    /// <summary>An incoming call refused at once (busy, unsupported): no event, only the Reject.</summary>
    internal static CallSession Refused(DateTimeOffset now, UInt128 callId, HashAddress caller, MediaOffer offer, IncomingCallSource source, RejectReason reason, CallOptions options, CallOutbox outbox)
    {
        var call = NewCallee(now, now, callId, caller, offer, source, options, outbox);
        call.State = CallState.Ended;
        call.EndReason = reason == RejectReason.Busy ? CallEndReason.Busy : CallEndReason.Unsupported;
        call.EndedAt = now;
        call.SendReliable(now, new CallMessage.Reject(callId, reason));
        return call;
    }

    /// <summary>Glare: the peer's call won over ours, so it is answered at once and timed from when we placed ours.</summary>
    internal static CallSession AnsweredOnGlare(DateTimeOffset now, DateTimeOffset startedAt, UInt128 callId, HashAddress caller, MediaOffer offer, MediaOffer answer, IncomingCallSource source, CallOptions options, CallOutbox outbox)
    {
        var call = NewCallee(now, startedAt, callId, caller, offer, source, options, outbox);
        call.State = CallState.Ringing;
        call.SendAccept(now, answer);
        return call;
    }

    private static CallSession NewCallee(DateTimeOffset now, DateTimeOffset startedAt, UInt128 callId, HashAddress caller, MediaOffer offer, IncomingCallSource source, CallOptions options, CallOutbox outbox, MediaOffer? answer = null) =>
        new(callId, caller, CallRole.Callee, startedAt, options, outbox)
        {
            RemoteMedia = offer,
            PreparedAnswer = answer,
            Source = source,
            _lastHeard = source == IncomingCallSource.Direct ? now : null,
        };

    internal bool Answer(DateTimeOffset now, MediaOffer answer)
    {
        if (Role != CallRole.Callee || State != CallState.Ringing || _answered)
        {
            return false;
        }

        SendAccept(now, answer);
        return true;
    }

    internal bool Reject(DateTimeOffset now)
    {
        if (Role != CallRole.Callee || State != CallState.Ringing || _answered)
        {
            return false;
        }

        SendReliable(now, new CallMessage.Reject(CallId, RejectReason.Declined));
        End(now, CallEndReason.Rejected);
        return true;
    }

    /// <summary>A stranger's ringing call gives way to a contact's: refused busy, as if it had come second.</summary>
    internal void GiveWay(DateTimeOffset now)
    {
        SendReliable(now, new CallMessage.Reject(CallId, RejectReason.Busy));
        End(now, CallEndReason.Busy);
    }

    internal bool HangUp(DateTimeOffset now) => EndWithHangUp(now, HangUpReason.Normal, CallEndReason.HungUpLocal);

    /// <summary>Ends the call for a reason learned outside this session's messages; nothing is sent.</summary>
    internal bool EndedByPeer(DateTimeOffset now, CallEndReason reason)
    {
        if (State == CallState.Ended)
        {
            return false;
        }

        _pending = null;
        End(now, reason);
        return true;
    }

    /// <summary>Glare: our own call gives way to the peer's; nothing is sent for it.</summary>
    internal void Supersede(DateTimeOffset now, UInt128 by)
    {
        _pending = null;
        _ringingDeadline = null;
        State = CallState.Ended;
        EndReason = CallEndReason.Superseded;
        EndedAt = now;
        _outbox.Raise(Peer, new CallEvent.Superseded(CallId, by));
    }

    internal void Handle(DateTimeOffset now, CallMessage message)
    {
        if (message is CallMessage.Ack ack)
        {
            HandleAck(now, ack);
            return;
        }

        var expected = Role == CallRole.Caller
            ? message is not CallMessage.Invite
            : message is CallMessage.Invite or CallMessage.HangUp;
        if (!expected)
        {
            _outbox.Drop(CallDropReason.UnexpectedMessage);
            return;
        }

        if (message is CallMessage.Accept accept && RemoteMediaFor(accept) is null)
        {
            _outbox.Drop(CallDropReason.InvalidAnswer);
            return;
        }

        _lastHeard = now;
        _outbox.Send(Peer, new CallMessage.Ack(CallId, CallMessageCodec.TypeOf(message)));
        if (!Act(now, message))
        {
            _outbox.Drop(CallDropReason.Duplicate);
        }
    }

    internal void HandleTimeout(DateTimeOffset now)
    {
        if (_ringingDeadline is { } ringing && now >= ringing)
        {
            EndWithHangUp(now, HangUpReason.RingingTimeout, CallEndReason.TimeoutRinging);
        }

        if (_pending is null)
        {
            return;
        }

        if (now >= GiveUpAt())
        {
            // A callee whose Accept was never acknowledged cannot tell a lost Accept from lost
            // acks: one HangUp, not repeated, ends the call at a caller that did get the Accept
            // instead of leaving it in a call nobody is in.
            if (_pending.Type == SessionMessageType.CallAccept && State != CallState.Ended)
                _outbox.Send(Peer, new CallMessage.HangUp(CallId, HangUpReason.Normal));
            _pending = null;
            if (State != CallState.Ended)
            {
                _ringingDeadline = null;
                End(now, CallEndReason.TimeoutNoAnswerFromPeer);
            }
        }
        else if (_pending.TakeRetransmit(now))
        {
            _outbox.Resend(Peer, _pending.Bytes);
        }
    }

    /// <summary>Acts on a new message from the peer; false when it changes nothing (a duplicate or late copy).</summary>
    private bool Act(DateTimeOffset now, CallMessage message)
    {
        switch (message)
        {
            case CallMessage.Invite when Source == IncomingCallSource.CallList && !_directSeen:
                _directSeen = true;
                return true;
            case CallMessage.Ringing when State == CallState.Calling:
                ClearPending(SessionMessageType.CallInvite);
                State = CallState.Ringing;
                _outbox.Raise(Peer, new CallEvent.Ringing(CallId));
                return true;
            case CallMessage.Accept accept when State is CallState.Calling or CallState.Ringing:
                ClearPending(SessionMessageType.CallInvite);
                RemoteMedia = RemoteMediaFor(accept);
                Establish(now);
                return true;
            case CallMessage.Reject reject when State is CallState.Calling or CallState.Ringing:
                _pending = null;
                End(now, reject.Reason switch
                {
                    RejectReason.Busy => CallEndReason.Busy,
                    RejectReason.Unsupported => CallEndReason.Unsupported,
                    _ => CallEndReason.Rejected,
                });
                return true;
            case CallMessage.HangUp hangUp when State != CallState.Ended:
                _pending = null;
                End(now, hangUp.Reason == HangUpReason.RingingTimeout ? CallEndReason.TimeoutRinging : CallEndReason.HungUpRemote);
                return true;
            default:
                return false;
        }
    }

    private void HandleAck(DateTimeOffset now, CallMessage.Ack ack)
    {
        _lastHeard = now;
        if (_pending is null || _pending.Type != ack.Acknowledged)
        {
            _outbox.Drop(CallDropReason.Duplicate);
            return;
        }

        _pending = null;
        if (ack.Acknowledged == SessionMessageType.CallAccept && State == CallState.Ringing)
        {
            Establish(now);
        }
    }

    private MediaOffer? RemoteMediaFor(CallMessage.Accept accept) =>
        LocalMedia is { } offer && offer.Admits(accept.Answer) ? accept.Answer : null;

    private void SendAccept(DateTimeOffset now, MediaOffer answer)
    {
        _answered = true;
        _ringingDeadline = null;
        LocalMedia = answer;
        SendReliable(now, new CallMessage.Accept(CallId, answer));
    }

    private bool EndWithHangUp(DateTimeOffset now, HangUpReason wire, CallEndReason reason)
    {
        if (State == CallState.Ended)
        {
            return false;
        }

        SendReliable(now, new CallMessage.HangUp(CallId, wire));
        End(now, reason);
        return true;
    }

    private void Establish(DateTimeOffset now)
    {
        _ringingDeadline = null;
        State = CallState.Established;
        _outbox.Raise(Peer, new CallEvent.Established(CallId, Peer, LocalMedia!, RemoteMedia!, now - StartedAt));
    }

    private void End(DateTimeOffset now, CallEndReason reason)
    {
        _ringingDeadline = null;
        State = CallState.Ended;
        EndReason = reason;
        EndedAt = now;
        _outbox.Raise(Peer, new CallEvent.Ended(CallId, reason));
    }

    private void SendReliable(DateTimeOffset now, CallMessage message)
    {
        _pending = new ReliableSend(message, now, _options);
        _outbox.Send(Peer, message);
    }

    private void ClearPending(SessionMessageType type)
    {
        if (_pending?.Type == type)
        {
            _pending = null;
        }
    }

    /// <summary>
    /// A side that has heard from its peer gives up after <see cref="CallOptions.PeerSilenceTimeout"/>
    /// of silence since it last heard or first sent the pending message, whichever is later; one
    /// that never heard gives up <see cref="CallOptions.FirstContactTimeout"/> after it started.
    /// </summary>
    private DateTimeOffset GiveUpAt() => _lastHeard is { } heard
        ? Latest(heard, _pending!.FirstSent) + _options.PeerSilenceTimeout
        : Latest(StartedAt, EndedAt ?? StartedAt) + _options.FirstContactTimeout;

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
