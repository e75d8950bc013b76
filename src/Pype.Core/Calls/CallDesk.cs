using System.Buffers.Binary;
using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Core.Calls;

/// <summary>
/// A node's calls and what follows from them, sans-IO, around a <see cref="CallBook"/>: the
/// public keys signalling needs, which media session to prepare, let flow, start or stop, where
/// each peer's media goes, which call-list entries to write and end, the user's commands (a call
/// named by any prefix of its id) and the live-calls view. Fed inputs with the time, drained of
/// commands (<see cref="PollCommand"/>) and events (<see cref="PollEvent"/>) after each;
/// <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>. Bad input is dropped and counted.
/// </summary>
public sealed class CallDesk
{
    private readonly CallBook _book;
    private readonly CallDeskOptions _options;
    private readonly IRandomSource _random;
    private readonly Queue<CallDeskCommand> _commands = new();
    private readonly Queue<CallDeskEvent> _events = new();
    private readonly DropCounter<CallDeskDropReason> _drops = new();

    /// <summary>Keys of the peers the book holds calls with (signalling to a peer not yet connected needs one); no others are kept.</summary>
    private readonly Dictionary<HashAddress, byte[]> _publicKeys = [];

    /// <summary>The calls with a media session, and the call each peer's media goes to.</summary>
    private readonly Dictionary<UInt128, MediaSlot> _media = [];
    private readonly Dictionary<HashAddress, UInt128> _routes = [];
    private readonly Dictionary<UInt128, DateTimeOffset> _establishedAt = [];

    public CallDesk(HashAddress self, IRandomSource random, CallDeskOptions? options = null)
    {
        _options = options ?? CallDeskOptions.Default;
        _random = random;
        _book = new CallBook(self, random, _options.Calls);
    }

    public CallBook Book => _book;

    public DropCounter<CallDeskDropReason> Drops => _drops;

    public DateTimeOffset? NextDeadline => _book.NextDeadline;

    public CallDeskCommand? PollCommand() => _commands.TryDequeue(out var command) ? command : null;

    public CallDeskEvent? PollEvent() => _events.TryDequeue(out var deskEvent) ? deskEvent : null;

    /// <summary>Calls not ended, for the user.</summary>
    public IEnumerable<LiveCall> LiveCalls => _book.Calls.Where(call => call.State != CallState.Ended).Select(call => new LiveCall(
        call.CallId, call.Peer, PublicKeyOf(call.Peer), call.Role,
        call.State switch
        {
            CallState.Calling => LiveCallPhase.Calling,
            CallState.Ringing => call.Role == CallRole.Callee && call.IsAnswered ? LiveCallPhase.Answering : LiveCallPhase.Ringing,
            _ => LiveCallPhase.Established,
        },
        call.StartedAt));

    /// <summary>Calls whose media flows: the only ones with statistics to show.</summary>
    public IEnumerable<FlowingCall> FlowingCalls => _media.Where(pair => pair.Value.Flowing)
        .Select(pair => new FlowingCall(pair.Key, pair.Value.Peer, _establishedAt.TryGetValue(pair.Key, out var at) ? at : null));

    public bool IsFlowing(UInt128 callId) => _media.TryGetValue(callId, out var slot) && slot.Flowing;

    /// <summary>The call whose media session takes <paramref name="peer"/>'s media, if any.</summary>
    public UInt128? MediaRouteOf(HashAddress peer) => _routes.TryGetValue(peer, out var callId) ? callId : null;

    public HashAddress? PeerOf(UInt128 callId) => _book.Find(callId)?.Peer;

    public byte[]? PublicKeyOf(HashAddress peer) => _publicKeys.GetValueOrDefault(peer);

