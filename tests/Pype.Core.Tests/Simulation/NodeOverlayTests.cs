using System.Diagnostics;
using Pype.Core.Connection;
using Pype.Core.Node;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Simulation;

/// <summary>
/// Two seeds and fifty nodes (each the real endpoint, peer links and seed client, composed as the
/// actors compose them) behind every kind of simulated NAT, over a lossy, jittery internet, in
/// virtual time: all register, and the overlay forms as far as the NATs allow without a relay.
/// The two seeds are a cluster, but a seed's peer list names only its own peers, so the overlay
/// forms as two halves, one per seed; a node reaches the other half by asking for a peer by address.
/// </summary>
public sealed class NodeOverlayTests(ITestOutputHelper output)
{
    private const int NodeCount = OverlayScenario.NodeCount;

    [Fact]
    public void Fifty_nodes_behind_mixed_nats_register_at_two_seeds_and_reach_their_overlay_degree()
    {
        var wall = Stopwatch.StartNew();
        var run = OverlayScenario.Run(seed: 12);
        wall.Stop();
        Report("seed 12", run);
        output.WriteLine($"one run in {wall.ElapsedMilliseconds} ms of wall time");

        for (var i = 0; i < NodeCount; i++)
        {
            var node = run.Nodes[i];
            Assert.True(node.SeedClient.IsRegistered, $"{node} is not registered");
            Assert.True(run.Seeds[i % 2].Server.IsOnline(node.Key), $"{node} is not registered at its first seed");
        }
        Assert.True(run.Formed, "the overlay did not form: " + string.Join(", ",
            run.Nodes.Where(n => n.Endpoint.ConnectedCount < n.Endpoint.OverlayDegree).Select(n => $"{n.Host.Name} {n.Endpoint.ConnectedCount}")));
        Assert.All(run.Nodes, node => Assert.True(node.Endpoint.ConnectedCount >= node.Endpoint.OverlayDegree));
        Assert.All(ConnectedPairs(run), pair => Assert.True(OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]),
            $"{pair.A} ({run.Kinds[pair.A]}) and {pair.B} ({run.Kinds[pair.B]}) connected without a relay"));
        Assert.All(ConnectedPairs(run), pair => Assert.Equal(pair.A % 2, pair.B % 2));
        var withoutPath = run.Nodes.SelectMany((node, i) => node.Events.OfType<EndpointEvent.LinkWithoutPath>().Select(e => (A: i, B: run.IndexOf[e.Peer]))).ToList();
        Assert.Contains(withoutPath, pair => !OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]));
        Assert.All(withoutPath, pair => Assert.False(OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]),
            $"{pair.A} ({run.Kinds[pair.A]}) found no direct path to {pair.B} ({run.Kinds[pair.B]}), a pair that can punch"));
        var connectedPairings = ConnectedPairs(run).Select(pair => OverlayScenario.Pairing(run.Kinds[pair.A], run.Kinds[pair.B])).ToHashSet();
        foreach (var a in Enum.GetValues<Nat>())
        {
            foreach (var b in Enum.GetValues<Nat>().Where(b => b >= a && OverlayScenario.CanPunch(a, b)))
                Assert.Contains(OverlayScenario.Pairing(a, b), connectedPairings);
        }
        Assert.True(run.Network.Lost > 0, "the internet should have lost something on the way");
    }

    [Fact]
    public void The_same_seed_gives_the_same_overlay_trace_and_another_seed_a_different_one()
    {
        var first = OverlayScenario.Run(seed: 12);
        var again = OverlayScenario.Run(seed: 12);
        var other = OverlayScenario.Run(seed: 13);
        Report("seed 12 again", again);
        Report("seed 13", other);

        Assert.True(first.Formed && again.Formed && other.Formed);
        Assert.Equal(first.Network.Trace.Hash, again.Network.Trace.Hash);
        Assert.Equal(first.Network.Trace.Entries, again.Network.Trace.Entries);
        Assert.Equal(first.Network.Now, again.Network.Now);
        Assert.NotEqual(first.Network.Trace.Hash, other.Network.Trace.Hash);
    }

    [Fact]
    public void A_node_connects_through_the_seed_cluster_to_a_node_registered_at_the_other_seed()
    {
        var run = OverlayScenario.Run(seed: 12);
        // Node 2 sits behind an address-restricted NAT at seed 1, node 1 behind a port-restricted one at seed 2.
        var (asker, target) = (run.Nodes[2], run.Nodes[1]);
        Assert.True(run.Seeds[0].Server.IsOnline(asker.Key) && run.Seeds[1].Server.IsOnline(target.Key));
        Assert.DoesNotContain(asker.Endpoint.Peers(), p => p.Peer.Equals(target.Hash));
        var asked = run.Network.Now;
        const string requester = "the user's connect";

        Assert.Null(asker.Connect(target.Identity.Address, requester));
        bool Linked(SimulatedNode node, SimulatedNode peer) =>
            node.Endpoint.Peers().Any(p => p.Peer.Equals(peer.Hash) && p.State == PeerLinkState.Connected);
        var linked = run.Network.RunUntil(() => Linked(asker, target) && Linked(target, asker), TimeSpan.FromSeconds(10));
        output.WriteLine($"linked across the seeds {(run.Network.Now - asked).TotalMilliseconds:F0} ms after the connect; " +
            $"{run.Cluster.IntroductionsCarried} introductions carried by the cluster");

        Assert.True(linked, "the two nodes did not connect across the seeds");
        Assert.Contains(new EndpointEvent.ConnectAnswered(requester, target.Hash), asker.Events);
        Assert.Equal(1, run.Seeds[1].Server.ClusterIntroductionsReceived);
    }

    /// <summary>Every connected link once, as (lower index, higher index), as the lower-numbered node sees it.</summary>
    private static IEnumerable<(int A, int B)> ConnectedPairs(OverlayRun run) =>
        run.Nodes.SelectMany((node, i) => node.Endpoint.Peers()
            .Where(p => p.State == PeerLinkState.Connected)
            .Select(p => (A: i, B: run.IndexOf[p.Peer])))
            .Where(pair => pair.A < pair.B);

    private void Report(string name, OverlayRun run)
    {
        var network = run.Network;
        var elapsed = network.Now - VirtualNetwork.Epoch;
        output.WriteLine($"{name}: {run.Nodes.Count(n => n.SeedClient.IsRegistered)}/{NodeCount} registered, " +
            $"overlay {(run.Formed ? "formed" : "NOT formed")} at +{elapsed.TotalSeconds:F3} s virtual, " +
            $"{ConnectedPairs(run).Count()} links connected, degree {run.Nodes.Min(n => n.Endpoint.ConnectedCount)}–{run.Nodes.Max(n => n.Endpoint.ConnectedCount)}, " +
            $"{network.Trace.Entries} trace entries, {network.Delivered} delivered, {network.Lost} lost, {network.Filtered} filtered, trace {network.Trace.Hash}");
        var byPairing = ConnectedPairs(run)
            .Select(pair => OverlayScenario.Pairing(run.Kinds[pair.A], run.Kinds[pair.B]))
            .GroupBy(pairing => pairing).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2);
        output.WriteLine("  connected links by NAT pairing: " + string.Join(", ", byPairing.Select(g => $"{g.Key.Item1}-{g.Key.Item2} {g.Count()}")));
        var failed = run.Nodes.SelectMany((node, i) => node.Events.OfType<EndpointEvent.LinkWithoutPath>().Select(e => (i, run.IndexOf[e.Peer])))
            .Select(pair => OverlayScenario.Pairing(run.Kinds[pair.i], run.Kinds[pair.Item2]))
            .GroupBy(pairing => pairing).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2);
        output.WriteLine("  no-direct-path reports by NAT pairing (both sides count): " + string.Join(", ", failed.Select(g => $"{g.Key.Item1}-{g.Key.Item2} {g.Count()}")));
    }
}
