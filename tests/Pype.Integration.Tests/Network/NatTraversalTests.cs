using System.Text.Json;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Network;

/// <summary>
/// Real seed and node processes behind real Linux NATs: the seed introduces two nodes and they
/// punch through to a direct, authenticated session, or say clearly that they cannot.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class NatTraversalTests
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(15);

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static (JsonElement A, JsonElement B) ConnectAndWait(LabNode a, LabNode b)
    {
        a.Send($"connect {b.Address}");
        // The seed's "introduced" answer and the punched session race each other: take both in
        // whichever order they come.
        JsonElement? atA = null;
        var requested = false;
        while (atA is null || !requested)
        {
            var next = a.Process.WaitForAny(["connect-requested", "peer-connected"], Connect,
                e => Str(e, "event") == "connect-requested" || Str(e, "hash") == b.Hash);
            if (Str(next, "event") == "connect-requested") requested = true;
            else atA = next;
        }
        var atB = b.WaitFor("peer-connected", Connect, e => Str(e, "hash") == a.Hash);
        return (atA.Value, atB);
    }

    private static void AssertPeersShowEachOther(LabNode a, LabNode b)
    {
        a.Send("peers");
        var peer = Assert.Single(a.WaitFor("peers").GetProperty("peers").EnumerateArray());
        Assert.Equal(b.Hash, Str(peer, "hash"));
        Assert.Equal("connected", Str(peer, "state"));
        Assert.False(string.IsNullOrEmpty(Str(peer, "remote")));
    }

    [Theory]
    [InlineData(NatMode.Eim, NatMode.Eim, "server-reflexive")]
    [InlineData(NatMode.FullCone, NatMode.Sym, null)]
    [InlineData(NatMode.None, NatMode.Eim, null)]
    public void Nodes_behind_these_nats_end_in_a_direct_session(NatMode modeA, NatMode modeB, string? expectedPathAtA)
    {
        using var network = LabNetwork.Start(modeA, modeB);
        var a = network.StartNode(network.Lab.HostA);
        var b = network.StartNode(network.Lab.HostB);
        if (modeA == NatMode.None) Assert.Equal($"{NatLab.HostAAddress}", a.ServerReflexive!.Split(':')[0]);
        else Assert.Equal($"{NatLab.NatAPublicAddress}", a.ServerReflexive!.Split(':')[0]);

        var (atA, atB) = ConnectAndWait(a, b);
        if (expectedPathAtA is not null) Assert.Equal(expectedPathAtA, Str(atA, "path"));
        Assert.True(atA.GetProperty("setup_ms").GetDouble() < 5000);
        Assert.True(atB.GetProperty("setup_ms").GetDouble() < 5000);
        AssertPeersShowEachOther(a, b);
        AssertPeersShowEachOther(b, a);

        // A second punch after both sides hung up works as well as the first.
        a.Send($"disconnect {b.Hash[..12]}");
        a.WaitFor("peer-disconnected");
        b.Send($"disconnect {a.Address}");
        b.WaitFor("peer-disconnected");
        ConnectAndWait(b, a);
    }

    [Fact]
    public void Coturn_stun_client_behind_a_nat_learns_the_nats_public_address_from_the_seed()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var result = network.Lab.Exec(network.Lab.HostA, "turnutils_stunclient", "-p", LabNetwork.SeedPort.ToString(), NatLab.SeedAddress.ToString());
        Assert.Equal(0, result.ExitCode);
        var mapped = System.Text.RegularExpressions.Regex.Match(result.Output, @"UDP reflexive addr: ([0-9.]+):(\d+)");
        Assert.True(mapped.Success, result.Output);
        Assert.Equal(NatLab.NatAPublicAddress.ToString(), mapped.Groups[1].Value);
    }

    [Fact]
    public void Two_nodes_behind_the_same_nat_connect_over_host_candidates()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var a = network.StartNode(network.Lab.HostA);
        var a2 = network.StartNode(network.Lab.HostA2);
        var (atA, atA2) = ConnectAndWait(a, a2);
        Assert.Equal("host", Str(atA, "path"));
        Assert.StartsWith($"{NatLab.HostA2Address}:", Str(atA, "remote"));
        Assert.Equal("host", Str(atA2, "path"));
    }

    [Fact]
    public void Eim_to_eim_connects_through_20_percent_loss()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var a = network.StartNode(network.Lab.HostA);
        var b = network.StartNode(network.Lab.HostB);
        network.Lab.SetLoss(20);
        a.Send($"connect {b.Address}");
        // Through the lossy internet router the connect request itself may need the seed's retries.
        a.WaitFor("peer-connected", TimeSpan.FromSeconds(20), e => Str(e, "hash") == b.Hash);
        b.WaitFor("peer-connected", TimeSpan.FromSeconds(20), e => Str(e, "hash") == a.Hash);
    }

    [Fact]
    public void Symmetric_to_symmetric_ends_quickly_with_no_direct_path()
    {
        using var network = LabNetwork.Start(NatMode.Sym, NatMode.Sym);
        var a = network.StartNode(network.Lab.HostA, extra: ["--set", "pype.node.punch-timeout=3s"]);
        var b = network.StartNode(network.Lab.HostB, extra: ["--set", "pype.node.punch-timeout=3s"]);
        a.Send($"connect {b.Address}");
        var started = DateTime.UtcNow;
        var failure = a.WaitFor("no-direct-path", TimeSpan.FromSeconds(15), e => Str(e, "hash") == b.Hash);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
        Assert.True(failure.GetProperty("candidates_tried").GetInt32() >= 2);
        b.WaitFor("no-direct-path", TimeSpan.FromSeconds(15), e => Str(e, "hash") == a.Hash);
    }

    [Fact]
    public void Overlay_degree_makes_nodes_find_each_other_without_a_connect_command()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.FullCone);
        var a = network.StartNode(network.Lab.HostA, overlayDegree: 2);
        var b = network.StartNode(network.Lab.HostB, overlayDegree: 2);
        var c = network.StartNode(network.Lab.Public, overlayDegree: 2);
        foreach (var node in new[] { a, b, c })
        {
            var others = new[] { a, b, c }.Where(n => n != node).Select(n => n.Hash).ToHashSet();
            var seen = new HashSet<string>();
            while (!seen.SetEquals(others))
                seen.Add(Str(node.WaitFor("peer-connected", TimeSpan.FromSeconds(30)), "hash"));
        }
    }

    [Fact]
    public void After_newkeys_the_node_registers_again_and_is_reachable_under_its_new_address()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var a = network.StartNode(network.Lab.HostA);
        var b = network.StartNode(network.Lab.HostB);
        a.Send("newkeys");
        var rotated = a.WaitFor("keys-rotated");
        a.WaitFor("seed-registered", Connect);
        var renewed = a with { Address = Str(rotated, "address"), Hash = Str(rotated, "hash") };
        ConnectAndWait(b, renewed);
        a.Send("status");
        var status = a.WaitFor("status");
        Assert.True(status.GetProperty("registered_at_seed").GetBoolean());
        Assert.Equal(1, status.GetProperty("peers_connected").GetInt32());
    }

    [Fact]
    public void Connect_to_an_offline_peer_is_answered_clearly()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var a = network.StartNode(network.Lab.HostA);
        var stranger = Pype.Core.Identity.IdentityKeyPair.Generate();
        a.Send($"connect {stranger.Address}");
        Assert.Contains("not online", Str(a.WaitFor("error", Connect), "message"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkLabCollection
{
    public const string Name = "network lab";
}
