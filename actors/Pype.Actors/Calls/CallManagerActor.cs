using Akka.Actor;
using Akka.Event;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Replication;
using Pype.Core;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Actors.Calls;

/// <summary>
/// Shell around <see cref="CallBook"/>: every call of this node, one state machine each. Sends
/// signalling through the peer list (which connects to the peer first when needed), writes and
/// ends the call-list entries that let a callee without a session still hear of a call, turns
/// the book's events into node events, and answers unattended when the settings say so.
/// </summary>
public sealed class CallManagerActor : SansIoShellActor
{
    private readonly IdentityKeyPair identity;
    private readonly Configuration.CallSettings settings;
    private readonly Configuration.MediaSettings mediaSettings;
    private readonly IActorRef peers;
    private readonly IActorRef gossip;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly CallBook book;
    /// <summary>Public keys of everyone a call was placed to or came from: the peer list needs one to ask for an introduction.</summary>
    private readonly Dictionary<HashAddress, byte[]> publicKeys = [];
    private readonly Dictionary<UInt128, DateTimeOffset> establishedAt = [];
    /// <summary>The media session of each call with media (flowing, or prepared while it rings), and the call each peer's media belongs to.</summary>
    private readonly Dictionary<UInt128, IActorRef> mediaSessions = [];
    private readonly Dictionary<HashAddress, UInt128> mediaByPeer = [];
    /// <summary>The local offer each prepared session was started with; a call answered with another gets a new session.</summary>
    private readonly Dictionary<UInt128, Core.Calls.MediaOffer> preparedWith = [];
    /// <summary>Calls whose media flows (answered); only these publish statistics.</summary>
    private readonly HashSet<UInt128> mediaFlowing = [];
    private long mediaGeneration;

    public CallManagerActor(IdentityKeyPair identity, Configuration.CallSettings settings, Configuration.MediaSettings mediaSettings, IActorRef peers, IActorRef gossip)
    {
        this.identity = identity;
        this.settings = settings;
        this.mediaSettings = mediaSettings;
        this.peers = peers;
        this.gossip = gossip;
        book = new CallBook(identity.Hash, SystemRandomSource.Instance, CallOptions.Default with { RingingTimeout = settings.RingingTimeout });

        Receive<PlaceCallTo>(place => Feed(now => Sender.Tell(Place(now, place.CalleePublicKey))));
        Receive<ActOnCall>(act => Feed(now => Sender.Tell(Act(now, act))));
        Receive<CallSignalReceived>(signal => Feed(now =>
        {
            publicKeys.TryAdd(signal.Peer, signal.PeerPublicKey);
            book.Handle(now, signal.Peer, signal.Payload);
        }));
        Receive<CallInviteFound>(found => Feed(now =>
        {
            if (!MediaOffer.TryDecode(found.Offer, out var offer))
            {
                log.Warning("Call {0:x32} in the call list carries an offer this node cannot read; ignored", found.CallId);
                return;
            }
            var caller = HashAddress.FromPublicKey(found.CallerPublicKey);
            publicKeys.TryAdd(caller, found.CallerPublicKey);
            book.IncomingFromCallList(now, found.CallId, caller, offer);
        }));
        Receive<CallTombstoneFound>(tombstone => Feed(now => book.EndedInCallList(now, tombstone.CallId, tombstone.Signer, tombstone.Kind)));
        Receive<NeighbourDown>(down => Feed(now => book.LinkLost(now, down.Peer)));
        Receive<MediaReceivedFromPeer>(media =>
        {
            if (mediaByPeer.TryGetValue(media.Peer, out var callId) && mediaSessions.TryGetValue(callId, out var session))
                session.Tell(new Media.MediaPacketReceived(media.Payload));
        });
        Receive<PublishCallStats>(_ =>
        {
            foreach (var callId in mediaFlowing) mediaSessions[callId].Tell(Media.GetMediaStats.Instance);
        });
        Receive<Media.MediaStats>(media =>
        {
            // A session that ended since it was asked has nothing left to publish.
            if (!mediaFlowing.Contains(media.CallId)) return;
            Context.Parent.Tell(new CallStatsTick(media.CallId.ToString("x32"), book.Find(media.CallId)?.Peer.ToString() ?? "", media));
        });
        Receive<Media.FirstPictureShown>(shown =>
            Context.Parent.Tell(new CallFirstPicture(shown.CallId.ToString("x32"), book.Find(shown.CallId)?.Peer.ToString() ?? "", shown.AfterFlowStart)));
        Receive<Media.MediaProblem>(problem => Context.Parent.Tell(new CallMediaProblem(problem.CallId.ToString("x32"), problem.Stage, problem.Message)));
        ReceiveAsync<GetCallStats>(async _ =>
        {
            var sender = Sender;
            var views = new List<CallStatsView>();
            foreach (var (callId, session) in mediaSessions.Where(pair => mediaFlowing.Contains(pair.Key)).ToList())
            {
                var call = book.Find(callId);
                try
                {
                    var media = await session.Ask<Media.MediaStats>(Media.GetMediaStats.Instance, TimeSpan.FromSeconds(3));
                    views.Add(new CallStatsView(callId.ToString("x32"), call?.Peer.ToString() ?? "",
                        establishedAt.TryGetValue(callId, out var since) ? Now - since : TimeSpan.Zero, media));
                }
                catch (AskTimeoutException)
                {
                    log.Warning("Media session of call {0:x32} did not answer for statistics", callId);
                }
            }
            sender.Tell(new CallStatsReply(views));
        });
        Receive<GetLiveCalls>(_ => Sender.Tell(new LiveCalls(book.Calls.Where(c => c.State != CallState.Ended).Select(View).ToList())));
        // The call list answers the entries this actor writes; a refused entry only means the
        // callee must be reached directly, which is tried anyway.
        Receive<CallListWritten>(_ => { });
        Receive<CallListRefused>(refused => log.Debug("Call list: {0}", refused.Reason));
    }

