using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Node;
using static Pype.Core.Node.EndpointCommand;
using static Pype.Core.Node.EndpointEvent;

namespace Pype.Actors.Peers;

/// <summary>
/// Shell over <see cref="NodeEndpoint"/> (overlay degree, introductions and their retries, the
/// handshake gate, held call signals, where session plaintexts go): starts and stops a
/// ConnectionActor per link as the endpoint says, carries its requests to the seed link, and
/// reports its events to the node. <c>peers</c> is answered from the endpoint's view at once.
/// Supervision: a child of the NodeGuardian, restarted with it (links are rebuilt by the seed's
/// introductions). Its ConnectionActors are stopped on any failure; their termination tells the
/// endpoint the link is gone.
/// </summary>
public sealed class PeerListActor : SansIoShellActor
{
    private readonly IdentityKeyPair identity;
    private readonly IActorRef transport;
    private readonly IActorRef? seedLink;
    private readonly PeerLinkOptions linkOptions;
    private readonly NodeEndpoint endpoint;
    private readonly Dictionary<HashAddress, IActorRef> links = [];
    private readonly Dictionary<IActorRef, (HashAddress Peer, long Generation)> owners = [];
    private readonly Dictionary<HashAddress, IActorRef> mediaRoutes = [];

    public PeerListActor(IdentityKeyPair identity, Configuration.NodeSettings settings, IActorRef transport, IActorRef? seedLink, Pype.Core.Noise.HandshakeClock? handshakeClock)
    {
        this.identity = identity;
        this.transport = transport;
        this.seedLink = seedLink;
        linkOptions = new PeerLinkOptions { KeepaliveInterval = settings.KeepaliveInterval, PunchTimeout = settings.PunchTimeout, HandshakeClock = handshakeClock };
        endpoint = new NodeEndpoint(identity, new NodeEndpointOptions { OverlayDegree = settings.OverlayDegree, HasSeed = seedLink is not null, CandidateRanges = settings.CandidateRanges }, SystemRandomSource.Instance, Now);

        Receive<InboundDatagram>(d => Feed(now => endpoint.HandleInitiation(now, d.Source, d.Datagram, d.ViaRelay)));
        Receive<SeedLinkEventOccurred>(e => Feed(now => endpoint.HandleSeedEvent(now, e.Event)));
        Receive<LinkEventOccurred>(e => { if (owners.TryGetValue(Sender, out var o)) Feed(now => endpoint.HandleLinkEvent(now, o.Peer, o.Generation, e.Event)); });
        Receive<LinkStateChanged>(s => { if (owners.TryGetValue(Sender, out var o)) endpoint.HandleLinkState(o.Peer, o.Generation, s.PathKind, s.ActivePath, s.Rtt); });
        Receive<ConnectToPeer>(c => Feed(_ => { if (endpoint.Connect(c.Address, Sender) is { } failure) Sender.Tell(new CommandFailed("connect", failure)); }));
        Receive<ConnectRequestSent>(s => Feed(now => endpoint.HandleIntroductionRequested(now, s.RequestId, s.Target, s.ReplyTo, s.Attempt)));
        Receive<DisconnectPeer>(d => Feed(_ => Sender.Tell(endpoint.TryDisconnect(d.Peer, out var peer, out var failure)
            ? new PeerDisconnected(peer.ToString()) : new CommandFailed("disconnect", failure))));
        Receive<Replication.SendGossip>(send => Feed(_ => endpoint.SendGossip(send.Peer, send.Message)));
        Receive<Calls.SendCallSignal>(send => Feed(now => endpoint.SendCallSignal(now, send.Peer, send.PeerPublicKey, send.Payload)));
        Receive<Media.SendMediaPacket>(send => Feed(_ => endpoint.SendMedia(send.Peer, send.Payload)));
        Receive<OwnRelayChanged>(_ => Feed(now => endpoint.HandleOwnRelayChanged(now)));
        Receive<RouteMedia>(route =>
        {
            if (route.Session is { } session) mediaRoutes[route.Peer] = session;
            else mediaRoutes.Remove(route.Peer);
            endpoint.SetMediaRoute(route.Peer, route.Session is not null);
            if (links.TryGetValue(route.Peer, out var link)) link.Tell(route);
        });
        Receive<ListPeers>(_ => Sender.Tell(new PeersView([.. endpoint.Peers().Select(View)])));
        Receive<Contacts.ContactSetChanged>(changed => endpoint.SetContacts(changed.Contacts));
        Receive<GetPeerListStatus>(_ => Sender.Tell(new PeerListStatus(endpoint.ConnectedCount, endpoint.PunchingCount, endpoint.OverlayDegree, endpoint.DropsByName())));
        Receive<Terminated>(t =>
        {
            if (!owners.Remove(t.ActorRef, out var o)) return;
            if (links.TryGetValue(o.Peer, out var current) && current.Equals(t.ActorRef)) links.Remove(o.Peer);
            Feed(_ => endpoint.HandleLinkStopped(o.Peer, o.Generation));
        });
    }

