using System.Net;
using Pype.Core.Seed;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>Seeds of one cluster introducing peers registered at different seeds (the cluster's transport is played by the test, through the codec).</summary>
public sealed class SeedClusterTests
{
    private static readonly TimeSpan Registration = TimeSpan.FromSeconds(5);

    /// <summary>What the cluster actor does: share registrations with every other seed, carry introductions to the seed that holds the target.</summary>
    private static void RunCluster(SeedScenario network, params SeedServerHost[] seeds)
    {
        var handled = new Dictionary<SeedServerHost, int>();
        for (var moved = true; moved;)
        {
            moved = false;
            network.Pump();
            foreach (var seed in seeds)
            {
                var events = seed.Events.Skip(handled.GetValueOrDefault(seed)).ToList();
                handled[seed] = seed.Events.Count;
                foreach (var e in events)
                {
                    switch (e)
                    {
                        case PresenceShared shared:
                            var entry = ClusterPeerCodec.Encode(new ClusterPeer(shared.Presence, shared.Observed, seed.EndPoint.ToString()));
                            foreach (var other in seeds.Where(s => s != seed))
                            {
                                Assert.True(ClusterPeerCodec.TryDecode(entry, out var decoded));
                                other.Server.ClusterPeerSeen(network.Now, decoded);
                            }
                            break;
                        case ClusterIntroductionNeeded needed:
                            var target = seeds.Single(s => s.EndPoint.ToString() == needed.Member);
                            var message = ClusterPeerCodec.EncodeIntroduction(needed.Target, new ClusterPeer(needed.About, needed.Observed, seed.EndPoint.ToString()));
                            Assert.True(ClusterPeerCodec.TryDecodeIntroduction(message, out var key, out var about));
                            Assert.True(target.Server.IntroduceFromCluster(network.Now, key, about.Presence, about.Observed));
                            moved = true;
                            break;
                    }
                }
            }
        }
    }

    [Fact]
    public void A_node_registered_at_one_seed_is_introduced_to_a_node_registered_at_another()
    {
        var network = new SeedScenario();
        var seed1 = network.AddSeed();
        var seed3 = network.AddSeed();
        var alice = network.AddNode(seed1);
        var bob = network.AddNode(seed3);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);
        RunCluster(network, seed1, seed3);
        Assert.Equal(1, seed1.Server.ClusterPeerCount);

        var requestId = alice.Client.RequestConnect(bob.Key);
        RunCluster(network, seed1, seed3);

        Assert.Equal(new ConnectResultReceived(requestId!.Value, SeedConnectStatus.Introduced), Assert.Single(alice.EventsOf<ConnectResultReceived>()));
        var aliceLearns = Assert.Single(alice.EventsOf<IntroductionReceived>());
        var bobLearns = Assert.Single(bob.EventsOf<IntroductionReceived>());
        Assert.Equal((bob.Key, bob.EndPoint), (aliceLearns.Peer.PublicKey, aliceLearns.ObservedEndPoint));
        Assert.Equal((alice.Key, alice.EndPoint), (bobLearns.Peer.PublicKey, bobLearns.ObservedEndPoint));
        Assert.Equal(1, seed3.Server.ClusterIntroductionsReceived);
    }

    [Fact]
    public void A_peer_that_left_its_seed_is_offline_for_the_cluster_too()
    {
        var network = new SeedScenario();
        var seed1 = network.AddSeed();
        var seed3 = network.AddSeed();
        var alice = network.AddNode(seed1);
        var bob = network.AddNode(seed3);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);
        RunCluster(network, seed1, seed3);

        seed1.Server.ClusterPeerGone(bob.Key);
        var requestId = alice.Client.RequestConnect(bob.Key);
        RunCluster(network, seed1, seed3);

        Assert.Equal(new ConnectResultReceived(requestId!.Value, SeedConnectStatus.Offline), Assert.Single(alice.EventsOf<ConnectResultReceived>()));
    }

    [Fact]
    public void Forged_or_misdirected_cluster_entries_are_dropped_and_counted()
    {
        var network = new SeedScenario();
        var seed1 = network.AddSeed();
        var alice = network.AddNode(seed1);
        network.RunUntil(() => alice.Client.IsRegistered, Registration);
        network.Pump();
        var shared = seed1.Events.OfType<PresenceShared>().First();
        var entry = ClusterPeerCodec.Encode(new ClusterPeer(shared.Presence, shared.Observed, "seed-1"));

        // One flipped bit in the signed presence: the signature no longer holds.
        var forged = (byte[])entry.Clone();
        forged[40] ^= 0x01;
        if (ClusterPeerCodec.TryDecode(forged, out var tampered))
            Assert.False(seed1.Server.ClusterPeerSeen(network.Now, tampered));
        Assert.False(ClusterPeerCodec.TryDecode(entry.AsSpan(0, entry.Length - 1), out _));
        Assert.False(ClusterPeerCodec.TryDecode([], out _));

        var stranger = network.NewIdentity();
        Assert.False(seed1.Server.IntroduceFromCluster(network.Now, PeerKey.Of(stranger), shared.Presence, shared.Observed));
        Assert.Equal(1, seed1.Server.Drops.Counts.GetValueOrDefault(SeedServerDrop.ClusterIntroductionForUnknownPeer));
    }

    [Fact]
    public void Random_bytes_never_make_the_cluster_codec_throw()
    {
        var random = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0) bytes[0] = 1;
            ClusterPeerCodec.TryDecode(bytes, out _);
            ClusterPeerCodec.TryDecodeIntroduction(bytes, out _, out _);
        }
    }
}
