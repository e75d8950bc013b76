using System.Net;
using Pype.Core.Calls;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Turn;
using static Pype.Core.Node.EndpointCommand;

namespace Pype.Simulation;

/// <summary>
/// A node's overlay on a host of the <see cref="VirtualNetwork"/>, without actors: the real
/// <see cref="NodeEndpoint"/>, one real <see cref="PeerLink"/> per link and the real
/// <see cref="SeedClient"/>, composed as PeerListActor, ConnectionActor, SeedLinkActor and the UDP
/// transport (with its <see cref="DatagramDemux{TOwner}"/>) compose them, the real gossip
/// engine as GossipActor runs it (SimulatedNode.Gossip.cs), the real call desk as
/// CallManagerActor runs it (SimulatedNode.Calls.cs) and the real TURN relay as RelayActor runs
/// it (SimulatedNode.Relay.cs). Messages between those parts go through one mailbox, in the order
/// the actors would send them, so one core never runs inside another's output loop. Each call's
/// media is the real media core over synthetic stages (<see cref="SimulatedMediaSession"/>).
/// </summary>
public sealed partial class SimulatedNode : ISimulatedAgent
{
    /// <summary>How often the transport forgets idle routes (UdpTransportActor's check).</summary>
    public static readonly TimeSpan RouteExpiryCheck = TimeSpan.FromMinutes(1);

    private readonly VirtualNetwork _network;
    private readonly PeerLinkOptions _linkOptions;
    private readonly SimulationRandom _random;
    private readonly DatagramDemux<object> _demux = new();
    // The link each peer's commands go to; a stopped link leaves this at once, as in PeerListActor.
    private readonly Dictionary<HashAddress, NodeLink> _links = [];
    // Every link not yet stopped, in the order started, so deadlines fire in a replayable order.
    private readonly List<NodeLink> _running = [];
    private readonly Queue<Action> _mailbox = new();
    private DateTimeOffset _nextRouteExpiry;

    /// <param name="linkOptions">The peer links' timers; their keep-alive interval is the seed link's too, as the node's one setting is for the actors.</param>
    /// <param name="gossip">The replication settings; <see cref="GossipSettings.Default"/> when null.</param>
    /// <param name="calls">The call settings (auto-answer, ringing timeout, media prepared while ringing); reference.conf's when null.</param>
    public SimulatedNode(
        VirtualNetwork network, SimulatedHost host, IdentityKeyPair identity, IReadOnlyList<SeedEndpoint> seeds,
        NodeEndpointOptions endpointOptions, PeerLinkOptions linkOptions, int randomSeed, GossipSettings? gossip = null,
        CallDeskOptions? calls = null)
    {
        _network = network;
        _linkOptions = linkOptions;
        _random = new SimulationRandom(randomSeed);
        Host = host;
        Identity = identity;
        var now = network.Now;
        _nextRouteExpiry = now + RouteExpiryCheck;
        // The simulated socket is bound to one address, which is then its one host candidate (HostCandidates.For).
        _own = new OwnAddresses([new Candidate(CandidateKind.Host, host.EndPoint)]);
        // The guardian starts the gossip before the seed link and the peer list.
        Gossip = StartGossip(identity, _random, now, gossip ?? GossipSettings.Default);
        SeedClient = new SeedClient(new SeedClientOptions
        {
            Identity = identity,
            Seeds = seeds,
            HostCandidates = _own.Host,
            KeepaliveInterval = linkOptions.KeepaliveInterval,
        }, _random, now);
        Endpoint = new NodeEndpoint(identity, endpointOptions with { HasSeed = seeds.Count > 0 }, _random, now);
        // Only a seed hands out TURN servers, so without one there is nothing to allocate on.
        Relay = seeds.Count > 0 ? new TurnRelay(_random) : null;
        StartCalls(calls ?? ReferenceCallSettings);
        // What SeedLinkActor and PeerListActor register with the transport when they start.
        _demux.StunHandler = SeedClient;
        _demux.HandshakeHandler = Endpoint;
        host.Receive = (at, source, datagram) => Deliver(() => Dispatch(at, source, datagram));
        network.Attach(this);
        Deliver(() =>
        {
            FeedGossip(PublishOwnRecord);
            FeedSeed(_ => { });
            FeedEndpoint(_ => { });
        });
    }

    public SimulatedHost Host { get; }

    public IdentityKeyPair Identity { get; }

    public PeerKey Key => PeerKey.Of(Identity);

    public HashAddress Hash => Identity.Hash;

    public NodeEndpoint Endpoint { get; }

    public SeedClient SeedClient { get; }

    /// <summary>Everything the endpoint told the rest of the node, in order.</summary>
    public List<EndpointEvent> Events { get; } = [];

    /// <summary>Every link the peer list started, with the virtual time it did and the candidates the seed introduced.</summary>
    public List<(DateTimeOffset At, HashAddress Peer, IReadOnlyList<Candidate> Candidates)> LinksStarted { get; } = [];

    /// <summary>Datagrams the transport dropped before any core saw them, by reason.</summary>
    public IReadOnlyDictionary<string, long> TransportDrops => _demux.Drops;

