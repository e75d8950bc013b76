using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Seed;
using Pype.Core.Session;
using static Pype.Core.Node.EndpointCommand;
using static Pype.Core.Node.EndpointEvent;
using Xunit;

namespace Pype.Core.Tests.Node;

public sealed class NodeEndpointOverlayTests
{
    private readonly EndpointHarness _node = new(overlayDegree: 4);

    [Fact]
    public void Registering_at_the_seed_is_reported_and_asks_for_twice_the_degree_of_peers_once()
    {
        _node.Register();
        _node.Register();

        Assert.Equal(2, _node.Taken<SeedJoined>().Count);
        Assert.Equal(8, Assert.Single(_node.Taken<RequestPeerList>()).Max);
    }

    [Fact]
    public void The_overlay_is_topped_up_every_five_seconds_while_below_its_degree_and_not_before_registering()
    {
        _node.Advance(TimeSpan.FromSeconds(11));
        Assert.Empty(_node.Taken<RequestPeerList>());

        _node.Register();
        _node.Taken<RequestPeerList>();
        _node.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(2, _node.Taken<RequestPeerList>().Count);
    }

    [Fact]
    public void A_full_overlay_asks_for_no_more_peers()
    {
        var node = new EndpointHarness(overlayDegree: 1);
        node.Register();
        node.Taken<RequestPeerList>();
        node.Connected(EndpointHarness.Peer(1));

        node.Advance(TimeSpan.FromSeconds(20));

        Assert.Empty(node.Taken<RequestPeerList>());
    }

    [Fact]
    public void A_peer_list_brings_introductions_only_up_to_the_deficit_skipping_ourselves_known_and_pending_peers()
    {
        _node.Register();
        _node.Connected(EndpointHarness.Peer(1));
        var list = new[] { _node.Identity, EndpointHarness.Peer(1), EndpointHarness.Peer(2), EndpointHarness.Peer(2), EndpointHarness.Peer(3), EndpointHarness.Peer(4), EndpointHarness.Peer(5) };

        _node.Endpoint.HandleSeedEvent(_node.Now, new PeerListReceived([.. list.Select(EndpointHarness.Key)]));
        var asked = _node.Taken<RequestIntroduction>();

        Assert.Equal([EndpointHarness.Key(EndpointHarness.Peer(2)), EndpointHarness.Key(EndpointHarness.Peer(3)), EndpointHarness.Key(EndpointHarness.Peer(4))], asked.Select(a => a.Target));
    }

    [Fact]
    public void Pending_introductions_count_against_the_deficit_of_the_next_peer_list()
    {
        _node.Register();
        _node.Endpoint.HandleSeedEvent(_node.Now, new PeerListReceived([EndpointHarness.Key(EndpointHarness.Peer(1)), EndpointHarness.Key(EndpointHarness.Peer(2))]));
        _node.AcknowledgeIntroductionRequests();

        _node.Endpoint.HandleSeedEvent(_node.Now, new PeerListReceived([.. Enumerable.Range(1, 6).Select(i => EndpointHarness.Key(EndpointHarness.Peer(i)))]));

        Assert.Equal([EndpointHarness.Key(EndpointHarness.Peer(3)), EndpointHarness.Key(EndpointHarness.Peer(4))], _node.Taken<RequestIntroduction>().Select(a => a.Target));
    }