    /// <summary>Calls the owner of <paramref name="calleePublicKey"/> (or answers its ringing call to us: glare by hand).</summary>
    public CallOutcome Place(DateTimeOffset now, byte[] calleePublicKey)
    {
        if (calleePublicKey.Length != IdentityKeyPair.PublicKeyLength)
        {
            return CallOutcome.Refused("that is not a public key");
        }

        var callee = HashAddress.FromPublicKey(calleePublicKey);
        if (callee == _book.Self)
        {
            return CallOutcome.Refused("you cannot call yourself");
        }

        if (!_book.HasRoomFor(callee))
        {
            return CallOutcome.Refused("too many calls are still remembered; try again in a few minutes");
        }

        _publicKeys[callee] = calleePublicKey;
        var videoSsrc = NewSsrc(0);
        var offer = MediaOffer.Create(videoSsrc, NewSsrc(videoSsrc));
        var callId = _book.Place(now, callee, offer);
        var call = _book.Find(callId)!;
        if (call.Role == CallRole.Caller)
        {
            _commands.Enqueue(new CallDeskCommand.InviteInCallList(calleePublicKey, callId, offer.Encode()));
            Prepare(callId, callee, offer, null, CallRole.Caller);
        }
        else if (call is { IsAnswered: true, LocalMedia: { } local, RemoteMedia: { } remote })
        {
            // The callee was ringing us, so placing the call answered it: receive from now on, as any answer does.
            Start(callId, callee, local, remote);
        }

        Pump(now);
        return new CallOutcome(callId, null);
    }

    /// <summary>Answers the ringing incoming call <paramref name="idPrefix"/> names (or the only one); <paramref name="command"/> is the user's word for it.</summary>
    public CallOutcome Answer(DateTimeOffset now, string? idPrefix, string command = "answer") => Act(now, idPrefix, command, answer: true, call => _book.Answer(now, call.Peer, call.CallId));

    public CallOutcome Reject(DateTimeOffset now, string? idPrefix, string command = "reject") => Act(now, idPrefix, command, answer: false, call => _book.Reject(now, call.Peer, call.CallId));

    /// <summary>Hangs up the call <paramref name="idPrefix"/> names, in any state but ended.</summary>
    public CallOutcome HangUp(DateTimeOffset now, string? idPrefix, string command = "hangup") => Act(now, idPrefix, command, answer: false, call => _book.HangUp(now, call.Peer, call.CallId), anyLive: true);

    /// <summary>The user's contacts: their calls are kept before strangers' (see <see cref="CallBook.SetContacts"/>).</summary>
    public void SetContacts(IEnumerable<HashAddress> contacts) => _book.SetContacts(contacts);

    /// <summary>Call signalling from <paramref name="peer"/>'s encrypted session.</summary>
    public void HandleSignal(DateTimeOffset now, HashAddress peer, byte[] peerPublicKey, ReadOnlySpan<byte> payload)
    {
        if (peerPublicKey.Length == IdentityKeyPair.PublicKeyLength)
        {
            _publicKeys.TryAdd(peer, peerPublicKey);
        }

        _book.Handle(now, peer, payload);
        Pump(now);
    }

    /// <summary>An invite for us opened in the call list; false (and counted) when its key or offer does not decode.</summary>
    public bool HandleInviteFound(DateTimeOffset now, UInt128 callId, byte[] callerPublicKey, byte[] offer)
    {
        if (callerPublicKey.Length != IdentityKeyPair.PublicKeyLength || !MediaOffer.TryDecode(offer, out var decoded))
        {
            _drops.Count(CallDeskDropReason.UnreadableOffer);
            return false;
        }

        var caller = HashAddress.FromPublicKey(callerPublicKey);
        _publicKeys.TryAdd(caller, callerPublicKey);
        _book.IncomingFromCallList(now, callId, caller, decoded);
        Pump(now);
        return true;
    }

    public void HandleTombstone(DateTimeOffset now, UInt128 callId, HashAddress signer, CallEntryKind kind)
    {
        _book.EndedInCallList(now, callId, signer, kind);
        Pump(now);
    }

    public void HandleLinkLost(DateTimeOffset now, HashAddress peer)
    {
        _book.LinkLost(now, peer);
        Pump(now);
    }

    /// <summary>The call's media session stopped by itself (it failed): the call goes on without media, and a later answer may start one afresh.</summary>
    public void HandleMediaGone(DateTimeOffset now, UInt128 callId)
    {
        Forget(callId, stop: false);
        Pump(now);
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        _book.HandleTimeout(now);
        Pump(now);
    }