    public int RoutedIndices => _demux.RoutedIndices;

    /// <summary>The earliest of the cores' deadlines, read after every input as each shell re-arms its timer.</summary>
    public DateTimeOffset? NextDeadline { get; private set; }

    /// <summary>Each core whose deadline has come gets its timeout, as each actor's own timer would fire.</summary>
    public void HandleTimeout(DateTimeOffset now) => Deliver(() =>
    {
        if (SeedClient.NextDeadline <= now)
            Post(() => FeedSeed(SeedClient.HandleTimeout));
        if (Endpoint.NextDeadline <= now)
            Post(() => FeedEndpoint(Endpoint.HandleTimeout));
        if (Gossip.NextDeadline <= now)
            Post(() => FeedGossip(Gossip.HandleTimeout));
        if (Calls.NextDeadline <= now)
            Post(() => FeedCalls(Calls.HandleTimeout));
        if (Relay is { } relay && relay.NextDeadline <= now)
            Post(() => FeedRelay(relay, relay.HandleTimeout));
        foreach (var link in _running.Where(l => l.Core.NextDeadline <= now).ToList())
            Post(() => FeedLink(link, (at, core) => core.HandleTimeout(at)));
        foreach (var media in MediaSessions.Where(m => m.NextDeadline <= now).ToList())
            Post(() => FeedMedia(media, media.HandleTimeout));
        if (_nextRouteExpiry <= now)
        {
            _nextRouteExpiry = now + RouteExpiryCheck;
            _demux.ExpireIdle(now);
        }
    });

    /// <summary>The user's <c>connect</c>, as PeerListActor takes it: null when the introduction is under way (answered by an event), else why not.</summary>
    public string? Connect(string address, object requester)
    {
        string? failure = null;
        Deliver(() => FeedEndpoint(_ => failure = Endpoint.Connect(address, requester)));
        return failure;
    }

    public override string ToString() => $"node {Host}";

    /// <summary>The UDP transport's dispatch: answers STUN requests itself, hands the rest to the owner its demux names.</summary>
    private void Dispatch(DateTimeOffset now, IPEndPoint source, byte[] datagram)
    {
        if (_demux.IsStunRequest(source, datagram, out var answer))
        {
            if (answer is not null)
                _network.Send(Host, source, answer);
            return;
        }
        switch (_demux.OwnerOf(now, source, datagram))
        {
            case NodeLink link:
                Post(() => FeedLink(link, (at, core) => core.HandleDatagram(at, source, datagram)));
                break;
            case TurnRelay relay:
                Post(() => FeedRelay(relay, at => relay.HandleDatagram(at, source, datagram)));
                break;
            case Pype.Core.Seed.SeedClient:
                Post(() => FeedSeed(at => SeedClient.HandleDatagram(at, source, datagram)));
                break;
            case NodeEndpoint:
                Post(() => FeedEndpoint(at => Endpoint.HandleInitiation(at, source, datagram, viaRelay: false)));
                break;
        }
    }

    /// <summary>SeedLinkActor: one input, then its datagrams out (their handshake indices routed to it first) and its events to the endpoint.</summary>
    private void FeedSeed(Action<DateTimeOffset> input)
    {
        input(_network.Now);
        while (SeedClient.PollTransmit() is { } transmit)
        {
            if (LinkPacketRouting.TryReadSenderIndex(transmit.Datagram, out var index))
                _demux.Register(_network.Now, index, SeedClient);
            _network.Send(Host, transmit.Destination, transmit.Datagram);
        }
        while (SeedClient.PollEvent() is { } seedEvent)
        {
            if (seedEvent is RelayGrantReceived grant)
                GrantRelay(grant);
            else
                Post(() => FeedEndpoint(at => Endpoint.HandleSeedEvent(at, seedEvent)));
        }
    }

    /// <summary>PeerListActor: one input, then the endpoint's commands carried out and its events kept.</summary>
    private void FeedEndpoint(Action<DateTimeOffset> input)
    {
        input(_network.Now);
        while (Endpoint.PollCommand() is { } command)
            Carry(command);
        while (Endpoint.PollEvent() is { } endpointEvent)
        {
            Events.Add(endpointEvent);
            ForwardToGossip(endpointEvent);
            ForwardToCalls(endpointEvent);
            if (endpointEvent is EndpointEvent.LinkConnected up)
                _network.Trace.Note(_network.Now, $"{Host.Name} connected {up.Peer.Short} {up.Kind} {up.Path}");
        }
    }

