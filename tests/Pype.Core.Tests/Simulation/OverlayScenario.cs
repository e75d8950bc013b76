using System.Net;
using Pype.Core.Calls;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Seed;

namespace Pype.Core.Tests.Simulation;

/// <summary>The NAT a node of the scenario sits behind (node i behind kind i mod 5).</summary>
internal enum Nat
{
    None,
    PortRestricted,
    AddressRestricted,
    FullCone,
    Symmetric,
}

/// <summary>What one run of <see cref="OverlayScenario.Run"/> left: the network, the seeds, the nodes, and whether the overlay formed in time.</summary>
internal sealed record OverlayRun(
    VirtualNetwork Network, IReadOnlyList<SeedServerHost> Seeds, SimulatedSeedCluster Cluster, SimulatedTurnServer Turn, IReadOnlyList<SimulatedNode> Nodes,
    IReadOnlyList<Nat> Kinds, IReadOnlyDictionary<HashAddress, int> IndexOf, bool Formed);

/// <summary>
/// The scenario of issue #12 up to the overlay: two clustered seeds and fifty nodes (each a
/// <see cref="SimulatedNode"/>) behind every kind of simulated NAT, over a lossy, jittery internet,
/// with one TURN server on a public host whose shared secret both seeds hold (coturn's
/// <c>use-auth-secret</c>), so every node gets relay credentials with each registration, run in
/// virtual time until every node has its overlay degree or <see cref="FormingLimit"/> passes.
/// </summary>
internal static class OverlayScenario
{
    public const int NodeCount = 50;
    public static readonly TimeSpan FormingLimit = TimeSpan.FromMinutes(2);
    public const string TurnEndPoint = "198.51.100.66:3478";
    private const string TurnSecret = "overlay-scenario-turn-secret";

    /// <summary>Node i sits behind a NAT of kind i mod 5 (none first) and registers first at seed i mod 2.</summary>
    /// <param name="calls">Every node's call settings; reference.conf's when null.</param>
    internal static OverlayRun Run(int seed, CallDeskOptions? calls = null)
    {
        var network = new VirtualNetwork(seed)
        {
            Internet = new LinkConditions
            {
                Delay = TimeSpan.FromMilliseconds(15),
                Jitter = TimeSpan.FromMilliseconds(20),
                Loss = 0.02,
                Reorder = 0.02,
            },
        };
        var turn = new SimulatedTurnServer(network, TurnEndPoint, TurnSecret);
        var seedOptions = new SeedServerOptions { Relay = new SeedRelayOptions([turn.EndPoint], TurnSecret, TimeSpan.FromHours(1)) };
        var seeds = new List<SeedServerHost>();
        var cluster = new SimulatedSeedCluster(network, TimeSpan.FromMilliseconds(50));
        for (var s = 0; s < 2; s++)
        {
            var identity = GossipOverlay.DeterministicIdentity(10_000 + s);
            var host = network.AddHost($"seed{s + 1}", $"198.51.100.{s + 1}:7000");
            seeds.Add(new SeedServerHost(network, host, identity, new SeedServer(identity, seedOptions, new SimulationRandom(network.Random.Next()))));
            cluster.Join(seeds[^1]);
        }
        var endpoints = seeds.Select(s => new SeedEndpoint(s.EndPoint, s.Key)).ToList();
        var nodes = new List<SimulatedNode>();
        var kinds = new List<Nat>();
        for (var i = 0; i < NodeCount; i++)
        {
            var kind = (Nat)(i % 5);
            var nat = Behaviour(kind) is { } behaviour ? network.AddNat(behaviour, $"100.100.0.{i + 1}") : null;
            var endPoint = nat is null ? new IPEndPoint(IPAddress.Parse($"203.0.113.{i + 1}"), 40_000 + i) : new IPEndPoint(new IPAddress([10, 0, (byte)i, 2]), 40_000 + i);
            var host = network.AddHost($"node{i}", endPoint, nat);
            IReadOnlyList<SeedEndpoint> order = i % 2 == 0 ? endpoints : [endpoints[1], endpoints[0]];
            nodes.Add(new SimulatedNode(network, host, GossipOverlay.DeterministicIdentity(i), order,
                new NodeEndpointOptions { CandidateRanges = Pype.Core.Session.CandidateRanges.Lab }, PeerLinkOptions.Default, network.Random.Next(), calls: calls));
            kinds.Add(kind);
        }
        var formed = network.RunUntil(() => nodes.All(n => n.Endpoint.ConnectedCount >= n.Endpoint.OverlayDegree), FormingLimit);
        var indexOf = nodes.Select((node, i) => (node.Hash, i)).ToDictionary(p => p.Hash, p => p.i);
        return new OverlayRun(network, seeds, cluster, turn, nodes, kinds, indexOf, formed);
    }

    private static NatBehaviour? Behaviour(Nat kind) => kind switch
    {
        Nat.PortRestricted => NatBehaviour.PortRestrictedCone,
        Nat.AddressRestricted => NatBehaviour.AddressRestrictedCone,
        Nat.FullCone => NatBehaviour.FullCone,
        Nat.Symmetric => NatBehaviour.Symmetric,
        _ => null,
    };

    /// <summary>
    /// A symmetric NAT sends each peer from a port the peer never learned, so only a peer that lets
    /// in a new port of an address it has sent to answers it: never another symmetric NAT or a
    /// port-restricted one. Those pairs connect through a TURN relay.
    /// </summary>
    internal static bool CanPunch(Nat a, Nat b) =>
        !(a == Nat.Symmetric && b is Nat.Symmetric or Nat.PortRestricted) && !(b == Nat.Symmetric && a == Nat.PortRestricted);

    internal static (Nat, Nat) Pairing(Nat a, Nat b) => a <= b ? (a, b) : (b, a);
}
