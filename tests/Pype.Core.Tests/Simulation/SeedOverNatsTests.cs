using System.Net;
using Pype.Core.Seed;
using Pype.Core.Tests.Seed;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Simulation;

/// <summary>
/// One real seed core and twenty real seed-client cores behind every kind of simulated NAT, over
/// a lossy, jittery internet, in virtual time: all register, all get introduced, and the same
/// seed replays the same run datagram for datagram.
/// </summary>
public sealed class SeedOverNatsTests(ITestOutputHelper output)
{
    private const int NodeCount = 20;

    private static readonly NatBehaviour?[] Kinds =
        [null, NatBehaviour.EndpointIndependent, NatBehaviour.AddressRestrictedCone, NatBehaviour.FullCone, NatBehaviour.Symmetric];

    [Fact]
    public void Twenty_nodes_behind_mixed_nats_register_and_are_introduced_to_each_other()
    {
        var run = Run(seed: 5);

        Assert.All(run.Nodes, node => Assert.True(node.Client.IsRegistered, $"{node} is not registered"));
        Assert.All(run.Nodes, node => Assert.True(run.Seed.Server.IsOnline(node.Key)));
        foreach (var node in run.Nodes)
        {
            var registered = Assert.Single(node.EventsOf<SeedRegisteredEvent>());
            Assert.Equal(PublicEndPointOf(node, run.Scenario.Now), registered.ServerReflexive);
        }
        for (var i = 0; i < NodeCount; i++)
        {
            var (asker, target) = (run.Nodes[i], run.Nodes[(i + 1) % NodeCount]);
            Assert.Contains(asker.EventsOf<ConnectResultReceived>(), result => result.Status == SeedConnectStatus.Introduced);
            var learned = asker.EventsOf<IntroductionReceived>().First(e => e.Peer.PublicKey.Equals(target.Key));
            Assert.Equal(PublicEndPointOf(target, run.Scenario.Now), learned.ObservedEndPoint);
            Assert.Contains(target.EventsOf<IntroductionReceived>(), e => e.Peer.PublicKey.Equals(asker.Key));
        }
        Assert.True(run.Scenario.Network.Lost > 0, "the internet should have lost something on the way");
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace_and_another_seed_a_different_one()
    {
        var wall = Stopwatch.StartNew();
        var first = Run(seed: 5);
        var again = Run(seed: 5);
        var other = Run(seed: 6);
        foreach (var (name, run) in new[] { ("seed 5", first), ("seed 5 again", again), ("seed 6", other) })
        {
            var network = run.Scenario.Network;
            output.WriteLine($"{name}: {network.Trace.Entries} trace entries, {network.Delivered} delivered, {network.Lost} lost, " +
                $"done at +{(run.Scenario.Now - SeedScenario.Start).TotalSeconds:F3} s virtual, trace {network.Trace.Hash}");
        }
        output.WriteLine($"three runs in {wall.ElapsedMilliseconds} ms of wall time");

        Assert.Equal(first.Scenario.Network.Trace.Hash, again.Scenario.Network.Trace.Hash);
        Assert.Equal(first.Scenario.Network.Trace.Entries, again.Scenario.Network.Trace.Entries);
        Assert.Equal(first.Scenario.Now, again.Scenario.Now);
        Assert.NotEqual(first.Scenario.Network.Trace.Hash, other.Scenario.Network.Trace.Hash);
    }

    private sealed record SeedRun(SeedScenario Scenario, SeedServerHost Seed, IReadOnlyList<SeedClientHost> Nodes);

    /// <summary>Node i sits behind a NAT of kind i mod 5 (the first on the internet); the last two share one hairpinning NAT.</summary>
    private static SeedRun Run(int seed)
    {
        var scenario = new SeedScenario(seed);
        scenario.Network.Internet = new LinkConditions
        {
            Delay = TimeSpan.FromMilliseconds(15),
            Jitter = TimeSpan.FromMilliseconds(20),
            Loss = 0.03,
            Reorder = 0.05,
        };
        var seedHost = scenario.AddSeed();
        var seeds = new[] { new SeedEndpoint(seedHost.EndPoint, seedHost.Key) };
        var shared = scenario.Network.AddNat(NatBehaviour.EndpointIndependent, "100.100.0.200", hairpins: true);
        var nodes = new List<SeedClientHost>();
        for (var i = 0; i < NodeCount; i++)
        {
            var nat = i >= NodeCount - 2 ? shared
                : Kinds[i % Kinds.Length] is { } kind ? scenario.Network.AddNat(kind, $"100.100.0.{i + 1}")
                : null;
            nodes.Add(scenario.AddNode(seeds, behind: nat));
        }
        scenario.Network.Trace.Note(scenario.Now, "all added");

        scenario.RunUntil(() => nodes.All(n => n.Client.IsRegistered), TimeSpan.FromSeconds(30));

        // A connect request is not retransmitted by the client core; the node asks again, as its actor would.
        bool Introduced(int i) =>
            nodes[i].EventsOf<ConnectResultReceived>().Any(r => r.Status == SeedConnectStatus.Introduced)
            && nodes[i].EventsOf<IntroductionReceived>().Any(e => e.Peer.PublicKey.Equals(nodes[(i + 1) % NodeCount].Key))
            && nodes[(i + 1) % NodeCount].EventsOf<IntroductionReceived>().Any(e => e.Peer.PublicKey.Equals(nodes[i].Key));
        bool AllIntroduced() => Enumerable.Range(0, NodeCount).All(Introduced);
        for (var attempt = 0; attempt < 30 && !AllIntroduced(); attempt++)
        {
            for (var i = 0; i < NodeCount; i++)
            {
                if (!nodes[i].EventsOf<ConnectResultReceived>().Any())
                    Assert.NotNull(nodes[i].Client.RequestConnect(nodes[(i + 1) % NodeCount].Key));
            }
            scenario.Pump();
            scenario.Network.RunUntil(AllIntroduced, TimeSpan.FromSeconds(1));
        }
        Assert.True(AllIntroduced(), "not introduced within 30 attempts: " + string.Join("; ",
            Enumerable.Range(0, NodeCount).Where(i => !Introduced(i)).Select(i =>
                $"{i} results [{string.Join(",", nodes[i].EventsOf<ConnectResultReceived>().Select(r => r.Status))}] learned {nodes[i].EventsOf<IntroductionReceived>().Count()} registered {nodes[i].Client.IsRegistered}")));
        return new SeedRun(scenario, seedHost, nodes);
    }

    /// <summary>Where the seed sees a node: its socket on the internet, or the NAT's mapping towards the seed.</summary>
    private static IPEndPoint PublicEndPointOf(SeedClientHost node, DateTimeOffset now) =>
        node.Host.Nat is { } nat ? new IPEndPoint(nat.PublicAddress, nat.MappedPort(node.EndPoint, now)!.Value) : node.EndPoint;
}
