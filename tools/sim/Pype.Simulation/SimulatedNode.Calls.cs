using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Replication;
using Pype.Core.Session;

namespace Pype.Simulation;

/// <summary>
/// The node's calls: the real <see cref="CallDesk"/> over its <see cref="CallBook"/>, fed and
/// drained as CallManagerActor does (signals to and from the peer through the endpoint, as
/// PeerListActor carries them; call-list invites and tombstones through the gossip engine, as
/// GossipActor writes and reports them; lost neighbours, as the node guardian forwards them).
/// Each call's media is a <see cref="SimulatedMediaSession"/> (the real media core over synthetic
/// stages), prepared, released, started and stopped where the actor does it with a
/// MediaSessionActor; a peer's media route is kept as PeerListActor keeps it, so a link hands the
/// peer's media straight to the session and an unrouted packet goes up through the call manager.
/// </summary>
public sealed partial class SimulatedNode
{
    /// <summary>reference.conf's pype.node call settings: auto-answer off, 45 s ringing, media prepared while ringing.</summary>
    public static readonly CallDeskOptions ReferenceCallSettings = new()
    {
        Calls = CallOptions.Default with { RingingTimeout = TimeSpan.FromSeconds(45) },
        PrepareMediaWhileRinging = true,
        AutoAnswer = false,
    };

    /// <summary>The node's real call desk.</summary>
    public CallDesk Calls { get; private set; } = null!;

    /// <summary>Everything the desk told the user, in order, with the virtual time it did.</summary>
    public List<(DateTimeOffset At, CallDeskEvent Event)> CallEvents { get; } = [];

    /// <summary>The media commands the desk gave, in order: what the call manager did with media sessions.</summary>
    public List<CallDeskCommand> MediaCommands { get; } = [];

    /// <summary>The call manager's media sessions, in the order they were started.</summary>
    public List<SimulatedMediaSession> MediaSessions { get; } = [];

    /// <summary>Media sessions stopped (their calls ended), kept for what they counted.</summary>
    public List<SimulatedMediaSession> StoppedMediaSessions { get; } = [];

    // PeerListActor's media routes: the session each peer's link hands media to.
    private readonly Dictionary<HashAddress, SimulatedMediaSession> _mediaRoutes = [];

    /// <summary>Call-list writes the gossip engine refused (CallManagerActor only logs them).</summary>
    public List<string> CallListRefusals { get; } = [];

    /// <summary>The user's <c>call</c>, as CallManagerActor takes <c>PlaceCallTo</c>.</summary>
    public CallOutcome PlaceCallTo(byte[] calleePublicKey)
    {
        CallOutcome outcome = default;
        Deliver(() => FeedCalls(now => outcome = Calls.Place(now, calleePublicKey)));
        return outcome;
    }

    /// <summary>The user's <c>hangup</c> of the call <paramref name="idPrefix"/> names, as CallManagerActor takes <c>ActOnCall</c>.</summary>
    public CallOutcome HangUp(string? idPrefix)
    {
        CallOutcome outcome = default;
        Deliver(() => FeedCalls(now => outcome = Calls.HangUp(now, idPrefix)));
        return outcome;
    }

    /// <summary>The call manager's start: a desk with the node's call settings (reference.conf's unless given).</summary>
    private void StartCalls(CallDeskOptions options) => Calls = new CallDesk(Identity.Hash, _random, options);

    /// <summary>CallManagerActor: one input, then the desk's commands carried out and its events kept.</summary>
    private void FeedCalls(Action<DateTimeOffset> input)
    {
        input(_network.Now);
        while (Calls.PollCommand() is { } command)
            CarryCall(command);
        while (Calls.PollEvent() is { } deskEvent)
        {
            CallEvents.Add((_network.Now, deskEvent));
            _network.Trace.Note(_network.Now, $"{Host.Name} call {deskEvent.CallId:x32} {deskEvent.GetType().Name}");
        }
    }

    private void CarryCall(CallDeskCommand command)
    {
        switch (command)
        {
            // PeerListActor: SendCallSignal to the endpoint, which sends over the session or holds it while the seed introduces the peer.
            case CallDeskCommand.SendSignal send:
                Post(() => FeedEndpoint(at => Endpoint.SendCallSignal(at, send.Peer, send.PeerPublicKey, send.Bytes)));
                break;
            // GossipActor: PlaceCallInList.
            case CallDeskCommand.InviteInCallList invite:
                Post(() => FeedGossip(at => Written(Gossip.PlaceCall(at, invite.CalleePublicKey, invite.CallId, invite.Offer))));
                break;
            // GossipActor: EndCallInList with the call's full id as the prefix, matched against the endable entries.
            case CallDeskCommand.EndInCallList end:
                Post(() => FeedGossip(at => EndInCallList(at, end.CallId.ToString("x32"), end.Kind)));
                break;
            default:
                MediaCommands.Add(command);
                CarryMedia(command);
                break;
        }
    }