    private void Carry(EndpointCommand command)
    {
        switch (command)
        {
            case StartLink start:
                var started = new NodeLink(start.Peer, start.Generation,
                    new PeerLink(Endpoint.LocalStatic, Identity.PublicKey.Span, start.IdentityKey, _random, _linkOptions));
                _links[start.Peer] = started;
                LinksStarted.Add((_network.Now, start.Peer, start.Candidates));
                _running.Add(started);
                Post(() =>
                {
                    PermitRelayPeers(start.Candidates);
                    FeedLink(started, (at, core) => core.Start(at, start.Candidates));
                });
                break;
            case StopLink stop when _links.TryGetValue(stop.Peer, out var link) && link.Generation == stop.Generation:
                _links.Remove(stop.Peer);
                link.Stopped = true;
                _running.Remove(link);
                // What the transport and the peer list do when they see the ConnectionActor terminate.
                Post(() => _demux.ReleaseOwner(link));
                Post(() => FeedEndpoint(_ => Endpoint.HandleLinkStopped(link.Peer, link.Generation)));
                break;
            case ReintroduceLink again when _links.TryGetValue(again.Peer, out var link):
                Post(() =>
                {
                    PermitRelayPeers(again.Candidates);
                    FeedLink(link, (at, core) => core.Reintroduce(at, again.Candidates));
                });
                break;
            case SendToLink send when _links.TryGetValue(send.Peer, out var link):
                Post(() => FeedLink(link, (at, core) => core.Send(at, send.Payload)));
                break;
            case AcceptHandshake accept when _links.TryGetValue(accept.Peer, out var link):
                Post(() =>
                {
                    // The endpoint allocated this index when it answered; the response names it.
                    Route(link, accept.Acceptance.Session.LocalIndex);
                    FeedLink(link, (at, core) => core.HandleAcceptedHandshake(at, accept.Source, accept.Acceptance, accept.ViaRelay));
                });
                break;
            case SendCookieReply cookie:
                // What the peer list does: straight to the transport.
                if (cookie.ViaRelay)
                    SendViaRelay(cookie.Destination, cookie.Datagram);
                else
                    _network.Send(Host, cookie.Destination, cookie.Datagram);
                break;
            case RequestIntroduction ask:
                Post(() =>
                {
                    uint? requestId = null;
                    FeedSeed(_ => requestId = SeedClient.RequestConnect(ask.Target));
                    Post(() => FeedEndpoint(at => Endpoint.HandleIntroductionRequested(at, requestId, ask.Target, ask.Requester, ask.Attempt)));
                });
                break;
            case RequestPeerList ask:
                Post(() => FeedSeed(_ => SeedClient.RequestPeerList(ask.Max)));
                break;
        }
    }

    /// <summary>ConnectionActor: one input, then the link's datagrams out, its events and path changes to the endpoint, its retired indices released.</summary>
    private void FeedLink(NodeLink link, Action<DateTimeOffset, PeerLink> input)
    {
        // A stopped actor's mail goes to dead letters.
        if (link.Stopped)
            return;
        var core = link.Core;
        input(_network.Now, core);
        while (core.PollTransmit() is { } transmit)
        {
            if (link.RoutedIndices.AddSent(transmit.Datagram, out var index))
                _demux.Register(_network.Now, index, link);
            if (transmit.ViaRelay)
                SendViaRelay(transmit.Destination, transmit.Datagram);
            else
                _network.Send(Host, transmit.Destination, transmit.Datagram);
        }
        while (core.PollEvent() is { } linkEvent)
        {
            if (linkEvent is PeerLinkEvent.DataReceived data && RouteToMedia(link.Peer, data.Payload))
                continue;
            Post(() => FeedEndpoint(at => Endpoint.HandleLinkEvent(at, link.Peer, link.Generation, linkEvent)));
        }
        foreach (var index in link.RoutedIndices.Retire(core))
            _demux.Release(index, link);
        var state = (core.ActivePathKind, core.ActivePath, core.Rtt);
        if (link.Reported == state)
            return;
        link.Reported = state;
        Post(() => FeedEndpoint(_ => Endpoint.HandleLinkState(link.Peer, link.Generation, state.ActivePathKind, state.ActivePath, state.Rtt)));
    }

    private void Route(NodeLink link, uint index)
    {
        if (link.RoutedIndices.Add(index))
            _demux.Register(_network.Now, index, link);
    }

    private void Post(Action message) => _mailbox.Enqueue(message);

    /// <summary>Runs one input from outside, then every message it set off, until the node is quiet again.</summary>
    private void Deliver(Action input)
    {
        input();
        while (_mailbox.TryDequeue(out var message))
            message();
        DateTimeOffset? next = _nextRouteExpiry;
        next = Earliest(next, SeedClient.NextDeadline);
        next = Earliest(next, Endpoint.NextDeadline);
        next = Earliest(next, Gossip.NextDeadline);
        next = Earliest(next, Calls.NextDeadline);
        next = Earliest(next, Relay?.NextDeadline);
        foreach (var link in _running)
            next = Earliest(next, link.Core.NextDeadline);
        foreach (var media in MediaSessions)
            next = Earliest(next, media.NextDeadline);
        NextDeadline = next;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>What the peer list knows of one ConnectionActor: its core, the endpoint's generation for it, the indices it routed.</summary>
    private sealed class NodeLink(HashAddress peer, long generation, PeerLink core)
    {
        public HashAddress Peer { get; } = peer;

        public long Generation { get; } = generation;

        public PeerLink Core { get; } = core;

        public LinkIndexRoutes RoutedIndices { get; } = new();

        public bool Stopped { get; set; }

        public (CandidateKind? Kind, IPEndPoint? Path, TimeSpan? Rtt)? Reported { get; set; }
    }
}
