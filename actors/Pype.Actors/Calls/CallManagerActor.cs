using Akka.Actor;
using Akka.Event;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Core;
using Pype.Core.Calls;
using Pype.Core.Identity;

namespace Pype.Actors.Calls;

/// <summary>
/// Shell around <see cref="CallDesk"/>, which decides everything about this node's calls: it feeds
/// the desk signalling, call-list finds, lost links and the user's commands, and does what the desk
/// says (signals through the peer list, call-list entries through gossip, media sessions created,
/// let flow and stopped, the peer list told where each peer's media goes), and publishes its events.
/// Supervision: media sessions are its children; one that throws is stopped, not restarted (capture
/// would restart mid-call blindly), and the desk hears it is gone, so the call goes on without media
/// and the peer's media route is withdrawn. This actor's own state is the desk; the node guardian
/// above it decides what its failure means.
/// </summary>
public sealed class CallManagerActor : SansIoShellActor
{
    /// <summary>How often each flowing call's media statistics are published.</summary>
    public static readonly TimeSpan CallStatsInterval = TimeSpan.FromSeconds(1);

    private readonly Configuration.MediaSettings mediaSettings;
    private readonly IActorRef peers;
    private readonly IActorRef gossip;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly CallDesk desk;
    /// <summary>The live media session of each call with media: what the desk, being IO-free, cannot hold.</summary>
    private readonly Dictionary<UInt128, IActorRef> sessions = [];
    private long mediaGeneration;

    public CallManagerActor(IdentityKeyPair identity, Configuration.CallSettings settings, Configuration.MediaSettings mediaSettings, IActorRef peers, IActorRef gossip)
    {
        this.mediaSettings = mediaSettings;
        this.peers = peers;
        this.gossip = gossip;
        desk = new CallDesk(identity.Hash, SystemRandomSource.Instance, new CallDeskOptions
        {
            Calls = CallOptions.Default with { RingingTimeout = settings.RingingTimeout },
            PrepareMediaWhileRinging = settings.PrepareMediaWhileRinging,
            AutoAnswer = settings.AutoAnswer,
        });

        Receive<PlaceCallTo>(place => Feed(now => Sender.Tell(desk.Place(now, place.CalleePublicKey) is var placed && placed.IsDone
            ? new CallPlaced(placed.CallId.ToString("x32"), HashAddress.FromPublicKey(place.CalleePublicKey).ToString(), PypeAddress.Encode(place.CalleePublicKey))
            : new CommandFailed("call", placed.Refusal!))));
        Receive<ActOnCall>(act => Feed(now =>
        {
            var outcome = act.Action switch
            {
                CallAction.Answer => desk.Answer(now, act.CallId, act.Command),
                CallAction.Reject => desk.Reject(now, act.CallId, act.Command),
                _ => desk.HangUp(now, act.CallId, act.Command),
            };
            Sender.Tell(outcome.IsDone ? new CallCommandDone(act.Command, outcome.CallId.ToString("x32")) : new CommandFailed(act.Command, outcome.Refusal!));
        }));
        Receive<CallSignalReceived>(signal => Feed(now => desk.HandleSignal(now, signal.Peer, signal.PeerPublicKey, signal.Payload)));
        Receive<CallInviteFound>(found => Feed(now =>
        {
            if (!desk.HandleInviteFound(now, found.CallId, found.CallerPublicKey, found.Offer))
                log.Warning("Call {0:x32} in the call list carries an offer this node cannot read; ignored", found.CallId);
        }));
        Receive<CallTombstoneFound>(tombstone => Feed(now => desk.HandleTombstone(now, tombstone.CallId, tombstone.Signer, tombstone.Kind)));
        Receive<NeighbourDown>(down => Feed(now => desk.HandleLinkLost(now, down.Peer)));
        Receive<Contacts.ContactSetChanged>(changed => desk.SetContacts(changed.Contacts));
        // The fallback path while the peer list routes media through here rather than straight to the session.
        Receive<MediaReceivedFromPeer>(media =>
        {
            if (desk.MediaRouteOf(media.Peer) is { } callId && sessions.TryGetValue(callId, out var session)) session.Tell(new Media.MediaPacketReceived(media.Payload));
        });
        Receive<PublishCallStats>(_ =>
        {
            foreach (var call in desk.FlowingCalls) sessions.GetValueOrDefault(call.CallId)?.Tell(Media.GetMediaStats.Instance);
        });
        // A session that ended since it was asked has nothing left to publish.
        Receive<Media.MediaStats>(media =>
        {
            if (desk.IsFlowing(media.CallId)) Context.Parent.Tell(new CallStatsTick(media.CallId.ToString("x32"), PeerText(media.CallId), media));
        });
        Receive<Media.FirstPictureShown>(shown => Context.Parent.Tell(new CallFirstPicture(shown.CallId.ToString("x32"), PeerText(shown.CallId), shown.AfterFlowStart)));
        Receive<Media.MediaProblem>(problem => Context.Parent.Tell(new CallMediaProblem(problem.CallId.ToString("x32"), problem.Stage, problem.Message)));
        Receive<GetCallStats>(_ => Context.ActorOf(CallStatsGathering.Props(Sender, desk.FlowingCalls
            .Where(call => sessions.ContainsKey(call.CallId))
            .Select(call => new CallStatsGathering.Flowing(call.CallId, call.Peer.ToString(), call.EstablishedAt is { } at ? Now - at : TimeSpan.Zero, sessions[call.CallId]))
            .ToList())));
        Receive<GetLiveCalls>(_ => Sender.Tell(new LiveCalls(desk.LiveCalls.Select(call => CallNodeEvents.View(call, Now)).ToList())));
        Receive<Terminated>(gone =>
        {
            if (sessions.FirstOrDefault(pair => pair.Value.Equals(gone.ActorRef)) is { Value: not null } failed && sessions.Remove(failed.Key))
                Feed(now => desk.HandleMediaGone(now, failed.Key));
        });
        // The call list answers the entries this actor writes; a refused entry only means the
        // callee must be reached directly, which is tried anyway.
        Receive<CallListWritten>(_ => { });
        Receive<CallListRefused>(refused => log.Debug("Call list: {0}", refused.Reason));
        Receive<CallListEndDeferred>(deferred => log.Debug("Call list: the end of call {0} waits for its invite", deferred.CallId));
    }

