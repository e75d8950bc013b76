using System.Diagnostics;
using System.Net;
using Pype.Core.Replication;
using Pype.Core.Session;
using Pype.Simulation;

namespace Pype.Bench;

/// <summary>
/// The replicated address book over a simulated lossy overlay in virtual time: how fast a new
/// record reaches everyone, what an idle, in-sync network costs, and memory per record.
/// </summary>
public static class GossipBenchmark
{
    public const int Degree = 8;
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public sealed record Row(int Nodes, double Loss, bool Push, double Seconds, double Rounds, double KiBToSpread, double IdleBytesPerNodePerMinute, TimeSpan Wall, bool Converged);

    public static Row Measure(int nodes, double loss, bool push, TimeSpan idleSpan)
    {
        var wall = Stopwatch.StartNew();
        var options = new GossipOptions { PushEnabled = push };
        var network = new GossipOverlay(nodes, seed: nodes + (int)(loss * 100) + (push ? 1 : 0), Start, i => GossipOverlay.DeterministicIdentity(10_000 + i), loss, options);
        network.ConnectRandomOverlay(Degree);

        // Everyone publishes and the network settles first (push on to get there fast).
        foreach (var node in network.Nodes) node.PublishOwnRecord(network.Now, Candidates(1), []);
        network.RunUntil(() => network.Nodes.All(n => n.AddressBook.Count == nodes), TimeSpan.FromMinutes(10));

        // Idle and in sync: only anti-entropy digests flow.
        var idleFrom = network.Now;
        var idleBytesBefore = network.BytesSent;
        network.RunFor(idleSpan);
        var idleMinutes = (network.Now - idleFrom).TotalMinutes;
        var idleBytes = (network.BytesSent - idleBytesBefore) / Math.Max(idleMinutes, 1e-9) / nodes;

        // One node moves: how long until every replica holds its new record?
        var publisher = network.Nodes[0];
        var bytesBefore = network.BytesSent;
        var record = publisher.PublishOwnRecord(network.Now, Candidates(2), "moved"u8);
        var from = network.Now;
        var converged = network.RunUntil(() => network.Nodes.All(n => n.AddressBook.Lookup(publisher.Self)?.Sequence == record.Sequence), TimeSpan.FromMinutes(10));
        var seconds = (network.Now - from).TotalSeconds;
        return new Row(nodes, loss, push, seconds, seconds / options.AntiEntropyInterval.TotalSeconds,
            (network.BytesSent - bytesBefore) / 1024.0, idleBytes, wall.Elapsed, converged);
    }

    /// <summary>Managed memory per signed record held in a replica (the record's fields and wire
    /// bytes plus the replica's index), measured over 10k records.</summary>
    public static double BytesPerRecord(int records = 10_000)
    {
        var identities = Enumerable.Range(0, records).Select(i => GossipOverlay.DeterministicIdentity(100_000 + i)).ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var replica = new AddressBookReplica();
        foreach (var identity in identities)
            replica.Offer(Start, AddressBookRecord.Create(identity, 1, Start.AddHours(1), Candidates(3), []));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(replica);
        return (after - before) / (double)records;
    }

    public static void Print(TextWriter output, IReadOnlyList<Row> rows, double bytesPerRecord)
    {
        output.WriteLine($"Gossip simulation: random overlay of mean degree ~{Degree}, latency 10–60 ms, anti-entropy every 3 s ± 25 % (virtual time)");
        output.WriteLine("| nodes | loss | push | new record everywhere after | anti-entropy rounds | KiB to spread it | idle bytes per node per minute | wall time (whole run) |");
        output.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
            output.WriteLine($"| {r.Nodes} | {r.Loss:P0} | {(r.Push ? "on" : "off")} | {(r.Converged ? $"{r.Seconds:0.00} s" : "not within 10 min")} | {r.Rounds:0.0} | {r.KiBToSpread:0} | {r.IdleBytesPerNodePerMinute:0} | {r.Wall.TotalSeconds:0.0} s |");
        output.WriteLine();
        output.WriteLine($"Memory: {bytesPerRecord:0} bytes per address-book record (replica index + the signed record), {bytesPerRecord * 10_000 / 1024 / 1024:0.0} MiB per 10k records");
    }

    private static IReadOnlyList<Candidate> Candidates(byte host) =>
        [new(CandidateKind.Host, new IPEndPoint(new IPAddress([10, 0, 0, host]), 40000)),
         new(CandidateKind.ServerReflexive, new IPEndPoint(new IPAddress([203, 0, 113, host]), 50000))];
}
