using System.Net;
using Pype.Core.Connection;
using Pype.Core.Node;
using Pype.Core.Session;
using static Pype.Core.Node.EndpointCommand;
using static Pype.Core.Node.EndpointEvent;
using Xunit;

namespace Pype.Core.Tests.Node;

public sealed class NodeEndpointLinkTests
{
    private static readonly IPEndPoint PeerSource = IPEndPoint.Parse("192.0.2.20:5000");
    private readonly EndpointHarness _node = new(overlayDegree: 4);

    [Fact]
    public void A_connected_link_becomes_a_neighbour_and_its_path_shows_in_the_view()
    {
        var link = _node.Connected(EndpointHarness.Peer(1), CandidateKind.ServerReflexive);

        Assert.Equal(link.Peer, Assert.Single(_node.Taken<NeighbourUp>()).Peer);
        var connected = Assert.Single(_node.Taken<LinkConnected>());
        Assert.Equal(CandidateKind.ServerReflexive, connected.Kind);
        var view = Assert.Single(_node.Endpoint.Peers());
        Assert.Equal((PeerLinkState.Connected, CandidateKind.ServerReflexive, PeerSource, _node.Now), (view.State, view.PathKind, view.Path, view.ConnectedAt));
        Assert.Equal(1, _node.Endpoint.ConnectedCount);
    }

    [Fact]
    public void Path_changes_and_rtt_reports_keep_the_view_fresh_without_asking_the_link()
    {
        var link = _node.Connected(EndpointHarness.Peer(1));
        var relayed = IPEndPoint.Parse("198.51.100.7:3478");

        _node.LinkEvent(link, new PeerLinkEvent.PathChanged(PeerSource, relayed, CandidateKind.Relayed));
        _node.Endpoint.HandleLinkState(link.Peer, link.Generation, CandidateKind.Relayed, relayed, TimeSpan.FromMilliseconds(42));

        Assert.Equal(relayed, Assert.Single(_node.Taken<LinkPathChanged>()).Path);
        var view = Assert.Single(_node.Endpoint.Peers());
        Assert.Equal((CandidateKind.Relayed, relayed, TimeSpan.FromMilliseconds(42)), (view.PathKind.GetValueOrDefault(), view.Path, view.Rtt.GetValueOrDefault()));
    }

    [Fact]
    public void A_lost_link_is_reported_and_stopped_and_forgotten_once_its_owner_has_stopped()
    {
        var link = _node.Connected(EndpointHarness.Peer(1));
        _node.Taken<NeighbourUp>();

        _node.LinkEvent(link, new PeerLinkEvent.Lost(TimeSpan.FromSeconds(15)));

        Assert.Single(_node.Taken<NeighbourDown>());
        Assert.Equal(TimeSpan.FromSeconds(15), Assert.Single(_node.Taken<LinkLost>()).Silence);
        Assert.Equal(link.Generation, Assert.Single(_node.Taken<StopLink>()).Generation);
        Assert.Equal(PeerLinkState.Lost, Assert.Single(_node.Endpoint.Peers()).State);

        _node.Endpoint.HandleLinkStopped(link.Peer, link.Generation);
        _node.Drain();
        Assert.Empty(_node.Endpoint.Peers());
        Assert.Empty(_node.Taken<NeighbourDown>());
    }

    [Fact]
    public void A_link_that_finds_no_path_is_reported_and_stopped()
    {
        var link = _node.Introduce(EndpointHarness.Peer(1));

        _node.LinkEvent(link, new PeerLinkEvent.NoDirectPath(3, TimeSpan.FromSeconds(5)));

        Assert.Equal(3, Assert.Single(_node.Taken<LinkWithoutPath>()).CandidatesTried);
        Assert.Single(_node.Taken<StopLink>());
        Assert.Equal(PeerLinkState.NoDirectPath, Assert.Single(_node.Endpoint.Peers()).State);
    }

