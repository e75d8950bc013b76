using System.Text.Json;
using Pype.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Integration.Tests.Network;

/// <summary>
/// Nodes behind symmetric NATs, which cannot punch to each other, meet through a real coturn
/// beside the seed: the seed hands out the server and credentials, each node allocates a relay on
/// its one socket and publishes the relayed address as a candidate, and the session runs through it.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class RelayLabTests(ITestOutputHelper output)
{
    private const string Secret = "lab-turn-secret";
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(20);

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    /// <summary>The node's status once its relay is allocated (the seed grants credentials at registration).</summary>
    private static JsonElement WaitForRelay(LabNode node, TimeSpan? timeout = null)
    {
        var giveUpAt = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            node.Send("status");
            var status = node.WaitFor("status");
            if (status.TryGetProperty("relayed_candidate", out var relayed) && relayed.ValueKind == JsonValueKind.String)
                return status;
            if (DateTime.UtcNow > giveUpAt)
                throw new TimeoutException($"no relay allocated: {status}");
            Thread.Sleep(250);
        }
    }

    private static (JsonElement AtA, JsonElement AtB) ConnectThroughRelay(LabNode a, LabNode b)
    {
        a.Send($"connect {b.Address}");
        var atA = a.WaitFor("peer-connected", Connect, e => Str(e, "hash") == b.Hash);
        var atB = b.WaitFor("peer-connected", Connect, e => Str(e, "hash") == a.Hash);
        return (atA, atB);
    }

    [Fact]
    public void Symmetric_to_symmetric_connects_through_coturn_and_shows_a_relayed_path()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Sym, NatMode.Sym, Secret, out var coturn);
        var a = network.StartNode(network.Lab.HostA);
        var b = network.StartNode(network.Lab.HostB);
        var statusA = WaitForRelay(a);
        WaitForRelay(b);
        Assert.StartsWith($"{NatLab.SeedAddress}:", Str(statusA, "relayed_candidate"));
        Assert.Equal("allocated", Str(statusA, "relay_state"));

        JsonElement atA, atB;
        try
        {
            (atA, atB) = ConnectThroughRelay(a, b);
        }
        catch (TimeoutException)
        {
            foreach (var node in new[] { a, b })
            {
                node.Send("status");
                output.WriteLine(node.WaitFor("status").ToString());
            }
            output.WriteLine(coturn.Log);
            throw;
        }
        output.WriteLine($"a: {atA}\nb: {atB}");
        Assert.Equal("relayed", Str(atA, "path"));
        Assert.Equal("relayed", Str(atB, "path"));

        a.Send("peers");
        var peer = Assert.Single(a.WaitFor("peers").GetProperty("peers").EnumerateArray());
        Assert.Equal(("connected", "relayed"), (Str(peer, "state"), Str(peer, "path")));

        // The gossiped record carries the relayed candidate beside the others.
        a.Send("book");
        var own = a.WaitFor("book").GetProperty("own");
        Assert.Contains(own.GetProperty("candidates").EnumerateArray(), c => c.GetString()!.StartsWith($"relay {NatLab.SeedAddress}:"));

        network.Seed.Send("status");
        var seedStatus = network.Seed.WaitFor("status");
        Assert.True(seedStatus.GetProperty("relay_credentials_issued").GetInt64() >= 2);
        Assert.DoesNotContain(Secret, seedStatus.ToString());
        Assert.DoesNotContain(Secret, network.Seed.StandardError);
        Assert.Contains("lab.example", coturn.Log);
    }
}
