using System.Globalization;

namespace Pype.Bench;

/// <summary>The markdown tables of `pype-bench seeds`, each figure beside its target.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SeedReport
{
    public static void PrintOne(TextWriter output, SeedBenchmark.Result r)
    {
        var seed = r.Members[0];
        output.WriteLine($"One pype seed on loopback under {r.Clients} simulated clients (SeedClient, {r.Addresses} addresses × {SeedClientSwarm.ClientsPerAddress}) ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| figure | measured | target |");
        output.WriteLine("| --- | ---: | --- |");
        PrintRegistrations(output, r, "≥ 10k");
        PrintIntroductions(output, r.Introduced, crossSeed: false);
        output.WriteLine($"| seed memory (VmRSS) idle → with {seed.Registered} registered | {MiB(seed.IdleRss)} → {MiB(seed.FullRss)} ({PerPeer(seed)}) | — |");
        output.WriteLine($"| seed CPU (100 % = one core): holding / introducing | {seed.HoldCpuPercent:0} % / {seed.IntroCpuPercent:0} % | — |");
        output.WriteLine($"| bench process CPU while introducing (all {r.Clients} clients) | {r.Introduced.BenchCpuPercent:0} % | — |");
    }

    public static void PrintCluster(TextWriter output, SeedBenchmark.Result r)
    {
        output.WriteLine($"Three pype seeds in one cluster (TLS on loopback) under {r.Clients} simulated clients, each registered at one of them ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine();
        output.WriteLine("| figure | measured | target |");
        output.WriteLine("| --- | ---: | --- |");
        PrintRegistrations(output, r, "≥ 10k in total");
        output.WriteLine($"| registry replicated to every member after | {(r.ReplicatedAfterSeconds is { } s ? $"{s:0.0} s" : "not within 15 s")} | — |");
        PrintIntroductions(output, r.Introduced, crossSeed: true);
        output.WriteLine();
        output.WriteLine("| member | registered here | peers known at the others | VmRSS idle → loaded | CPU holding / introducing (100 % = one core) |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var m in r.Members)
            output.WriteLine($"| {m.Name} | {m.Registered} | {m.Elsewhere} | {MiB(m.IdleRss)} → {MiB(m.FullRss)} | {m.HoldCpuPercent:0} % / {m.IntroCpuPercent:0} % |");
    }

    public static void PrintRelay(TextWriter output, RelayBenchmark.Result r)
    {
        output.WriteLine($"Relaying through coturn on loopback with Pype's TurnClient (REST credentials, permission, channel) vs direct ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine();
        output.WriteLine("| 200-byte echo, one at a time | round trips | p50 | p95 | target |");
        output.WriteLine("| --- | ---: | ---: | ---: | --- |");
        var (d50, d95, r50, r95) = (Percentile(r.Direct, 0.5), Percentile(r.Direct, 0.95), Percentile(r.Relayed, 0.5), Percentile(r.Relayed, 0.95));
        output.WriteLine($"| direct (socket → socket, echoed) | {r.Direct.Length} | {Us(d50)} | {Us(d95)} | — |");
        output.WriteLine($"| through the relay (ChannelData both ways) | {r.Relayed.Length} | {Us(r50)} | {Us(r95)} | — |");
        output.WriteLine($"| added by the relay | | {Us(r50 - d50)} ({r50 / d50:0.0}×) | {Us(r95 - d95)} ({r95 / d95:0.0}×) | small beside a 30 ms glass-to-glass goal |");
        output.WriteLine();
        output.WriteLine("| 1200-byte packets client → relay → peer, 3 s | sent/s | received/s | Mbit/s received | loss | reference |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var b in r.Bulks)
            output.WriteLine($"| {b.Pace} | {b.SentPerSecond:0} | {b.ReceivedPerSecond:0} | {b.Mbps:0.0} | {b.LossPercent:0.0} % | a 720p call at 2 Mbit/s ≈ 210 packets/s |");
        output.WriteLine();
        output.WriteLine($"TurnClient drops during the run: {r.ClientDrops}");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];

    private static void PrintRegistrations(TextWriter output, SeedBenchmark.Result r, string target)
    {
        var h = r.Held;
        output.WriteLine($"| registrations held (seeds' `registered_peers`, lowest over {h.Hold.TotalSeconds:0} s) | {h.HeldMin} (at the end {h.HeldEnd}) | {target} |");
        output.WriteLine(h.RampReachedAll
            ? $"| all {r.Clients} registered after (clients started at {h.RampPerSecond:0}/s) | {h.RampSeconds:0.0} s | — |"
            : $"| registered when the ramp gave up (clients started at {h.RampPerSecond:0}/s) | {h.RampRegistered} after {h.RampSeconds:0.0} s | {r.Clients} |");
        output.WriteLine($"| clients registered by their own account, lowest during the hold | {h.ClientsRegisteredMin} | {r.Clients} |");
        output.WriteLine($"| clients that gave up on their seed during the hold | {h.SeedsLost} | 0 |");
    }

    private static void PrintIntroductions(TextWriter output, SeedBenchmark.Introductions i, bool crossSeed)
    {
        var what = crossSeed ? "cross-seed introductions per second (asker and target at different seeds)" : "introductions per second";
        output.WriteLine($"| {what}: `Introduced` answers at the askers | {i.PerSecond:0} | ≥ 2k/s |");
        output.WriteLine($"| the seeds' own count of introductions made, per second | {i.SeedCountPerSecond:0} | — |");
        if (crossSeed)
            output.WriteLine($"| introductions carried to the target's seed through the cluster, per second (its `introductions_from_cluster`) | {i.CarriedAcrossPerSecond:0} | = answers |");
        else
            output.WriteLine($"| introductions delivered to clients per second (both sides) | {i.ReceivedPerSecond:0} | 2 × answers |");
        output.WriteLine($"| all answers (`Introduced` + `offline`) per second | {i.AnswersPerSecond:0} | — |");
        output.WriteLine($"| connect request → answer p50 / p95 (256 in flight) | {Ms(i.P50Ms)} / {Ms(i.P95Ms)} | — |");
        output.WriteLine($"| requests unanswered within 2 s / answered `offline` | {i.TimedOut} / {i.Offline} | 0 / 0 |");
    }

    private static string PerPeer(SeedBenchmark.Member m) =>
        m.Registered > 0 ? $"+{(m.FullRss - m.IdleRss) / 1024.0 / m.Registered:0.0} KiB per peer" : "—";

    private static string MiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0} MiB");

    private static string Us(double ms) => double.IsNaN(ms) ? "—" : string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:0} µs");

    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms");
}