    [Fact]
    public void A_connected_link_whose_owner_fails_is_a_neighbour_gone()
    {
        var link = _node.Connected(EndpointHarness.Peer(1));

        _node.Endpoint.HandleLinkStopped(link.Peer, link.Generation);

        Assert.Single(_node.Taken<NeighbourDown>());
        Assert.Empty(_node.Endpoint.Peers());
    }

    [Fact]
    public void Events_of_a_stale_generation_are_ignored()
    {
        var link = _node.Introduce(EndpointHarness.Peer(1));

        _node.Endpoint.HandleLinkEvent(_node.Now, link.Peer, link.Generation + 1, new PeerLinkEvent.Connected(PeerSource, CandidateKind.Host, TimeSpan.Zero));
        _node.Drain();

        Assert.Empty(_node.Events);
        Assert.Equal(PeerLinkState.Punching, Assert.Single(_node.Endpoint.Peers()).State);
    }

    [Fact]
    public void Session_plaintexts_go_where_their_type_says_and_an_unknown_type_is_dropped_and_counted()
    {
        var peer = EndpointHarness.Peer(1);
        var link = _node.Connected(peer);
        var gossip = EndpointHarness.Payload(SessionMessageType.GossipDigest, 1);
        var call = EndpointHarness.Payload(SessionMessageType.CallInvite, 2);
        var media = EndpointHarness.Payload(SessionMessageType.MediaRtp, 3);

        foreach (var payload in new[] { gossip, call, media, [0x7F, 4], [] })
            _node.LinkEvent(link, new PeerLinkEvent.DataReceived(payload));

        Assert.Same(gossip, Assert.Single(_node.Taken<GossipArrived>()).Payload);
        var signal = Assert.Single(_node.Taken<CallSignalArrived>());
        Assert.Same(call, signal.Payload);
        Assert.Equal(peer.PublicKey.ToArray(), signal.PeerIdentityKey);
        Assert.Same(media, Assert.Single(_node.Taken<MediaArrived>()).Payload);
        Assert.Equal(2, _node.Endpoint.Drops[NodeEndpointDrop.DataOfUnknownType]);
    }

    [Fact]
    public void Media_from_a_peer_whose_route_was_withdrawn_is_dropped_and_counted_instead_of_going_up()
    {
        var link = _node.Connected(EndpointHarness.Peer(1));
        _node.Endpoint.SetMediaRoute(link.Peer, routed: true);
        _node.Endpoint.SetMediaRoute(link.Peer, routed: false);

        _node.LinkEvent(link, new PeerLinkEvent.DataReceived(EndpointHarness.Payload(SessionMessageType.MediaRtcp, 1)));

        Assert.Empty(_node.Taken<MediaArrived>());
        Assert.Equal(1, _node.Endpoint.Drops[NodeEndpointDrop.MediaWithoutRoute]);
    }

    [Fact]
    public void Gossip_and_media_for_a_peer_without_a_session_are_dropped_and_counted()
    {
        var punching = _node.Introduce(EndpointHarness.Peer(1));

        _node.Endpoint.SendGossip(punching.Peer, [0x24]);
        _node.Endpoint.SendMedia(EndpointHarness.Hash(EndpointHarness.Peer(2)), [0x40]);

        Assert.Empty(_node.Taken<SendToLink>());
        Assert.Equal(1, _node.Endpoint.Drops[NodeEndpointDrop.GossipForUnconnectedPeer]);
        Assert.Equal(1, _node.Endpoint.Drops[NodeEndpointDrop.MediaForUnconnectedPeer]);
    }

    [Fact]
    public void Gossip_for_a_connected_peer_goes_to_its_link()
    {
        var link = _node.Connected(EndpointHarness.Peer(1));

        _node.Endpoint.SendGossip(link.Peer, [0x24, 1]);

        Assert.Equal(link.Peer, Assert.Single(_node.Taken<SendToLink>()).Peer);
    }

