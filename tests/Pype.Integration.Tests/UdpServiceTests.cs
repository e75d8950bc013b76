using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>The UDP side of real seed and node processes, checked with outside tools and raw sockets.</summary>
public class UdpServiceTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private PypeProcess StartSeedAndNode() => PypeProcess.Start(
        ["node", "--config", RepositoryRoot.Hocon("seed-and-node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
         "--data-dir", data.Path, "--events", "json"]);

    [Fact]
    public void Coturn_stun_client_gets_its_mapped_address_from_the_seed()
    {
        using var seed = PypeProcess.Start(["seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data.Path, "--events", "json"]);
        var listen = IPEndPoint.Parse(Str(seed.WaitFor("ready"), "seed_listen"));

        var client = Process.Start(new ProcessStartInfo("turnutils_stunclient", ["-p", listen.Port.ToString(), "127.0.0.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = client.StandardOutput.ReadToEnd() + client.StandardError.ReadToEnd();
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(20)));

        var mapped = Regex.Match(output, @"UDP reflexive addr: (127\.0\.0\.1):(\d+)");
        Assert.True(mapped.Success, "turnutils_stunclient printed no reflexive address:\n" + output);
        Assert.NotEqual(listen.Port, int.Parse(mapped.Groups[2].Value));
        // The count is the seed actor's; the answer may reach the client before the actor counted it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            seed.Send("status");
            if (seed.WaitFor("status").GetProperty("stun_answered").GetInt64() >= 1) break;
            Assert.True(DateTime.UtcNow < deadline, "the seed counted no STUN answer");
            Thread.Sleep(100);
        }
    }

    [Fact]
    public void Garbage_flood_is_dropped_and_counted_while_seed_and_node_keep_serving()
    {
        using var both = StartSeedAndNode();
        var ready = both.WaitFor("ready");
        var seedEndPoint = IPEndPoint.Parse(Str(ready, "seed_listen"));
        var nodeEndPoint = IPEndPoint.Parse(Str(ready, "node_listen"));

        using var flooder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(7);
        var datagram = new byte[1400];
        // Well-formed handshake initiations from a sender who does not know the node's key (no valid
        // mac1): more than a burst's worth, yet none may take a rate-limit slot from a real contact. Sent
        // before the flood, which overfills the node's socket buffer.
        var initiation = new byte[Pype.Core.Wire.HandshakeInitiation.Length];
        for (var i = 0; i < 100; i++)
        {
            random.NextBytes(initiation);
            initiation[0] = (byte)Pype.Core.Wire.PypePacketType.HandshakeInitiation;
            initiation.AsSpan(Pype.Core.Wire.PypePacket.TypeLength, Pype.Core.Wire.PypePacket.ReservedLength).Clear();
            flooder.Send(initiation, nodeEndPoint);
        }
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, datagram.Length);
            random.NextBytes(datagram.AsSpan(0, length));
            // Every kind of first byte, with extra weight on the ones that reach a parser.
            if (i % 3 == 0) datagram[0] = (byte)(0xE1 + i % 3);
            if (i % 7 == 0) datagram[0] = (byte)(i % 4);
            flooder.Send(datagram.AsSpan(0, length), i % 2 == 0 ? seedEndPoint : nodeEndPoint);
        }

        // Both still answer STUN and the console.
        Assert.NotNull(StunProbe(seedEndPoint));
        Assert.NotNull(StunProbe(nodeEndPoint));
        both.Send("status");
        var nodeStatus = both.WaitFor("status", where: s => Str(s, "role") == "node");
        var seedStatus = both.WaitFor("status", where: s => Str(s, "role") == "seed");
        foreach (var status in new[] { nodeStatus, seedStatus })
        {
            Assert.True(status.GetProperty("datagrams_in").GetInt64() > 1000);
            Assert.True(status.GetProperty("drops").EnumerateObject().Sum(d => d.Value.GetInt64()) > 1000);
        }
        var nodeDrops = nodeStatus.GetProperty("protocol_drops");
        Assert.True(nodeDrops.TryGetProperty("initiation-bad-mac", out var badMac) && badMac.GetInt64() >= 100, $"protocol drops: {nodeDrops}");
        Assert.False(nodeDrops.TryGetProperty("initiation-rate-limited", out _), $"protocol drops: {nodeDrops}");
        both.Send("whoami");
        both.WaitFor("whoami");
    }

    /// <summary>One STUN Binding request with a fresh socket; the mapped address or null.</summary>
    private static byte[]? StunProbe(IPEndPoint server)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new byte[20];
        request[1] = 0x01; // Binding request
        request[4] = 0x21; request[5] = 0x12; request[6] = 0xA4; request[7] = 0x42;
        Random.Shared.NextBytes(request.AsSpan(8, 12));
        client.Client.ReceiveTimeout = 2000;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            client.Send(request, server);
            try
            {
                IPEndPoint? from = null;
                var answer = client.Receive(ref from);
                if (answer.Length >= 20 && answer[0] == 0x01 && answer[1] == 0x01) return answer;
            }
            catch (SocketException) { }
        }
        return null;
    }
}