    /// <summary>CallManagerActor's media commands: sessions opened, released and stopped, routes told to the peer list.</summary>
    private void CarryMedia(CallDeskCommand command)
    {
        switch (command)
        {
            case CallDeskCommand.PrepareMedia prepare:
                OpenMedia(prepare.CallId, prepare.Peer, prepare.Local, prepare.Remote, flowing: false);
                break;
            case CallDeskCommand.StartMedia start:
                OpenMedia(start.CallId, start.Peer, start.Local, start.Remote, flowing: true);
                break;
            case CallDeskCommand.ReleaseMedia release when MediaOf(release.CallId) is { } released:
                Post(() => FeedMedia(released, at => released.Start(at, release.Remote)));
                break;
            case CallDeskCommand.StopMedia stop when MediaOf(stop.CallId) is { } stopped:
                MediaSessions.Remove(stopped);
                StoppedMediaSessions.Add(stopped);
                break;
            case CallDeskCommand.RouteMedia route:
                var session = route.CallId is { } callId ? MediaOf(callId) : null;
                Post(() =>
                {
                    if (session is null) _mediaRoutes.Remove(route.Peer);
                    else _mediaRoutes[route.Peer] = session;
                    FeedEndpoint(_ => Endpoint.SetMediaRoute(route.Peer, session is not null));
                });
                break;
        }
    }

    private void OpenMedia(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer? remote, bool flowing)
    {
        // The stages tell the peer list SendMediaPacket, which hands each payload to the endpoint.
        MediaSessions.Add(new SimulatedMediaSession(callId, peer, local, remote, flowing, _network.Now, _random,
            payload => Post(() => FeedEndpoint(_ => Endpoint.SendMedia(peer, payload)))));
        _network.Trace.Note(_network.Now, $"{Host.Name} media {callId:x32} {(flowing ? "started" : "prepared")}");
    }

    private SimulatedMediaSession? MediaOf(UInt128 callId) => MediaSessions.FirstOrDefault(m => m.CallId == callId);

    /// <summary>MediaSessionActor: one input; a stopped session's mail goes to dead letters.</summary>
    private void FeedMedia(SimulatedMediaSession session, Action<DateTimeOffset> input)
    {
        if (MediaSessions.Contains(session))
            input(_network.Now);
    }

    /// <summary>ConnectionActor: the peer's media goes straight to the session routed for it, if any.</summary>
    private bool RouteToMedia(HashAddress peer, byte[] payload)
    {
        if (!_mediaRoutes.TryGetValue(peer, out var session) || SessionMessageRanges.KindOf(payload) != SessionPayloadKind.Media)
            return false;
        Post(() => FeedMedia(session, at => session.Receive(at, payload)));
        return true;
    }

    /// <summary>As GossipActor: exactly one endable entry the id names gets its tombstone, else a refusal.</summary>
    private void EndInCallList(DateTimeOffset now, string callId, CallEntryKind how) =>
        Written(Gossip.EndCall(now, callId, how, "call-manager"));

    private void Written(LocalCallChange change)
    {
        if (change is LocalCallChange.Refused refused)
            CallListRefusals.Add(refused.Reason);
    }

    /// <summary>What the node guardian forwards from the peer list to the call manager.</summary>
    private void ForwardToCalls(EndpointEvent endpointEvent)
    {
        switch (endpointEvent)
        {
            case EndpointEvent.CallSignalArrived signal:
                Post(() => FeedCalls(at => Calls.HandleSignal(at, signal.Peer, signal.PeerIdentityKey, signal.Payload)));
                break;
            case EndpointEvent.NeighbourDown down:
                Post(() => FeedCalls(at => Calls.HandleLinkLost(at, down.Peer)));
                break;
            // Media from a peer the link had no route for: the call manager hands it to the call's session.
            case EndpointEvent.MediaArrived media:
                Post(() =>
                {
                    if (Calls.MediaRouteOf(media.Peer) is { } callId && MediaOf(callId) is { } session)
                        FeedMedia(session, at => session.Receive(at, media.Payload));
                });
                break;
        }
    }

    /// <summary>What the node guardian forwards from the gossip to the call manager.</summary>
    private void ForwardToCalls(GossipEvent gossipEvent)
    {
        switch (gossipEvent)
        {
            case GossipEvent.CallFound found:
                Post(() => FeedCalls(at => Calls.HandleInviteFound(at, found.Entry.CallId, found.Invite.CallerPublicKey.ToArray(), found.Invite.Offer.ToArray())));
                break;
            case GossipEvent.CallEnded ended:
                Post(() => FeedCalls(at => Calls.HandleTombstone(at, ended.Tombstone.CallId,
                    HashAddress.FromPublicKey(ended.Tombstone.SignerPublicKey.Span), ended.Tombstone.Kind)));
                break;
        }
    }
}
