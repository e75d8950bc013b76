using Pype.Core.Seed;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>One seed, several nodes, an in-memory network and a virtual clock: the protocol end to end.</summary>
public sealed class SeedProtocolTests
{
    private static readonly TimeSpan Registration = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_node_registers_and_learns_its_public_endpoint()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);

        network.RunUntil(() => node.Client.IsRegistered, Registration);

        var registered = Assert.Single(node.EventsOf<SeedRegisteredEvent>());
        Assert.Equal(seed.EndPoint, registered.Seed.EndPoint);
        Assert.Equal(node.EndPoint, registered.ServerReflexive);
        Assert.True(seed.Server.IsOnline(node.Key));
        Assert.Equal(node.Key, Assert.Single(seed.Events.OfType<PeerRegistered>()).Peer);
        Assert.Equal(node.Key, Assert.Single(seed.Events.OfType<PresenceShared>()).Presence.PublicKey);
    }

    [Fact]
    public void A_peer_list_never_contains_the_asker_and_respects_the_maximum()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var nodes = Enumerable.Range(0, 6).Select(_ => network.AddNode(seed)).ToArray();
        network.RunUntil(() => nodes.All(n => n.Client.IsRegistered), Registration);
        var asker = nodes[0];

        for (var round = 0; round < 20; round++)
        {
            Assert.True(asker.Client.RequestPeerList(3));
            network.RunFor(new SeedServerOptions().PeerListInterval);
        }
        Assert.True(asker.Client.RequestPeerList(200));
        network.Pump();

        var lists = asker.EventsOf<PeerListReceived>().ToArray();
        Assert.Equal(21, lists.Length);
        Assert.All(lists[..20], list => Assert.Equal(3, list.Peers.Count));
        Assert.Equal(5, lists[20].Peers.Count);
        Assert.All(lists, list => Assert.DoesNotContain(asker.Key, list.Peers));
        Assert.All(lists, list => Assert.Equal(list.Peers.Count, list.Peers.Distinct().Count()));
        Assert.Equal(5, lists.SelectMany(l => l.Peers).Distinct().Count());
    }

    /// <summary>A node asks every 5 s while its overlay is short; a crawler asking in a loop pages through nothing.</summary>
    [Fact]
    public void Peer_lists_go_to_registered_peers_only_and_at_most_one_per_interval()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var nodes = Enumerable.Range(0, 4).Select(_ => network.AddNode(seed)).ToArray();
        network.RunUntil(() => nodes.All(n => n.Client.IsRegistered), Registration);
        var asker = nodes[0];

        for (var burst = 0; burst < 10; burst++) Assert.True(asker.Client.RequestPeerList(3));
        network.Pump();
        Assert.Single(asker.EventsOf<PeerListReceived>());
        Assert.Equal(9, seed.Server.Drops[SeedServerDrop.PeerListTooSoon]);

        network.RunFor(new SeedServerOptions().PeerListInterval);
        Assert.True(asker.Client.RequestPeerList(3));
        network.Pump();
        Assert.Equal(2, asker.EventsOf<PeerListReceived>().Count());
    }

    [Fact]
    public void Connect_introduces_both_sides_at_once_and_both_acknowledge()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var alice = network.AddNode(seed);
        var bob = network.AddNode(seed);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);

        var requestId = alice.Client.RequestConnect(bob.Key);
        network.Pump();

        Assert.Equal(new ConnectResultReceived(requestId!.Value, SeedConnectStatus.Introduced), Assert.Single(alice.EventsOf<ConnectResultReceived>()));
        var aliceLearns = Assert.Single(alice.EventsOf<IntroductionReceived>());
        var bobLearns = Assert.Single(bob.EventsOf<IntroductionReceived>());
        Assert.Equal(bob.Key, aliceLearns.Peer.PublicKey);
        Assert.Equal(bob.EndPoint, aliceLearns.ObservedEndPoint);
        Assert.Contains(aliceLearns.Peer.Candidates, c => c.Kind == CandidateKind.Host);
        Assert.Equal(alice.Key, bobLearns.Peer.PublicKey);
        Assert.Equal(alice.EndPoint, bobLearns.ObservedEndPoint);
        Assert.Equal(0, seed.Server.PendingIntroductionCount);
        Assert.Contains(new IntroductionMade(alice.Key, bob.Key), seed.Events);
    }

    [Fact]
    public void An_offline_target_gets_a_clear_offline_answer()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var alice = network.AddNode(seed);
        network.RunUntil(() => alice.Client.IsRegistered, Registration);

        var requestId = alice.Client.RequestConnect(PeerKey.Of(network.NewIdentity()));
        var toSelf = alice.Client.RequestConnect(alice.Key);
        network.Pump();

        Assert.Equal(
            [new ConnectResultReceived(requestId!.Value, SeedConnectStatus.Offline), new ConnectResultReceived(toSelf!.Value, SeedConnectStatus.Offline)],
            alice.EventsOf<ConnectResultReceived>());
        Assert.Empty(alice.EventsOf<IntroductionReceived>());
    }

    [Fact]
    public void A_node_cannot_ask_anything_before_it_is_registered()
    {
        var network = new SeedScenario();
        var node = network.AddNode(network.AddSeed());
        Assert.False(node.Client.RequestPeerList(5));
        Assert.Null(node.Client.RequestConnect(node.Key));
    }

    [Fact]
    public void A_node_that_goes_silent_is_forgotten_after_three_keepalive_intervals()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, Registration);
        network.RunFor(TimeSpan.FromMinutes(1));
        Assert.True(seed.Server.IsOnline(node.Key));

        node.IsUp = false;
        var silentSince = network.Now;
        network.RunUntil(silentSince + TimeSpan.FromSeconds(44));
        Assert.True(seed.Server.IsOnline(node.Key));
        network.RunUntil(() => !seed.Server.IsOnline(node.Key), TimeSpan.FromSeconds(30));

        Assert.InRange(network.Now - silentSince, TimeSpan.FromSeconds(44), TimeSpan.FromSeconds(45));
        Assert.Contains(new PeerForgotten(node.Key), seed.Events);
        Assert.Equal(0, seed.Server.SessionCount);
    }

    [Fact]
    public void A_registered_node_stays_registered_for_an_hour_through_keepalives_and_rekeys()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, Registration);

        network.RunFor(TimeSpan.FromHours(1));

        Assert.True(node.Client.IsRegistered);
        Assert.True(seed.Server.IsOnline(node.Key));
        Assert.Empty(node.EventsOf<SeedLostEvent>());
        Assert.Single(node.EventsOf<SeedRegisteredEvent>());
        Assert.Equal(1, seed.Server.SessionCount);
        Assert.Equal(0, seed.Server.Drops.Total);
        Assert.Equal(0, node.Client.Drops.Total);
    }

    [Fact]
    public void A_node_fails_over_to_the_second_seed_when_the_first_never_answers_and_back_again()
    {
        var network = new SeedScenario();
        var first = network.AddSeed();
        var second = network.AddSeed();
        first.IsUp = false;
        var node = network.AddNode(first, second);

        network.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(10));
        Assert.Equal(second.EndPoint, node.Client.CurrentSeed.EndPoint);
        Assert.Equal(SeedLossReason.StunFailed, Assert.Single(node.EventsOf<SeedLostEvent>()).Reason);

        second.IsUp = false;
        first.IsUp = true;
        network.RunUntil(() => node.Client.CurrentSeed.EndPoint.Equals(first.EndPoint) && node.Client.IsRegistered, TimeSpan.FromMinutes(2));

        Assert.Equal(
            [SeedLossReason.StunFailed, SeedLossReason.Silent],
            node.EventsOf<SeedLostEvent>().Select(e => e.Reason));
        Assert.Equal([second.EndPoint, first.EndPoint], node.EventsOf<SeedRegisteredEvent>().Select(e => e.Seed.EndPoint));
        Assert.True(first.Server.IsOnline(node.Key));
    }

    [Fact]
    public void A_seed_that_answers_stun_but_not_the_handshake_is_left_after_about_five_seconds()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        var handshakes = 0;
        network.Loses = (_, _, datagram) =>
        {
            if (datagram[0] == 0xE1 && !node.EventsOf<SeedLostEvent>().Any())
                handshakes++;
            return datagram[0] == 0xE2;
        };

        network.RunUntil(() => node.EventsOf<SeedLostEvent>().Any(), TimeSpan.FromSeconds(10));

        Assert.Equal(SeedLossReason.HandshakeTimedOut, Assert.Single(node.EventsOf<SeedLostEvent>()).Reason);
        // Tries at 0, 0.25, 0.75, 1.75 and 3.75 s after STUN: the back-off doubles from 250 ms.
        Assert.Equal(5, handshakes);
    }

    [Fact]
    public void Introductions_are_resent_until_acknowledged_and_reported_exactly_once()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var alice = network.AddNode(seed);
        var bob = network.AddNode(seed);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);
        var bobsPacketsToLose = 4;
        network.Loses = (from, _, _) => from.Equals(bob.EndPoint) && bobsPacketsToLose-- > 0;

        alice.Client.RequestConnect(bob.Key);
        network.RunUntil(() => seed.Server.PendingIntroductionCount == 0, TimeSpan.FromSeconds(4));

        Assert.Single(alice.EventsOf<IntroductionReceived>());
        Assert.Equal(alice.Key, Assert.Single(bob.EventsOf<IntroductionReceived>()).Peer.PublicKey);
        Assert.Equal(0, seed.Server.IntroductionsAbandoned);
    }

    [Fact]
    public void An_introduction_never_acknowledged_is_given_up_after_ten_sends()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var alice = network.AddNode(seed);
        var bob = network.AddNode(seed);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);
        var introductionsToBob = 0;
        network.Loses = (from, to, datagram) =>
        {
            if (from.Equals(seed.EndPoint) && to.Equals(bob.EndPoint) && datagram.Length > 120)
                introductionsToBob++; // only an introduction is this long; acks, keepalives and results are shorter
            return from.Equals(bob.EndPoint);
        };

        alice.Client.RequestConnect(bob.Key);
        network.RunFor(TimeSpan.FromSeconds(6));

        Assert.Equal(10, introductionsToBob);
        Assert.Equal(1, seed.Server.IntroductionsAbandoned);
        Assert.Contains(seed.Events, e => e is IntroductionAbandoned abandoned && abandoned.Recipient.Equals(bob.Key));
        Assert.Equal(0, seed.Server.PendingIntroductionCount);
    }

    [Fact]
    public void A_node_pinned_to_another_key_never_completes_a_handshake_with_the_seed()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var impostorKey = PeerKey.Of(network.NewIdentity());
        var node = network.AddNode([new SeedEndpoint(seed.EndPoint, impostorKey)]);

        network.RunFor(TimeSpan.FromSeconds(20));

        Assert.False(node.Client.IsRegistered);
        Assert.Empty(node.EventsOf<SeedRegisteredEvent>());
        Assert.Contains(node.EventsOf<SeedLostEvent>(), e => e.Reason == SeedLossReason.HandshakeTimedOut);
        Assert.True(seed.Server.Drops[SeedServerDrop.HandshakeBadMac] > 0);
        Assert.Equal(0, seed.Server.SessionCount);
    }

    [Fact]
    public void A_reconnecting_node_replaces_its_old_session_and_stays_registered()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, Registration);

        // The node loses the seed's answers for a while, gives up on it and comes back to the same seed.
        network.Loses = (from, to, _) => from.Equals(seed.EndPoint) && network.Now < SeedScenario.Start + TimeSpan.FromSeconds(60);
        network.RunUntil(() => node.EventsOf<SeedLostEvent>().Any() && node.Client.IsRegistered, TimeSpan.FromMinutes(2));

        Assert.Equal(1, seed.Server.SessionCount);
        Assert.Equal(1, seed.Server.RegisteredPeerCount);
        Assert.Empty(seed.Events.OfType<PeerForgotten>());
    }

    [Fact]
    public void The_registry_refuses_peers_beyond_its_cap_and_counts_them()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(new SeedServerOptions { MaxRegisteredPeers = 2 });
        var nodes = Enumerable.Range(0, 3).Select(_ => network.AddNode(seed)).ToArray();
        network.RunFor(Registration);

        Assert.Equal(2, seed.Server.RegisteredPeerCount);
        Assert.Equal(2, nodes.Count(n => n.Client.IsRegistered));
        Assert.True(seed.Server.Drops[SeedServerDrop.RegistryFull] > 0);
    }
}
