using System.Diagnostics;
using Pype.Core.Connection;
using Pype.Core.Node;
using Pype.Core.Session;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Simulation;

/// <summary>
/// Two seeds and fifty nodes (each the real endpoint, peer links, seed client and TURN relay,
/// composed as the actors compose them) behind every kind of simulated NAT, over a lossy, jittery
/// internet, with one TURN server, in virtual time: all register and allocate a relay, and the
/// overlay forms, directly where the NATs let a pair punch and through a relay where they do not.
/// The two seeds are a cluster, but a seed's peer list names only its own peers, so the overlay
/// forms as two halves, one per seed; a node reaches the other half by asking for a peer by address.
/// </summary>
public sealed class NodeOverlayTests(ITestOutputHelper output)
{
    private const int NodeCount = OverlayScenario.NodeCount;
    /// <summary>The documented relay fallback (RelayFallbackTests, connection.md §2): the relayed candidates' delay, a relay round trip, slack for a loss.</summary>
    private static readonly TimeSpan RelayedWithin = TimeSpan.FromSeconds(1.5);

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
        // A grant the internet lost is asked for again within a second: every node has a relay.
        Assert.All(run.Nodes, node => Assert.True(node.RelayGrants > 0, $"{node} got no relay grant"));
        Assert.All(run.Nodes, node => Assert.NotNull(node.Relay?.RelayedAddress));
        Assert.Equal(NodeCount, run.Turn.Allocations);
        Assert.All(ConnectedPairs(run), pair => Assert.Equal(pair.A % 2, pair.B % 2));
        // Where the NATs let a pair punch, its path is direct (a relayed start gives way to the punch);
        // where they do not, it is relayed, and was within the relay fallback's time from the start.
        Assert.All(ConnectedPairs(run), pair =>
        {
            var canPunch = OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]);
            var what = $"{pair.A} ({run.Kinds[pair.A]}) and {pair.B} ({run.Kinds[pair.B]})";
            foreach (var (from, to) in new[] { (pair.A, pair.B), (pair.B, pair.A) })
            {
                var kind = run.Nodes[from].Endpoint.Peers().Single(p => p.Peer.Equals(run.Nodes[to].Hash)).PathKind;
                Assert.True(canPunch == (kind != CandidateKind.Relayed), $"{what}: {from} is on a {kind} path");
                if (!canPunch)
                    Assert.InRange(ConnectedSinceFirstStart(run, from, to), PeerLinkOptions.DefaultRelayedCandidateDelay, RelayedWithin);
            }
        });
        var connectedPairings = ConnectedPairs(run).Select(pair => OverlayScenario.Pairing(run.Kinds[pair.A], run.Kinds[pair.B])).ToHashSet();
        foreach (var a in Enum.GetValues<Nat>())
        {
            foreach (var b in Enum.GetValues<Nat>().Where(b => b >= a))
                Assert.Contains(OverlayScenario.Pairing(a, b), connectedPairings);
        }
        // Every pair asked to connect did, relayed where the NATs do not let it punch: a link that
        // started punching before either side had a relay is introduced again when one appears.
        // (Links started within the fallback time of the end may still be on their way.)
        var started = Enumerable.Range(0, NodeCount)
            .SelectMany(a => run.Nodes[a].LinksStarted.Where(l => l.At <= run.Network.Now - RelayedWithin).Select(l => (A: a, B: run.IndexOf[l.Peer])))
            .Distinct()
            .ToList();
        Assert.Contains(started, pair => !OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]) && !IntroducedWithRelay(run, pair.A, pair.B));
        Assert.All(started, pair =>
        {
            var kind = Connected(run, pair.A, pair.B).Kind;
            if (!OverlayScenario.CanPunch(run.Kinds[pair.A], run.Kinds[pair.B]))
                Assert.Equal(CandidateKind.Relayed, kind);
        });
        Assert.All(started, pair => Assert.DoesNotContain(run.Nodes[pair.A].Events.OfType<EndpointEvent.LinkWithoutPath>(), e => e.Peer.Equals(run.Nodes[pair.B].Hash)));
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
        var linked = run.Network.RunUntil(() => Linked(asker, target) && Linked(target, asker), TimeSpan.FromSeconds(10));
        output.WriteLine($"linked across the seeds {(run.Network.Now - asked).TotalMilliseconds:F0} ms after the connect; " +
            $"{run.Cluster.IntroductionsCarried} introductions carried by the cluster");

        Assert.True(linked, "the two nodes did not connect across the seeds");
        Assert.Contains(new EndpointEvent.ConnectAnswered(requester, target.Hash), asker.Events);
        Assert.Equal(1, run.Seeds[1].Server.ClusterIntroductionsReceived);
    }

    [Fact]
    public void Two_symmetric_nats_registered_at_different_seeds_connect_through_a_relay_within_the_fallback_time()
    {
        var run = OverlayScenario.Run(seed: 12);
        // Node 4 and node 9 are both behind symmetric NATs, node 4 at seed 1, node 9 at seed 2.
        var (asker, target) = (run.Nodes[4], run.Nodes[9]);
        Assert.Equal((Nat.Symmetric, Nat.Symmetric), (run.Kinds[4], run.Kinds[9]));
        Assert.DoesNotContain(asker.Endpoint.Peers(), p => p.Peer.Equals(target.Hash));
        var asked = run.Network.Now;

        Assert.Null(asker.Connect(target.Identity.Address, "the user's connect"));
        var linked = run.Network.RunUntil(() => Linked(asker, target) && Linked(target, asker), TimeSpan.FromSeconds(10));
        output.WriteLine($"linked across the seeds {(run.Network.Now - asked).TotalMilliseconds:F0} ms after the connect");

        Assert.True(linked, "the two nodes did not connect across the seeds");
        foreach (var (from, to) in new[] { (4, 9), (9, 4) })
        {
            var connected = Connected(run, from, to);
            Assert.Equal(CandidateKind.Relayed, connected.Kind);
            Assert.InRange(connected.Elapsed, PeerLinkOptions.DefaultRelayedCandidateDelay, RelayedWithin);
        }
        // Each side's last introduction named the other's relayed address.
        Assert.True(IntroducedWithRelay(run, 4, 9) && IntroducedWithRelay(run, 9, 4));
    }

    private static bool Linked(SimulatedNode node, SimulatedNode peer) =>
        node.Endpoint.Peers().Any(p => p.Peer.Equals(peer.Hash) && p.State == PeerLinkState.Connected);

    /// <summary>The last link <paramref name="from"/> connected to <paramref name="to"/> (it may have been closed since, as the overlay trims itself).</summary>
    private static EndpointEvent.LinkConnected Connected(OverlayRun run, int from, int to) =>
        Assert.Single(run.Nodes[from].Events.OfType<EndpointEvent.LinkConnected>().Where(e => e.Peer.Equals(run.Nodes[to].Hash)).TakeLast(1));

    /// <summary>
    /// From the earlier of the two sides' last starts of this link to this side's connect: the
    /// side introduced later may hear the other's relayed probes before its own delay is over.
    /// </summary>
    private static TimeSpan ConnectedSinceFirstStart(OverlayRun run, int from, int to)
    {
        DateTimeOffset LastStart(int a, int b) => run.Nodes[a].LinksStarted.Last(l => l.Peer.Equals(run.Nodes[b].Hash)).At;
        var first = LastStart(from, to) < LastStart(to, from) ? LastStart(from, to) : LastStart(to, from);
        return LastStart(from, to) + Connected(run, from, to).Elapsed - first;
    }

    /// <summary>Whether the introduction that last started <paramref name="from"/>'s link to <paramref name="to"/> named a relayed address of it.</summary>
    private static bool IntroducedWithRelay(OverlayRun run, int from, int to) =>
        run.Nodes[from].LinksStarted.LastOrDefault(l => l.Peer.Equals(run.Nodes[to].Hash)).Candidates?.Any(c => c.Kind == CandidateKind.Relayed) == true;

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
        var relayed = run.Nodes.Sum(n => n.Endpoint.Peers().Count(p => p.State == PeerLinkState.Connected && p.PathKind == CandidateKind.Relayed)) / 2;
        output.WriteLine($"  {relayed} links relayed, {run.Turn.Allocations} allocations on the TURN server, relayed addresses published by " +
            $"+{run.Nodes.Where(n => n.RelayedAddresses.Count > 0).Max(n => n.RelayedAddresses[0].At - VirtualNetwork.Epoch).TotalMilliseconds:F0} ms; " +
            $"no relay grant reached {string.Join(", ", run.Nodes.Where(n => n.RelayGrants == 0).Select(n => n.Host.Name).DefaultIfEmpty("none"))}");
        output.WriteLine("  connected links by NAT pairing: " + string.Join(", ", byPairing.Select(g => $"{g.Key.Item1}-{g.Key.Item2} {g.Count()}")));
        var failed = run.Nodes.SelectMany((node, i) => node.Events.OfType<EndpointEvent.LinkWithoutPath>().Select(e => (i, run.IndexOf[e.Peer])))
            .Select(pair => OverlayScenario.Pairing(run.Kinds[pair.i], run.Kinds[pair.Item2]))
            .GroupBy(pairing => pairing).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2);
        output.WriteLine("  no-direct-path reports by NAT pairing (both sides count): " + string.Join(", ", failed.Select(g => $"{g.Key.Item1}-{g.Key.Item2} {g.Count()}")));
    }
}
