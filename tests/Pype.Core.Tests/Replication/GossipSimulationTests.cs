using System.Diagnostics;
using System.Net;
using Pype.Core.Replication;
using Pype.Core.Session;
using Pype.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Replication;

/// <summary>A hundred gossip engines over a lossy simulated network, in virtual time.</summary>
public sealed class GossipSimulationTests(ITestOutputHelper output)
{
    private const int NodeCount = 100;
    private const int Degree = 8;
    private const double Loss = 0.10;

    [Fact]
    public void A_hundred_nodes_with_ten_percent_loss_converge_on_a_newly_published_record()
    {
        var network = new GossipOverlay(NodeCount, seed: 7, ReplicationFixtures.Now, i => ReplicationFixtures.Peer(1000 + i), loss: Loss);
        network.ConnectRandomOverlay(Degree);
        var wall = Stopwatch.StartNew();

        foreach (var node in network.Nodes) node.PublishOwnRecord(network.Now, CandidatesOf(1), []);
        var start = network.Now;
        Assert.True(network.RunUntil(() => network.Nodes.All(node => node.AddressBook.Count == NodeCount), TimeSpan.FromMinutes(2)));
        var everyoneKnown = network.Now - start;
        var bytesToLearnEveryone = network.BytesSent;

        var publisher = network.Nodes[0];
        var fresh = publisher.PublishOwnRecord(network.Now, CandidatesOf(2), "moved"u8);
        start = network.Now;
        var bytesBefore = network.BytesSent;
        Assert.True(network.RunUntil(() => network.Nodes.All(node => node.AddressBook.Lookup(publisher.Self)?.Sequence == fresh.Sequence), TimeSpan.FromMinutes(2)));
        var converged = network.Now - start;

        output.WriteLine($"100 nodes, mean degree ~{Degree}, {Loss:P0} loss, latency 10–60 ms, anti-entropy every 3 s ± 25 %");
        output.WriteLine($"all 100 records everywhere after {everyoneKnown.TotalSeconds:F2} s virtual, {bytesToLearnEveryone / 1024} KiB sent");
        output.WriteLine($"new record everywhere after {converged.TotalSeconds:F2} s virtual ({converged / publisher.Options.AntiEntropyInterval:F1} anti-entropy intervals), {(network.BytesSent - bytesBefore) / 1024} KiB sent");
        output.WriteLine($"{network.Delivered} datagrams delivered, {network.Lost} lost, largest {network.LargestDatagram} bytes, wall {wall.ElapsedMilliseconds} ms");
        Assert.True(network.LargestDatagram <= GossipCodec.MaxMessageLength);
        Assert.True(converged < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Without_push_anti_entropy_alone_brings_a_hundred_lossy_nodes_together()
    {
        var network = new GossipOverlay(NodeCount, seed: 11, ReplicationFixtures.Now, i => ReplicationFixtures.Peer(1000 + i), loss: Loss, options: new GossipOptions { PushEnabled = false });
        network.ConnectRandomOverlay(Degree);
        var publisher = network.Nodes[0];
        publisher.PublishOwnRecord(network.Now, CandidatesOf(1), []);
        var start = network.Now;

        Assert.True(network.RunUntil(() => network.Nodes.All(node => node.AddressBook.Lookup(publisher.Self) is not null), TimeSpan.FromMinutes(5)));

        var elapsed = network.Now - start;
        output.WriteLine($"push off: one record reached all 100 nodes after {elapsed.TotalSeconds:F1} s virtual ({elapsed / publisher.Options.AntiEntropyInterval:F1} intervals), {network.BytesSent / 1024} KiB sent");
    }

    private static IReadOnlyList<Candidate> CandidatesOf(byte host) =>
        [new(CandidateKind.Host, new IPEndPoint(new IPAddress([10, 0, 0, host]), 40000))];
}