    public static Props Props(IdentityKeyPair identity, Configuration.CallSettings settings, Configuration.MediaSettings mediaSettings, IActorRef peers, IActorRef gossip) =>
        Akka.Actor.Props.Create(() => new CallManagerActor(identity, settings, mediaSettings, peers, gossip));

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer(nameof(PublishCallStats), PublishCallStats.Instance, CallStatsInterval);
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override DateTimeOffset? NextDeadline => desk.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => desk.HandleTimeout(now);

    protected override void DrainOutputs()
    {
        while (desk.PollCommand() is { } command) Carry(command);
        while (desk.PollEvent() is { } deskEvent) Context.Parent.Tell(CallNodeEvents.From(deskEvent));
    }

    private void Carry(CallDeskCommand command)
    {
        switch (command)
        {
            case CallDeskCommand.SendSignal send: peers.Tell(new SendCallSignal(send.Peer, send.PeerPublicKey, send.Bytes)); break;
            case CallDeskCommand.InviteInCallList invite: gossip.Tell(new PlaceCallInList(invite.CalleePublicKey, invite.CallId, invite.Offer)); break;
            case CallDeskCommand.EndInCallList end: gossip.Tell(new EndCallInList(end.CallId.ToString("x32"), end.Kind, "call-manager")); break;
            case CallDeskCommand.PrepareMedia prepare:
                Open(prepare.CallId, Media.MediaSessionActor.Prepare(new Media.MediaSessionSpec(prepare.CallId, prepare.Peer, prepare.Local, prepare.Remote), mediaSettings, peers));
                break;
            case CallDeskCommand.StartMedia start:
                Open(start.CallId, Media.MediaSessionActor.Props(new Media.MediaSessionSpec(start.CallId, start.Peer, start.Local, start.Remote), mediaSettings, peers));
                break;
            case CallDeskCommand.ReleaseMedia release: sessions.GetValueOrDefault(release.CallId)?.Tell(new Media.StartMediaFlow(release.Remote)); break;
            case CallDeskCommand.StopMedia stop:
                if (sessions.Remove(stop.CallId, out var session)) Context.Stop(session);
                break;
            case CallDeskCommand.RouteMedia route:
                peers.Tell(new RouteMedia(route.Peer, route.CallId is { } callId ? sessions.GetValueOrDefault(callId) : null));
                break;
        }
    }

    private void Open(UInt128 callId, Props props) =>
        sessions[callId] = Context.Watch(Context.ActorOf(props, $"media-{callId.ToString("x32")[..12]}-{++mediaGeneration}"));

    private string PeerText(UInt128 callId) => desk.PeerOf(callId)?.ToString() ?? "";
}