    private CallOutcome Act(DateTimeOffset now, string? idPrefix, string command, bool answer, Func<CallSession, bool> operation, bool anyLive = false)
    {
        var candidates = _book.Calls.Where(call => anyLive
            ? call.State != CallState.Ended
            : call.Role == CallRole.Callee && call.State == CallState.Ringing && !call.IsAnswered);
        var choice = HexPrefix.Choose(candidates, call => call.CallId.ToString("x32"), idPrefix);
        if (choice.Chosen is not { } call || !choice.IsUnique)
        {
            var what = anyLive ? "call" : "ringing call";
            return CallOutcome.Refused(choice.Matching == 0
                ? $"no {what} to {command}" + (idPrefix is null ? "" : $" matches '{idPrefix}'")
                : $"{choice.Matching} calls match: give the call id (see 'calls')");
        }

        var done = operation(call);

        // The caller starts sending the moment our Accept reaches it, a round trip before our
        // Established: receive from the answer on, or its first keyframe is lost.
        if (done && answer && call.LocalMedia is { } local && call.RemoteMedia is { } remote)
        {
            Start(call.CallId, call.Peer, local, remote);
        }

        Pump(now);
        return done ? new CallOutcome(call.CallId, null) : CallOutcome.Refused("the call changed state meanwhile; see 'calls'");
    }

    /// <summary>Turns what the book produced into commands and events, and forgets the keys no call needs.</summary>
    private void Pump(DateTimeOffset now)
    {
        while (true)
        {
            if (_book.PollSend() is { } send)
            {
                if (_publicKeys.TryGetValue(send.Peer, out var key))
                {
                    _commands.Enqueue(new CallDeskCommand.SendSignal(send.Peer, key, send.Bytes));
                }
                else
                {
                    _drops.Count(CallDeskDropReason.NoPublicKey);
                }
            }
            else if (_book.PollEvent(out var peer) is { } callEvent)
            {
                OnCallEvent(now, peer, callEvent);
            }
            else
            {
                break;
            }
        }

        if (_publicKeys.Count > _book.Calls.Count)
        {
            var withCalls = _book.Calls.Select(call => call.Peer).ToHashSet();
            foreach (var peer in _publicKeys.Keys.Where(peer => !withCalls.Contains(peer)).ToList())
            {
                _publicKeys.Remove(peer);
            }
        }
    }

    private void OnCallEvent(DateTimeOffset now, HashAddress peer, CallEvent callEvent)
    {
        var call = _book.Find(peer, callEvent.CallId);
        switch (callEvent)
        {
            case CallEvent.IncomingCall incoming:
                _events.Enqueue(new CallDeskEvent.Incoming(incoming.CallId, incoming.Caller, PublicKeyOf(incoming.Caller), incoming.Source));
                if (call?.PreparedAnswer is { } answer)
                {
                    Prepare(incoming.CallId, incoming.Caller, answer, incoming.Offer, CallRole.Callee);
                }

                if (_options.AutoAnswer)
                {
                    Answer(now, incoming.CallId.ToString("x32"), "auto-answer");
                }

                break;
            case CallEvent.Ringing:
                _events.Enqueue(new CallDeskEvent.Ringing(callEvent.CallId, call?.Peer));
                break;
            case CallEvent.Established established:
                _establishedAt[established.CallId] = now;
                Start(established.CallId, established.Peer, established.LocalMedia, established.RemoteMedia);
                var role = call?.Role ?? CallRole.Caller;
                if (role == CallRole.Callee)
                {
                    _commands.Enqueue(new CallDeskCommand.EndInCallList(established.CallId, CallEntryKind.Answered));
                }

                _events.Enqueue(new CallDeskEvent.Established(established.CallId, established.Peer, role, established.SetupTime, established.LocalMedia, established.RemoteMedia));
                break;
            case CallEvent.Ended ended:
                Forget(ended.CallId, stop: true);
                TimeSpan? duration = _establishedAt.Remove(ended.CallId, out var since) ? now - since : null;

                // Only the side whose decision ended an unanswered call writes its tombstone, so the
                // entry ends the way the user ended it (the callee wrote "answered" on success).
                if (call is not null && duration is null && TombstoneFor(call.Role, ended.Reason) is { } kind)
                {
                    _commands.Enqueue(new CallDeskCommand.EndInCallList(ended.CallId, kind));
                }

                _events.Enqueue(new CallDeskEvent.Ended(ended.CallId, call?.Peer, ended.Reason, duration));
                break;
            case CallEvent.Superseded superseded:
                Forget(superseded.CallId, stop: true);
                _establishedAt.Remove(superseded.CallId);
                _commands.Enqueue(new CallDeskCommand.EndInCallList(superseded.CallId, CallEntryKind.HungUp));
                _events.Enqueue(new CallDeskEvent.Ended(superseded.CallId, call?.Peer, CallEndReason.Superseded, null));
                break;
        }
    }