    [Fact]
    public void Call_signals_for_a_peer_without_a_session_wait_for_its_introduction_and_leave_in_order_when_it_connects()
    {
        _node.Register();
        _node.Taken<RequestPeerList>();
        var peer = EndpointHarness.Peer(1);
        var hash = EndpointHarness.Hash(peer);

        _node.Endpoint.SendCallSignal(_node.Now, hash, peer.PublicKey.ToArray(), [0x30, 1]);
        _node.Endpoint.SendCallSignal(_node.Now, hash, peer.PublicKey.ToArray(), [0x30, 2]);
        Assert.Single(_node.Taken<RequestIntroduction>());
        _node.Taken<SendToLink>();

        _node.Connected(peer);

        Assert.Equal([(byte)1, (byte)2], _node.Taken<SendToLink>().Select(s => s.Payload[1]));
    }

    [Fact]
    public void Call_signals_held_longer_than_their_lifetime_are_dropped_and_counted()
    {
        _node.Register();
        var peer = EndpointHarness.Peer(1);
        var hash = EndpointHarness.Hash(peer);
        _node.Endpoint.SendCallSignal(_node.Now, hash, peer.PublicKey.ToArray(), [0x30, 1]);
        _node.Advance(HeldCallSignals.Lifetime + TimeSpan.FromSeconds(1));

        _node.Endpoint.SendCallSignal(_node.Now, hash, peer.PublicKey.ToArray(), [0x30, 2]);
        for (var i = 0; i < HeldCallSignals.PerPeer; i++)
            _node.Endpoint.SendCallSignal(_node.Now, hash, peer.PublicKey.ToArray(), [0x30, (byte)(10 + i)]);
        _node.Taken<SendToLink>();
        _node.Connected(peer);

        Assert.Equal(2, _node.Endpoint.Drops[NodeEndpointDrop.CallSignalExpiredWaitingForSession]);
        Assert.Equal(HeldCallSignals.PerPeer, _node.Taken<SendToLink>().Count);
    }

    [Fact]
    public void Call_signals_without_a_seed_to_introduce_the_peer_are_counted()
    {
        var peer = EndpointHarness.Peer(1);

        _node.Endpoint.SendCallSignal(_node.Now, EndpointHarness.Hash(peer), peer.PublicKey.ToArray(), [0x30, 1]);

        Assert.Equal(1, _node.Endpoint.Drops[NodeEndpointDrop.CallSignalWithoutSeed]);
        Assert.Empty(_node.Taken<RequestIntroduction>());
    }

    [Fact]
    public void An_initiation_from_an_introduced_peer_is_answered_and_handed_to_its_link()
    {
        var peer = EndpointHarness.Peer(1);
        var link = _node.Introduce(peer);

        _node.Endpoint.HandleInitiation(_node.Now, PeerSource, _node.InitiationFrom(peer, 5), viaRelay: true);

        var accepted = Assert.Single(_node.Taken<AcceptHandshake>());
        Assert.Equal((link.Peer, PeerSource, true), (accepted.Peer, accepted.Source, accepted.ViaRelay));
        Assert.Equal(5u, accepted.Acceptance.Session.RemoteIndex);
    }

    [Fact]
    public void An_initiation_from_a_peer_the_seed_never_introduced_is_refused_and_counted()
    {
        _node.Endpoint.HandleInitiation(_node.Now, PeerSource, _node.InitiationFrom(EndpointHarness.Peer(1), 5), viaRelay: false);

        Assert.Empty(_node.Taken<AcceptHandshake>());
        Assert.Equal(1, _node.Endpoint.HandshakeDrops[HandshakeDrop.PeerNotAllowed]);
        Assert.Equal(1, _node.Endpoint.DropsByName()["initiation-peer-not-allowed"]);
    }

    [Fact]
    public void Forged_initiations_are_counted_under_the_names_operators_know()
    {
        var forged = _node.InitiationFrom(EndpointHarness.Peer(1), 5);
        forged[Pype.Core.Wire.HandshakeInitiation.MacOffset] ^= 1;

        _node.Endpoint.HandleInitiation(_node.Now, PeerSource, forged, viaRelay: false);

        Assert.Equal(1, _node.Endpoint.DropsByName()["initiation-bad-mac"]);
    }
}
