using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Pype.Lab;

namespace Pype.Bench;

/// <summary>
/// Real `pype seed` processes on loopback under a swarm of simulated nodes (<see cref="SeedClientSwarm"/>):
/// how many registrations one seed (and a cluster of three) holds, how many introductions a
/// second it makes, and what that costs in memory and CPU.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SeedBenchmark(TextWriter log, CancellationToken cancel)
{
    public const int Clients = 10_000;
    /// <summary>Fast enough to ramp in ~10 s, slow enough that retries of unanswered handshakes do not pile up.</summary>
    private const double OneSeedRampPerSecond = 1000;
    /// <summary>
    /// Slower: at 1000/s the cluster members fell so far behind (each registration is also a
    /// replicated registry write) that most clients timed out and retried, and 10k never settled.
    /// </summary>
    private const double ClusterRampPerSecond = 500;
    /// <summary>Connect requests kept in flight: enough to keep the seed busy, few enough not to fill its socket buffer.</summary>
    private const int IntroductionWindow = 256;
    private static readonly TimeSpan IntroductionSpan = TimeSpan.FromSeconds(10);

    public sealed record Ramp(double PerSecond, double Seconds, int Registered, bool ReachedAll);

    public sealed record Registrations(int HeldMin, int HeldEnd, int ClientsRegisteredMin, long SeedsLost, Ramp Ramp, TimeSpan Hold)
    {
        public bool RampReachedAll => Ramp.ReachedAll;
        public double RampPerSecond => Ramp.PerSecond;
        public double RampSeconds => Ramp.Seconds;
        public int RampRegistered => Ramp.Registered;
    }

    public sealed record Introductions(
        double PerSecond, double AnswersPerSecond, double ReceivedPerSecond, double CarriedAcrossPerSecond, double SeedCountPerSecond,
        double P50Ms, double P95Ms, long TimedOut, long Offline, double BenchCpuPercent);

    public sealed record Member(string Name, long IdleRss, long FullRss, int Registered, int Elsewhere, double HoldCpuPercent, double IntroCpuPercent);

    public sealed record Result(int Clients, int Addresses, Registrations Held, Introductions Introduced, IReadOnlyList<Member> Members, double? ReplicatedAfterSeconds);

    public Result MeasureOne()
    {
        using var folder = new TempDirectory();
        log.WriteLine("seeds: one seed, starting");
        using var seed = BenchSeed.Start(folder.File("seed"), "pype.seed.listen=127.0.0.1:0");
        Wait(TimeSpan.FromSeconds(1)); // past start-up allocations, so "idle" is idle
        var idleRss = seed.ResidentBytes;
        using var swarm = new SeedClientSwarm([seed.EndPoint], Clients);
        var ramp = RampUp(swarm, [seed], OneSeedRampPerSecond);
        var hold = Hold(swarm, [seed], TimeSpan.FromSeconds(20), ramp);
        var (introductions, introCpu) = Introduce(swarm, [seed], crossSeedOnly: false);
        var member = new Member("seed", idleRss, hold.Rss[0], hold.LastStatus[0].GetProperty("registered_peers").GetInt32(), 0, hold.Cpu[0], introCpu[0]);
        return new Result(Clients, swarm.Addresses, hold.Held, introductions, [member], null);
    }

    public Result MeasureCluster()
    {
        using var folder = new TempDirectory();
        log.WriteLine("seeds: cluster of three over TLS, starting");
        var certificate = SelfSignedPfx(folder.File("seed-cluster.pfx"));
        int[] ports = [FreeTcpPort(), FreeTcpPort(), FreeTcpPort()];
        var members = string.Join(",", ports.Select(p => $"127.0.0.1:{p}"));
        var starting = ports.Select((port, i) => Task.Run(() => BenchSeed.Start(folder.File($"seed{i + 1}"),
            "pype.seed.listen=127.0.0.1:0", "pype.seed.cluster.enabled=on", $"pype.seed.cluster.listen=127.0.0.1:{port}",
            $"pype.seed.cluster.members={members}", $"pype.seed.cluster.tls.certificate={certificate}",
            "pype.seed.cluster.tls.password=bench", "pype.seed.cluster.tls.suppress-validation=on"))).ToArray();
        var seeds = new List<BenchSeed>();
        try
        {
            // Collected one by one so a seed that did start is killed even when another failed.
            foreach (var task in starting)
                try { seeds.Add(task.Result); } catch (AggregateException e) when (e.InnerException is not null) { log.WriteLine($"seeds: a member did not start: {e.InnerException.Message}"); }
            if (seeds.Count < 3) throw new InvalidOperationException("a cluster member did not start");
            AwaitClusterOfThree(seeds[0]);
            Wait(TimeSpan.FromSeconds(1));
            var idleRss = seeds.Select(s => s.ResidentBytes).ToArray();
            using var swarm = new SeedClientSwarm([.. seeds.Select(s => s.EndPoint)], Clients);
            var ramp = RampUp(swarm, seeds, ClusterRampPerSecond);
            var replicated = AwaitReplication(seeds);
            var hold = Hold(swarm, seeds, TimeSpan.FromSeconds(10), ramp);
            var (introductions, introCpu) = Introduce(swarm, seeds, crossSeedOnly: true);
            var rows = seeds.Select((s, i) => new Member($"seed {i + 1}", idleRss[i], hold.Rss[i],
                hold.LastStatus[i].GetProperty("registered_peers").GetInt32(),
                hold.LastStatus[i].GetProperty("cluster").GetProperty("peers_elsewhere").GetInt32(), hold.Cpu[i], introCpu[i])).ToList();
            return new Result(Clients, swarm.Addresses, hold.Held, introductions, rows, replicated);
        }
        finally
        {
            foreach (var seed in seeds) seed.Dispose();
        }
    }

    private Ramp RampUp(SeedClientSwarm swarm, IReadOnlyList<BenchSeed> seeds, double perSecond)
    {
        log.WriteLine($"seeds: starting {Clients} simulated clients on {swarm.Addresses} loopback addresses at {perSecond:0}/s");
        var started = DateTimeOffset.UtcNow;
        swarm.Ramp(Clients, perSecond);
        var giveUpAt = started + TimeSpan.FromSeconds(Clients / perSecond + 30);
        SeedClientSwarm.Counters counters;
        while ((counters = swarm.Snapshot()).Registered < Clients && DateTimeOffset.UtcNow < giveUpAt)
            Wait(TimeSpan.FromMilliseconds(500));
        if (counters.Registered < Clients)
            log.WriteLine($"seeds: only {counters.Registered} of {Clients} registered after {(DateTimeOffset.UtcNow - started).TotalSeconds:0} s ({counters.SeedsLost} seeds lost: {string.Join(", ", counters.LossReasons.Select(r => $"{r.Key} {r.Value}"))}; {counters.Unroutable} unroutable datagrams); going on");
        var reachedAll = counters.Registered >= Clients;
        var seconds = ((reachedAll ? counters.LastFirstRegistrationAt : null) ?? DateTimeOffset.UtcNow) - started;
        var statuses = seeds.Select(s => s.Status()).ToList();
        // What the seeds refused while the clients poured in, for whoever reads a slow ramp.
        var drops = statuses.SelectMany(s => s.GetProperty("protocol_drops").EnumerateObject()).GroupBy(d => d.Name)
            .Select(g => $"{g.Key} {g.Sum(d => d.Value.GetInt64())}");
        log.WriteLine($"seeds: {counters.Registered} registered after {seconds.TotalSeconds:0.0} s; seeds say {string.Join(" + ", statuses.Select(s => s.GetProperty("registered_peers").GetInt32()))}; seeds dropped: {string.Join(", ", drops)}");
        return new Ramp(perSecond, seconds.TotalSeconds, counters.Registered, reachedAll);
    }

    private sealed record HoldResult(Registrations Held, long[] Rss, double[] Cpu, JsonElement[] LastStatus);

    /// <summary>Leaves the registered clients alone (they only keep alive) and watches the seeds' own count.</summary>
    private HoldResult Hold(SeedClientSwarm swarm, IReadOnlyList<BenchSeed> seeds, TimeSpan span, Ramp ramp)
    {
        log.WriteLine($"seeds: holding for {span.TotalSeconds:0} s");
        var before = swarm.Snapshot();
        var cpu = seeds.Select(s => ProcStats.CpuMeter.Start(s.ProcessId)).ToArray();
        var heldMin = int.MaxValue;
        var clientsMin = int.MaxValue;
        var statuses = Array.Empty<JsonElement>();
        var until = DateTime.UtcNow + span;
        while (true)
        {
            statuses = [.. seeds.Select(s => s.Status())];
            heldMin = Math.Min(heldMin, statuses.Sum(s => s.GetProperty("registered_peers").GetInt32()));
            clientsMin = Math.Min(clientsMin, swarm.Snapshot().Registered);
            if (DateTime.UtcNow >= until) break;
            Wait(TimeSpan.FromSeconds(2));
        }
        var percents = cpu.Select(c => c.PercentOfOneCore()).ToArray();
        var after = swarm.Snapshot();
        var held = new Registrations(heldMin, statuses.Sum(s => s.GetProperty("registered_peers").GetInt32()), clientsMin,
            after.SeedsLost - before.SeedsLost, ramp, span);
        return new HoldResult(held, [.. seeds.Select(s => s.ResidentBytes)], percents, statuses);
    }

    private (Introductions, double[] SeedCpu) Introduce(SeedClientSwarm swarm, IReadOnlyList<BenchSeed> seeds, bool crossSeedOnly)
    {
        log.WriteLine($"seeds: introductions{(crossSeedOnly ? " across seeds" : "")} for {IntroductionSpan.TotalSeconds:0} s, {IntroductionWindow} requests in flight");
        var (seedCountBefore, carriedBefore) = IntroductionCounts(seeds);
        var before = swarm.Snapshot();
        var cpu = seeds.Select(s => ProcStats.CpuMeter.Start(s.ProcessId)).ToArray();
        var benchCpu = ProcStats.CpuMeter.Start(Environment.ProcessId);
        var clock = Stopwatch.StartNew();
        swarm.StartIntroductions(IntroductionWindow, crossSeedOnly);
        Wait(IntroductionSpan);
        var after = swarm.Snapshot();
        var seconds = clock.Elapsed.TotalSeconds;
        var percents = cpu.Select(c => c.PercentOfOneCore()).ToArray();
        var benchPercent = benchCpu.PercentOfOneCore();
        swarm.StopIntroductions();
        var (seedCountAfter, carriedAfter) = IntroductionCounts(seeds);
        var latencies = swarm.ConnectLatencies();
        double Rate(long a, long b) => (b - a) / seconds;
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * p))];
        var result = new Introductions(
            Rate(before.Introduced, after.Introduced), Rate(before.Introduced + before.Offline, after.Introduced + after.Offline),
            Rate(before.IntroductionsReceived, after.IntroductionsReceived),
            Rate(carriedBefore, carriedAfter),
            (seedCountAfter - seedCountBefore) / clock.Elapsed.TotalSeconds, Percentile(0.5), Percentile(0.95),
            after.TimedOut - before.TimedOut, after.Offline - before.Offline, benchPercent);
        log.WriteLine($"seeds: {result.PerSecond:0} introductions/s, {result.TimedOut} requests unanswered, {after.Unroutable} unroutable datagrams");
        return (result, percents);
    }

    /// <summary>Introductions made, summed over the seeds, and those that reached a seed from another member to deliver.</summary>
    private static (long Made, long FromCluster) IntroductionCounts(IReadOnlyList<BenchSeed> seeds)
    {
        var statuses = seeds.Select(s => s.Status()).ToList();
        return (statuses.Sum(s => s.GetProperty("introductions").GetInt64()),
            statuses.Sum(s => s.GetProperty("cluster") is { ValueKind: JsonValueKind.Object } c ? c.GetProperty("introductions_from_cluster").GetInt64() : 0));
    }

    private void AwaitClusterOfThree(BenchSeed seed)
    {
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (seed.Status().GetProperty("cluster").GetProperty("members").GetArrayLength() < 3)
        {
            if (DateTime.UtcNow > giveUpAt) throw new TimeoutException("the three seeds did not form a cluster within 60 s");
            Wait(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>Seconds until every member knows every peer registered at the other two (null: not within 15 s).</summary>
    private double? AwaitReplication(IReadOnlyList<BenchSeed> seeds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var statuses = seeds.Select(s => s.Status()).ToArray();
            var total = statuses.Sum(s => s.GetProperty("registered_peers").GetInt32());
            if (statuses.All(s => s.GetProperty("registered_peers").GetInt32() + s.GetProperty("cluster").GetProperty("peers_elsewhere").GetInt32() >= total))
                return clock.Elapsed.TotalSeconds;
            Wait(TimeSpan.FromMilliseconds(500));
        }
        // The seeds' own log says why, when Akka.Remote refused a message (e.g. larger than its frame size).
        var complaints = seeds.SelectMany(s => s.Process.StandardError.Split('\n'))
            .Where(line => line.Contains("versized", StringComparison.Ordinal) || line.Contains("frame", StringComparison.OrdinalIgnoreCase)).ToList();
        log.WriteLine($"seeds: the registry was not replicated to every member within 15 s; going on ({complaints.Count} oversized-message complaints in the seeds' logs{(complaints.Count > 0 ? ", e.g. " + complaints[0] : "")})");
        return null;
    }

    private static string SelfSignedPfx(string path)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=pype-bench-seed-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "bench"));
        return path;
    }

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Wait(TimeSpan span)
    {
        if (cancel.WaitHandle.WaitOne(span)) throw new OperationCanceledException(cancel);
    }
}