    private static CallEntryKind? TombstoneFor(CallRole role, CallEndReason reason) => (role, reason) switch
    {
        (CallRole.Callee, CallEndReason.Rejected) => CallEntryKind.Rejected,
        (_, CallEndReason.HungUpLocal or CallEndReason.TimeoutRinging or CallEndReason.TimeoutNoAnswerFromPeer) => CallEntryKind.HungUp,
        _ => null,
    };

    /// <summary>
    /// Starts a call's media session held while it rings (options permitting). A callee prepares one
    /// incoming call at a time, so a burst of calls cannot start a burst of processes; the others
    /// start their media when answered.
    /// </summary>
    private void Prepare(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer? remote, CallRole role)
    {
        if (!_options.PrepareMediaWhileRinging || _media.ContainsKey(callId)
            || (role == CallRole.Callee && _media.Values.Any(slot => !slot.Flowing && slot.Role == CallRole.Callee)))
        {
            return;
        }

        _media[callId] = new MediaSlot(peer, local, role);
        _commands.Enqueue(new CallDeskCommand.PrepareMedia(callId, peer, local, remote, role));
        Route(peer, callId);
    }

    /// <summary>Media flows: a session prepared with the same local offer is let go, any other call gets a new session.</summary>
    private void Start(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer remote)
    {
        if (_media.TryGetValue(callId, out var prepared))
        {
            if (prepared.Flowing)
            {
                return;
            }

            if (prepared.Local == local)
            {
                prepared.Flowing = true;
                _commands.Enqueue(new CallDeskCommand.ReleaseMedia(callId, remote));
                return;
            }

            _media.Remove(callId);
            _commands.Enqueue(new CallDeskCommand.StopMedia(callId));
        }

        _media[callId] = new MediaSlot(peer, local, prepared?.Role ?? CallRole.Caller) { Flowing = true };
        _commands.Enqueue(new CallDeskCommand.StartMedia(callId, peer, local, remote));
        Route(peer, callId);
    }

    /// <summary>Drops the call's media (stopping its session when <paramref name="stop"/>), and its peer's route if it was the routed one.</summary>
    private void Forget(UInt128 callId, bool stop)
    {
        if (!_media.Remove(callId, out var slot))
        {
            return;
        }

        if (stop)
        {
            _commands.Enqueue(new CallDeskCommand.StopMedia(callId));
        }

        if (_routes.TryGetValue(slot.Peer, out var routed) && routed == callId)
        {
            _routes.Remove(slot.Peer);
            _commands.Enqueue(new CallDeskCommand.RouteMedia(slot.Peer, null));
        }
    }

    private void Route(HashAddress peer, UInt128 callId)
    {
        _routes[peer] = callId;
        _commands.Enqueue(new CallDeskCommand.RouteMedia(peer, callId));
    }

    private uint NewSsrc(uint besides)
    {
        Span<byte> bytes = stackalloc byte[4];
        uint ssrc;
        do
        {
            _random.Fill(bytes);
            ssrc = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
        while (ssrc == 0 || ssrc == besides);
        return ssrc;
    }

    private sealed class MediaSlot(HashAddress peer, MediaOffer local, CallRole role)
    {
        public HashAddress Peer { get; } = peer;

        public MediaOffer Local { get; } = local;

        public CallRole Role { get; } = role;

        public bool Flowing { get; set; }
    }
}