    [Fact]
    public void An_unanswered_connect_is_asked_again_every_second_five_times_in_all_then_the_user_is_told()
    {
        _node.Register();
        var user = new object();
        Assert.Null(_node.Endpoint.Connect(PypeAddress.Encode(EndpointHarness.Peer(1).PublicKey.Span), user));

        var attempts = new List<int>();
        for (var second = 0; second < 8; second++)
        {
            _node.Drain();
            attempts.AddRange(_node.Commands.OfType<RequestIntroduction>().Select(r => r.Attempt));
            _node.AcknowledgeIntroductionRequests();
            _node.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 2, 3, 4, 5], attempts);
        var failed = Assert.Single(_node.Taken<ConnectFailed>());
        Assert.Same(user, failed.Requester);
        Assert.Equal("the seed did not answer in time", failed.Message);
    }

    [Fact]
    public void The_seeds_answer_to_a_connect_reaches_the_user_and_ends_the_retries()
    {
        _node.Register();
        var user = new object();
        var peer = EndpointHarness.Peer(1);
        _node.Endpoint.Connect(PypeAddress.Encode(peer.PublicKey.Span), user);
        var id = Assert.Single(_node.AcknowledgeIntroductionRequests());

        _node.Endpoint.HandleSeedEvent(_node.Now, new ConnectResultReceived(id, SeedConnectStatus.Introduced));
        _node.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(EndpointHarness.Hash(peer), Assert.Single(_node.Taken<ConnectAnswered>()).Peer);
        Assert.Empty(_node.Taken<RequestIntroduction>());
    }

    [Fact]
    public void An_offline_peer_is_reported_as_such()
    {
        _node.Register();
        var user = new object();
        _node.Endpoint.Connect(PypeAddress.Encode(EndpointHarness.Peer(1).PublicKey.Span), user);
        var id = Assert.Single(_node.AcknowledgeIntroductionRequests());

        _node.Endpoint.HandleSeedEvent(_node.Now, new ConnectResultReceived(id, SeedConnectStatus.Offline));

        Assert.EndsWith("is not online at the seed", Assert.Single(_node.Taken<ConnectFailed>()).Message);
    }

    [Fact]
    public void Connect_refuses_a_bad_address_our_own_a_connected_peer_and_a_node_without_a_registered_seed()
    {
        var user = new object();
        Assert.NotNull(_node.Endpoint.Connect("pype1nonsense", user));
        Assert.Equal("that is your own address", _node.Endpoint.Connect(PypeAddress.Encode(_node.Identity.PublicKey.Span), user));
        Assert.Equal("not registered at a seed yet", _node.Endpoint.Connect(PypeAddress.Encode(EndpointHarness.Peer(1).PublicKey.Span), user));
        Assert.Equal("no seed is configured (pype.node.seeds)",
            new EndpointHarness(hasSeed: false).Endpoint.Connect(PypeAddress.Encode(EndpointHarness.Peer(1).PublicKey.Span), user));

        _node.Register();
        _node.Connected(EndpointHarness.Peer(1));
        Assert.Equal("already connected to that peer", _node.Endpoint.Connect(PypeAddress.Encode(EndpointHarness.Peer(1).PublicKey.Span), user));
    }

    [Fact]
    public void A_seed_link_that_could_not_send_the_request_fails_the_connect_at_once()
    {
        var user = new object();

        _node.Endpoint.HandleIntroductionRequested(_node.Now, requestId: null, EndpointHarness.Key(EndpointHarness.Peer(1)), user, attempt: 1);

        Assert.Equal("not registered at a seed yet", Assert.Single(_node.Taken<ConnectFailed>()).Message);
    }

    [Fact]
    public void Losing_the_seed_is_reported_and_stops_the_overlay_asking()
    {
        _node.Register();
        _node.Taken<RequestPeerList>();

        _node.Endpoint.HandleSeedEvent(_node.Now, new SeedLostEvent(EndpointHarness.Seed, SeedLossReason.Silent));
        _node.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("Silent", Assert.Single(_node.Taken<SeedLeft>()).Reason);
        Assert.Empty(_node.Taken<RequestPeerList>());
        Assert.False(_node.Endpoint.IsRegistered);
    }

    [Fact]
    public void An_introduction_starts_a_link_whose_candidates_include_where_the_seed_saw_the_peer()
    {
        var observed = IPEndPoint.Parse("203.0.113.9:41000");

        var start = _node.Introduce(EndpointHarness.Peer(1), observed);

        Assert.Equal(EndpointHarness.Hash(EndpointHarness.Peer(1)), start.Peer);
        Assert.Contains(start.Candidates, c => c.Kind == CandidateKind.ServerReflexive && c.EndPoint.Equals(observed));
        Assert.Equal(PeerLinkState.Punching, Assert.Single(_node.Endpoint.Peers()).State);
    }

    [Fact]
    public void An_introduction_to_ourselves_is_dropped_and_counted()
    {
        _node.Endpoint.HandleSeedEvent(_node.Now, new IntroductionReceived(SignedPresence.Create(_node.Identity, _node.Now, []), null));

        _node.Drain();
        Assert.Empty(_node.Commands);
        Assert.Equal(1, _node.Endpoint.Drops[NodeEndpointDrop.IntroductionToSelf]);
    }

    [Fact]
    public void A_peer_introduced_again_while_connected_or_still_punching_gets_the_fresh_candidates_on_its_link()
    {
        var connected = _node.Connected(EndpointHarness.Peer(1));
        var punching = _node.Introduce(EndpointHarness.Peer(2));

        var fresh = new Candidate(CandidateKind.Relayed, IPEndPoint.Parse("198.51.100.7:3478"));
        _node.Endpoint.HandleSeedEvent(_node.Now, new IntroductionReceived(SignedPresence.Create(EndpointHarness.Peer(1), _node.Now, [fresh]), null));
        _node.Endpoint.HandleSeedEvent(_node.Now, new IntroductionReceived(SignedPresence.Create(EndpointHarness.Peer(2), _node.Now, [fresh]), null));

        var again = _node.Taken<ReintroduceLink>();
        Assert.Equal([connected.Peer, punching.Peer], again.Select(a => a.Peer));
        Assert.All(again, a => Assert.Equal([fresh], a.Candidates));
        Assert.Empty(_node.Taken<StartLink>());
        Assert.Empty(_node.Taken<StopLink>());
    }

    [Fact]
    public void A_peer_whose_link_was_lost_gets_a_new_link_of_a_new_generation_when_introduced_again()
    {
        var first = _node.Connected(EndpointHarness.Peer(1));
        _node.LinkEvent(first, new PeerLinkEvent.Lost(TimeSpan.FromSeconds(15)));
        _node.Taken<StopLink>();

        var second = _node.Introduce(EndpointHarness.Peer(1));

        Assert.True(second.Generation > first.Generation);
        // The old link's owner stopping late must not forget the new link.
        _node.Endpoint.HandleLinkStopped(first.Peer, first.Generation);
        Assert.Equal(PeerLinkState.Punching, Assert.Single(_node.Endpoint.Peers()).State);
    }

    [Fact]
    public void Our_relay_appearing_asks_the_seed_to_introduce_again_the_peers_still_punching_or_reached_through_a_relay()
    {
        _node.Register();
        _node.Taken<RequestPeerList>();
        _node.Connected(EndpointHarness.Peer(1), CandidateKind.Relayed);
        _node.Connected(EndpointHarness.Peer(2), CandidateKind.Host);
        _node.Introduce(EndpointHarness.Peer(3));

        _node.Endpoint.HandleOwnRelayChanged(_node.Now);
        _node.Endpoint.HandleOwnRelayChanged(_node.Now);
        // A link introduced just after our relay appeared was likely introduced without it.
        _node.Introduce(EndpointHarness.Peer(4));
        _node.Drain();
        Assert.Empty(_node.Taken<RequestIntroduction>());
        _node.Advance(NodeEndpoint.OwnRelaySettleTime);

        var asked = _node.Taken<RequestIntroduction>();
        Assert.Equal(new[] { 1, 3, 4 }.Select(n => EndpointHarness.Key(EndpointHarness.Peer(n))), asked.Select(a => a.Target));
        Assert.All(asked, a => Assert.Null(a.Requester));
        _node.Advance(NodeEndpoint.OwnRelaySettleTime);
        Assert.Empty(_node.Taken<RequestIntroduction>());
    }

    [Fact]
    public void A_link_that_found_no_path_is_introduced_once_more_but_not_again_when_that_fails_too()
    {
        _node.Register();
        _node.Taken<RequestPeerList>();
        var first = _node.Introduce(EndpointHarness.Peer(1));

        _node.LinkEvent(first, new PeerLinkEvent.NoDirectPath(2, TimeSpan.FromSeconds(5)));
        _node.Drain();

        var asked = Assert.Single(_node.Commands.OfType<RequestIntroduction>());
        Assert.Equal(EndpointHarness.Key(EndpointHarness.Peer(1)), asked.Target);
        var id = Assert.Single(_node.AcknowledgeIntroductionRequests());
        _node.Endpoint.HandleSeedEvent(_node.Now, new ConnectResultReceived(id, SeedConnectStatus.Introduced));
        _node.Endpoint.HandleLinkStopped(first.Peer, first.Generation);
        var second = _node.Introduce(EndpointHarness.Peer(1));
        _node.LinkEvent(second, new PeerLinkEvent.NoDirectPath(3, TimeSpan.FromSeconds(5)));
        Assert.Empty(_node.Taken<RequestIntroduction>());
        // Unless our own relay appears meanwhile: the peer is asked for once more with it.
        _node.Endpoint.HandleLinkStopped(second.Peer, second.Generation);
        _node.Endpoint.HandleOwnRelayChanged(_node.Now);
        _node.Advance(NodeEndpoint.OwnRelaySettleTime);
        Assert.Single(_node.Taken<RequestIntroduction>());
    }

    [Fact]
    public void Disconnect_finds_one_peer_by_address_or_by_eight_or_more_hex_digits_of_its_hash()
    {
        var one = _node.Connected(EndpointHarness.Peer(1));
        var two = _node.Introduce(EndpointHarness.Peer(2));

        Assert.False(_node.Endpoint.TryDisconnect(one.Peer.ToString()[..7], out _, out var tooShort));
        Assert.Equal($"no peer matches '{one.Peer.ToString()[..7]}'", tooShort);
        Assert.True(_node.Endpoint.TryDisconnect(" " + one.Peer.ToString()[..8].ToUpperInvariant() + " ", out var byPrefix, out _));
        Assert.Equal(one.Peer, byPrefix);
        Assert.True(_node.Endpoint.TryDisconnect(PypeAddress.Encode(EndpointHarness.Peer(2).PublicKey.Span), out var byAddress, out _));
        Assert.Equal(two.Peer, byAddress);

        Assert.Empty(_node.Endpoint.Peers());
        Assert.Equal([one.Peer, two.Peer], _node.Taken<StopLink>().Select(s => s.Peer));
        Assert.Equal(one.Peer, Assert.Single(_node.Taken<NeighbourDown>()).Peer);
    }

    [Fact]
    public void Disconnect_matches_nothing_for_text_that_is_neither_an_address_nor_hex()
    {
        var one = _node.Connected(EndpointHarness.Peer(1));

        Assert.False(_node.Endpoint.TryDisconnect(one.Peer.ToString()[..8] + "zz", out _, out var failure));
        Assert.StartsWith("no peer matches", failure);
        Assert.Single(_node.Endpoint.Peers());
    }
}