    /// <summary>How often each established call's media statistics are published.</summary>
    public static readonly TimeSpan CallStatsInterval = TimeSpan.FromSeconds(1);

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer(nameof(PublishCallStats), PublishCallStats.Instance, CallStatsInterval);
    }

    public static Props Props(IdentityKeyPair identity, Configuration.CallSettings settings, Configuration.MediaSettings mediaSettings, IActorRef peers, IActorRef gossip) =>
        Akka.Actor.Props.Create(() => new CallManagerActor(identity, settings, mediaSettings, peers, gossip));

    /// <summary>A media session that throws is stopped; the call goes on without media rather than restart capture mid-call blindly.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>
    /// Starts a call's media session held, while it rings (settings permitting): the ffmpeg and
    /// device start-ups then happen before the answer, not between the answer and the first picture.
    /// A callee prepares one incoming call at a time, so a burst of calls cannot start a burst of
    /// processes; the others start their media when answered.
    /// </summary>
    private void PrepareMedia(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer? remote, CallRole role)
    {
        if (!settings.PrepareMediaWhileRinging || mediaSessions.ContainsKey(callId)) return;
        if (role == CallRole.Callee && preparedWith.Keys.Any(other => book.Find(other)?.Role == CallRole.Callee)) return;
        var spec = new Media.MediaSessionSpec(callId, peer, local, remote);
        AddSession(callId, peer, Media.MediaSessionActor.Prepare(spec, mediaSettings, peers));
        preparedWith[callId] = local;
    }

    /// <summary>Media flows over the peer list's sessions: a prepared session is let go, any other call gets a new one.</summary>
    private void StartMedia(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer remote)
    {
        if (!mediaFlowing.Add(callId)) return;
        if (preparedWith.Remove(callId, out var prepared) && mediaSessions.TryGetValue(callId, out var session))
        {
            if (prepared == local)
            {
                session.Tell(new Media.StartMediaFlow(remote));
                return;
            }
            mediaSessions.Remove(callId);
            Context.Stop(session);
        }
        AddSession(callId, peer, Media.MediaSessionActor.Props(new Media.MediaSessionSpec(callId, peer, local, remote), mediaSettings, peers));
    }

    private void AddSession(UInt128 callId, HashAddress peer, Props props)
    {
        mediaSessions[callId] = Context.ActorOf(props, $"media-{callId.ToString("x32")[..12]}-{++mediaGeneration}");
        mediaByPeer[peer] = callId;
    }

    private void StopMedia(UInt128 callId)
    {
        mediaFlowing.Remove(callId);
        preparedWith.Remove(callId);
        if (!mediaSessions.Remove(callId, out var session)) return;
        foreach (var (peer, _) in mediaByPeer.Where(pair => pair.Value == callId).ToList()) mediaByPeer.Remove(peer);
        Context.Stop(session);
    }

    protected override DateTimeOffset? NextDeadline => book.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => book.HandleTimeout(now);

    private NodeReply Place(DateTimeOffset now, byte[] calleePublicKey)
    {
        var callee = HashAddress.FromPublicKey(calleePublicKey);
        if (callee == identity.Hash) return new CommandFailed("call", "you cannot call yourself");
        publicKeys[callee] = calleePublicKey;
        var offer = MediaOffer.Create(RandomSsrc(), RandomSsrc());
        var callId = book.Place(now, callee, offer);
        if (book.Find(callId) is { Role: CallRole.Caller })
        {
            gossip.Tell(new PlaceCallInList(calleePublicKey, callId, offer.Encode()));
            PrepareMedia(callId, callee, offer, null, CallRole.Caller);
        }
        return new CallPlaced(callId.ToString("x32"), callee.ToString(), PypeAddress.Encode(calleePublicKey));
    }

    private NodeReply Act(DateTimeOffset now, ActOnCall act)
    {
        var candidates = book.Calls
            .Where(call => act.Action == CallAction.HangUp
                ? call.State != CallState.Ended
                : call.Role == CallRole.Callee && call.State == CallState.Ringing && !call.IsAnswered)
            .Where(call => act.CallId is null || call.CallId.ToString("x32").StartsWith(act.CallId.Trim(), StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (candidates.Count != 1)
        {
            var what = act.Action == CallAction.HangUp ? "call" : "ringing call";
            return new CommandFailed(act.Command, candidates.Count == 0
                ? $"no {what} to {act.Command}" + (act.CallId is null ? "" : $" matches '{act.CallId}'")
                : $"{candidates.Count} calls match: give the call id (see 'calls')");
        }
        var call = candidates[0];
        var done = act.Action switch
        {
            CallAction.Answer => book.Answer(now, call.CallId),
            CallAction.Reject => book.Reject(now, call.CallId),
            _ => book.HangUp(now, call.CallId),
        };
        // The caller starts sending the moment our Accept reaches it, a round trip before our
        // Established: receive from the answer on, or its first keyframe is lost.
        if (done && act.Action == CallAction.Answer && call.LocalMedia is { } local && call.RemoteMedia is { } remote)
            StartMedia(call.CallId, call.Peer, local, remote);
        return done
            ? new CallCommandDone(act.Command, call.CallId.ToString("x32"))
            : new CommandFailed(act.Command, "the call changed state meanwhile; see 'calls'");
    }

    protected override void DrainOutputs()
    {
        while (book.PollSend() is { } send)
        {
            if (publicKeys.TryGetValue(send.Peer, out var key)) peers.Tell(new SendCallSignal(send.Peer, key, send.Bytes));
            else log.Warning("No public key known for {0}; call signalling dropped", send.Peer.Short);
        }
        while (book.PollEvent() is { } callEvent) OnCallEvent(callEvent);
    }

    private void OnCallEvent(CallEvent callEvent)
    {
        var id = callEvent.CallId.ToString("x32");
        switch (callEvent)
        {
            case CallEvent.IncomingCall incoming:
                Context.Parent.Tell(new CallIncoming(id, incoming.Caller.ToString(), AddressOf(incoming.Caller),
                    incoming.Source == IncomingCallSource.Direct ? "direct" : "call-list"));
                if (book.Find(incoming.CallId)?.PreparedAnswer is { } answer)
                    PrepareMedia(incoming.CallId, incoming.Caller, answer, incoming.Offer, CallRole.Callee);
                if (settings.AutoAnswer) Self.Tell(new ActOnCall(id, CallAction.Answer, "auto-answer"));
                break;
            case CallEvent.Ringing:
                Context.Parent.Tell(new CallRinging(id, book.Find(callEvent.CallId)?.Peer.ToString() ?? ""));
                break;
            case CallEvent.Established established:
                establishedAt[established.CallId] = Now;
                StartMedia(established.CallId, established.Peer, established.LocalMedia, established.RemoteMedia);
                var role = book.Find(established.CallId)?.Role ?? CallRole.Caller;
                if (role == CallRole.Callee) EndInCallList(established.CallId, CallEntryKind.Answered);
                Context.Parent.Tell(new CallEstablished(id, established.Peer.ToString(), role == CallRole.Caller ? "caller" : "callee",
                    established.SetupTime.TotalMilliseconds, VideoText(established.LocalMedia, established.RemoteMedia), "opus 48 kHz 20 ms"));
                break;
            case CallEvent.Ended ended:
                var call = book.Find(ended.CallId);
                StopMedia(ended.CallId);
                TimeSpan? duration = establishedAt.Remove(ended.CallId, out var since) ? Now - since : null;
                // Only the side whose decision ended an unanswered call writes its tombstone, so the
                // entry ends the way the user ended it (the callee wrote "answered" on success).
                if (call is not null && duration is null && TombstoneFor(call.Role, ended.Reason) is { } kind) EndInCallList(ended.CallId, kind);
                Context.Parent.Tell(new CallEnded(id, call?.Peer.ToString() ?? "", ReasonText(ended.Reason), duration));
                break;
            case CallEvent.Superseded superseded:
                StopMedia(superseded.CallId);
                EndInCallList(superseded.CallId, CallEntryKind.HungUp);
                Context.Parent.Tell(new CallEnded(id, book.Find(superseded.CallId)?.Peer.ToString() ?? "", "superseded", null));
                break;
        }
    }

    /// <summary>Replaces the call's call-list entry with a tombstone, if the list holds one, so nobody rings from it again.</summary>
    private void EndInCallList(UInt128 callId, CallEntryKind kind) =>
        gossip.Tell(new EndCallInList(callId.ToString("x32"), kind, "call-manager"));

    private static CallEntryKind? TombstoneFor(CallRole role, CallEndReason reason) => (role, reason) switch
    {
        (CallRole.Callee, CallEndReason.Rejected) => CallEntryKind.Rejected,
        (_, CallEndReason.HungUpLocal or CallEndReason.TimeoutRinging or CallEndReason.TimeoutNoAnswerFromPeer) => CallEntryKind.HungUp,
        _ => null,
    };

    private string AddressOf(HashAddress peer) => publicKeys.TryGetValue(peer, out var key) ? PypeAddress.Encode(key) : "";

    private LiveCallView View(CallSession call) => new(
        call.CallId.ToString("x32"), call.Peer.ToString(), AddressOf(call.Peer),
        call.Role == CallRole.Caller ? "caller" : "callee",
        call.State switch
        {
            CallState.Calling => "calling",
            CallState.Ringing => call.Role == CallRole.Callee && call.IsAnswered ? "answering" : "ringing",
            CallState.Established => "established",
            _ => "ended",
        },
        Now - call.StartedAt);

    private static string VideoText(MediaOffer local, MediaOffer remote)
    {
        var limits = local.Limits.Intersect(remote.Limits);
        return $"h264 up to {limits.MaxWidth}x{limits.MaxHeight}@{limits.MaxFramesPerSecond} {limits.MaxKilobitsPerSecond} kbps";
    }

    public static string ReasonText(CallEndReason reason) => reason switch
    {
        CallEndReason.Rejected => "rejected",
        CallEndReason.Busy => "busy",
        CallEndReason.HungUpLocal => "hung-up-here",
        CallEndReason.HungUpRemote => "hung-up-by-peer",
        CallEndReason.TimeoutRinging => "no-answer",
        CallEndReason.TimeoutNoAnswerFromPeer => "peer-unreachable",
        CallEndReason.Unsupported => "unsupported-media",
        CallEndReason.Superseded => "superseded",
        CallEndReason.ConnectionLost => "connection-lost",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static uint RandomSsrc()
    {
        Span<byte> bytes = stackalloc byte[4];
        uint ssrc;
        do
        {
            SystemRandomSource.Instance.Fill(bytes);
            ssrc = BitConverter.ToUInt32(bytes);
        }
        while (ssrc == 0);
        return ssrc;
    }
}