    /// <param name="handshakeClock">The node's initiation timestamps, shared with the seed link; null gives each link its own.</param>
    public static Props Props(IdentityKeyPair identity, Configuration.NodeSettings settings, IActorRef transport, IActorRef? seedLink, Pype.Core.Noise.HandshakeClock? handshakeClock = null) =>
        Akka.Actor.Props.Create(() => new PeerListActor(identity, settings, transport, seedLink, handshakeClock));

    protected override DateTimeOffset? NextDeadline => endpoint.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => endpoint.HandleTimeout(now);

    protected override void PreStart()
    {
        transport.Tell(new RegisterHandshakeHandler(Self));
        Feed(_ => { });
    }

    /// <summary>A connection actor that throws is stopped; a new introduction starts a fresh one.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void DrainOutputs()
    {
        while (endpoint.PollCommand() is { } command) Carry(command);
        while (endpoint.PollEvent() is { } endpointEvent) Report(endpointEvent);
    }

    private void Carry(EndpointCommand command)
    {
        switch (command)
        {
            case StartLink start:
                var actor = Context.ActorOf(ConnectionActor.Props(endpoint.LocalStatic, identity.PublicKey.ToArray(), start.IdentityKey, linkOptions, transport, mediaRoutes.GetValueOrDefault(start.Peer)),
                    // A stopped link's name stays taken until it has terminated: number the generations.
                    $"conn-{start.Peer.Short}-{start.Generation}");
                Context.Watch(actor);
                links[start.Peer] = actor;
                owners[actor] = (start.Peer, start.Generation);
                actor.Tell(new StartPunching(start.Candidates));
                break;
            case StopLink stop when links.TryGetValue(stop.Peer, out var link) && owners[link].Generation == stop.Generation:
                // Watched until it has terminated, so the endpoint hears the link is gone.
                links.Remove(stop.Peer);
                Context.Stop(link);
                break;
            case ReintroduceLink again when links.TryGetValue(again.Peer, out var link): link.Tell(new Reintroduce(again.Candidates)); break;
            case SendToLink send when links.TryGetValue(send.Peer, out var link): link.Tell(new SendToPeer(send.Payload)); break;
            case AcceptHandshake accept when links.TryGetValue(accept.Peer, out var link): link.Tell(new AcceptedHandshake(accept.Source, accept.Acceptance, accept.ViaRelay)); break;
            case SendCookieReply cookie: transport.Tell(new SendDatagram(cookie.Destination, cookie.Datagram, cookie.ViaRelay)); break;
            case EndpointCommand.RequestIntroduction ask: seedLink?.Tell(new RequestIntroduction(ask.Target, ask.Requester as IActorRef, ask.Attempt)); break;
            case EndpointCommand.RequestPeerList ask: seedLink?.Tell(new RequestPeerList(ask.Max)); break;
        }
    }

    private void Report(EndpointEvent endpointEvent)
    {
        var parent = Context.Parent;
        switch (endpointEvent)
        {
            case SeedJoined joined: parent.Tell(new RegisteredAtSeed(joined.Seed, joined.ServerReflexive)); break;
            case SeedLeft left: parent.Tell(new LostSeed(left.Seed, left.Reason)); break;
            case LinkConnected up: parent.Tell(new PeerConnected(up.Peer.ToString(), PeerNames.Kind(up.Kind), up.Path.ToString(), up.Elapsed.TotalMilliseconds)); break;
            case LinkPathChanged moved: parent.Tell(new PeerPathChanged(moved.Peer.ToString(), PeerNames.Kind(moved.Kind), moved.Path.ToString())); break;
            case LinkLost lost: parent.Tell(new PeerLost(lost.Peer.ToString(), $"nothing heard for {lost.Silence.TotalSeconds:0} s")); break;
            case LinkWithoutPath none: parent.Tell(new Node.NoDirectPath(none.Peer.ToString(), none.CandidatesTried, none.Elapsed.TotalMilliseconds)); break;
            case EndpointEvent.NeighbourUp up: parent.Tell(new Replication.NeighbourUp(up.Peer)); break;
            case EndpointEvent.NeighbourDown down: parent.Tell(new Replication.NeighbourDown(down.Peer)); break;
            case GossipArrived gossip: parent.Tell(new Replication.GossipReceived(gossip.Peer, gossip.Payload)); break;
            case CallSignalArrived signal: parent.Tell(new Calls.CallSignalReceived(signal.Peer, signal.PeerIdentityKey, signal.Payload)); break;
            case MediaArrived media: parent.Tell(new Calls.MediaReceivedFromPeer(media.Peer, media.Payload)); break;
            case ConnectAnswered { Requester: IActorRef requester } answered: requester.Tell(new ConnectRequested(answered.Peer.ToString())); break;
            case ConnectFailed { Requester: IActorRef requester } failed: requester.Tell(new CommandFailed("connect", failed.Message)); break;
        }
    }

    private PeerView View(PeerLinkView view) => new(view.Peer.ToString(), PeerNames.State(view.State), view.PathKind is { } kind ? PeerNames.Kind(kind) : null,
        view.Path?.ToString(), view.Rtt?.TotalMilliseconds, view.ConnectedAt is { } at ? Now - at : null);
}
