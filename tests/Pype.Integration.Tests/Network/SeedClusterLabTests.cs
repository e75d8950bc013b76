using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Pype.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Integration.Tests.Network;

/// <summary>
/// Three real seed processes forming one cluster over TLS in the NAT lab's seed namespace, with
/// nodes behind two NATs registered at different seeds: cross-seed introductions, a seed killed
/// (its nodes move on, a call goes on) and the same seed started again (it rejoins).
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class SeedClusterLabTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly TempDirectory folder = new();
    private readonly List<PypeProcess> processes = [];
    private readonly NatLab lab = NatLab.Create(NatMode.Eim, NatMode.Eim);

    public void Dispose()
    {
        foreach (var process in processes) process.Dispose();
        lab.Dispose();
        folder.Dispose();
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;


    private string Certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=pype-seed-cluster-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(folder.Path, "seed-cluster.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "test-password"));
        return path;
    }

    private sealed record Seed(PypeProcess Process, string Key, string Udp, string DataDir, int ClusterPort);

    private Seed StartSeed(string name, int clusterPort, int udpPort, string members, string certificate)
    {
        var data = Path.Combine(folder.Path, name);
        var process = PypeProcess.StartIn(lab, lab.Seed, ["seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", data, "--events", "json",
            "--set", $"pype.seed.listen={NatLab.SeedAddress}:{udpPort}",
            "--set", "pype.seed.cluster.enabled=on", "--set", $"pype.seed.cluster.listen={NatLab.SeedAddress}:{clusterPort}",
            "--set", $"pype.seed.cluster.members={members}",
            "--set", $"pype.seed.cluster.tls.certificate={certificate}", "--set", "pype.seed.cluster.tls.password=test-password",
            "--set", "pype.seed.cluster.tls.suppress-validation=on"]);
        processes.Add(process);
        var key = Str(process.WaitFor("whoami", Step), "public_key");
        var ready = process.WaitFor("ready", Step);
        return new Seed(process, key, Str(ready, "seed_listen"), data, clusterPort);
    }

    private PypeProcess StartNode(string namespaceName, string name, params string[] extra)
    {
        var process = PypeProcess.StartIn(lab, namespaceName, ["node", "--config", RepositoryRoot.Hocon("node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", Path.Combine(folder.Path, name), "--events", "json", "--set", "pype.node.overlay-degree=0",
            "--set", "pype.node.listen=0.0.0.0:0", .. extra]);
        processes.Add(process);
        return process;
    }

    private static int Members(Seed seed)
    {
        seed.Process.DiscardPending();
        seed.Process.Send("status");
        var status = seed.Process.WaitFor("status", Step);
        return status.GetProperty("cluster").GetProperty("members").GetArrayLength();
    }

    private static void AwaitMembers(Seed seed, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Members(seed) != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the cluster never had {count} members");
            Thread.Sleep(500);
        }
    }

    [Fact]
    public void Seeds_in_one_cluster_introduce_across_members_survive_a_dead_member_and_take_it_back()
    {
        var certificate = Certificate();
        int[] clusterPorts = [4053, 4054, 4055];
        var members = string.Join(",", clusterPorts.Select(p => $"{NatLab.SeedAddress}:{p}"));
        var seeds = new List<Seed>();
        for (var i = 0; i < 3; i++) seeds.Add(StartSeed($"seed{i + 1}", clusterPorts[i], 3478 + i, members, certificate));
        AwaitMembers(seeds[1], 3);

        string At(Seed seed) => $"{seed.Udp}@{seed.Key}";
        var alice = StartNode(lab.HostA, "alice", "--set", $"pype.node.seeds={At(seeds[0])},{At(seeds[1])}");
        var bob = StartNode(lab.HostB, "bob", "--set", $"pype.node.seeds={At(seeds[2])}", "--set", "pype.node.auto-answer=on", "--set", "pype.media.video.source=none");
        var aliceReady = alice.WaitFor("ready", Step);
        var bobAddress = Str(bob.WaitFor("ready", Step), "address");
        var aliceRegisteredAt = Str(alice.WaitFor("seed-registered", Step), "seed");
        var aliceSeed = seeds.FindIndex(seed => seed.Udp == aliceRegisteredAt);
        Assert.InRange(aliceSeed, 0, 1);
        Assert.Equal(seeds[2].Udp, Str(bob.WaitFor("seed-registered", Step), "seed"));

        // Alice is registered at seed 1 or 2 and Bob at seed 3: the cluster must introduce them.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement placed;
        while (true)
        {
            alice.Send($"call {bobAddress}");
            placed = alice.WaitForAny(["call-established", "call-ended"], Step);
            if (Str(placed, "event") == "call-established") break;
            Assert.True(DateTime.UtcNow < deadline, $"no call across seeds: {placed}");
            Thread.Sleep(1000); // the registry may not have reached seed 1 yet
        }
        bob.WaitFor("call-established", Step);

        // Alice's seed dies: she moves to her other seed within 10 s, and the call goes on.
        var otherSeed = 1 - aliceSeed;
        var killedAt = DateTime.UtcNow;
        seeds[aliceSeed].Process.KillHard();
        var moved = alice.WaitFor("seed-registered", TimeSpan.FromSeconds(20), e => Str(e, "seed") == seeds[otherSeed].Udp);
        var failover = moved.GetProperty("time").GetDateTimeOffset() - killedAt;
        output.WriteLine($"alice re-registered at seed {otherSeed + 1} {failover.TotalSeconds:0.0} s after seed {aliceSeed + 1} died");
        Assert.True(failover < TimeSpan.FromSeconds(10), $"fail-over took {failover.TotalSeconds:0.0} s");
        alice.DiscardPending();
        alice.Send("stats");
        var before = alice.WaitFor("stats", Step).GetProperty("calls")[0].GetProperty("audio_packets_received").GetInt64();
        Thread.Sleep(2000);
        alice.Send("stats");
        var after = alice.WaitFor("stats", Step).GetProperty("calls")[0].GetProperty("audio_packets_received").GetInt64();
        Assert.True(after > before + 50, $"the call stalled when its seed died ({before} → {after} audio packets)");

        // The dead seed comes back on the same cluster address and rejoins.
        AwaitMembers(seeds[2], 2);
        seeds[aliceSeed] = StartSeed($"seed{aliceSeed + 1}", clusterPorts[aliceSeed], 3478 + aliceSeed, members, certificate);
        AwaitMembers(seeds[2], 3);
        GC.KeepAlive(aliceReady);
    }
}
