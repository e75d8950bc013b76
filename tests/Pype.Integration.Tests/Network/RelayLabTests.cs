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
        // Both nodes' sessions carried registrations, so neither is still half-open; each cost the seed a Diffie-Hellman.
        Assert.Equal(0, seedStatus.GetProperty("sessions_half_open").GetInt32());
        Assert.True(seedStatus.GetProperty("handshake_dh_runs").GetInt64() >= 2);
        Assert.DoesNotContain(Secret, seedStatus.ToString());
        Assert.DoesNotContain(Secret, network.Seed.StandardError);
        Assert.Contains("lab.example", coturn.Log);
    }

    /// <summary>
    /// A port-restricted cone (eim) and a symmetric NAT cannot punch to each other: the relayed
    /// candidates join the probe rounds 1 s after the introduction, so the session is up through
    /// the relay long before the 5 s punch timeout (it used to wait for it: 5.6–6.1 s).
    /// </summary>
    [Fact]
    public void Port_restricted_cone_to_symmetric_is_relayed_well_within_the_punch_timeout()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Eim, NatMode.Sym, Secret, out _);
        var a = network.StartNode(network.Lab.HostA);
        var b = network.StartNode(network.Lab.HostB);
        WaitForRelay(a);
        WaitForRelay(b);

        var connecting = System.Diagnostics.Stopwatch.StartNew();
        a.Send($"connect {b.Address}");
        var atA = a.WaitFor("peer-connected", Connect, e => Str(e, "hash") == b.Hash);
        var wall = connecting.Elapsed;
        var atB = b.WaitFor("peer-connected", Connect, e => Str(e, "hash") == a.Hash);
        output.WriteLine($"connect -> peer-connected at a: {wall.TotalMilliseconds:0} ms wall; punching took {atA.GetProperty("setup_ms")} ms at a, {atB.GetProperty("setup_ms")} ms at b\na: {atA}\nb: {atB}");

        Assert.Equal("relayed", Str(atA, "path"));
        Assert.Equal("relayed", Str(atB, "path"));
        // 1 s head start for direct candidates plus a round trip through coturn; the bound leaves room for a loaded machine.
        Assert.True(wall <= TimeSpan.FromSeconds(3), $"relayed after {wall.TotalSeconds:0.0} s");
        Assert.DoesNotContain(a.Process.Seen, e => Str(e, "event") == "no-direct-path");
    }

    [Fact]
    public async Task A_call_between_symmetric_nats_carries_video_and_audio_through_the_relay()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Sym, NatMode.Sym, Secret, out _);
        var caller = network.StartNode(network.Lab.HostA);
        var callee = network.StartNode(network.Lab.HostB, 0, "--set", "pype.node.auto-answer=on");
        WaitForRelay(caller);
        WaitForRelay(callee);

        caller.Send($"call {callee.Address}");
        caller.WaitFor("call-established", Connect);
        callee.WaitFor("call-established", Connect);
        caller.Send("peers");
        Assert.Equal("relayed", Str(Assert.Single(caller.WaitFor("peers").GetProperty("peers").EnumerateArray()), "path"));
        await Task.Delay(TimeSpan.FromSeconds(8));

        caller.Send("stats");
        var sent = caller.WaitFor("stats").GetProperty("calls")[0];
        callee.Send("stats");
        var received = callee.WaitFor("stats").GetProperty("calls")[0];
        output.WriteLine($"caller: {sent}\ncallee: {received}");
        var framesSent = sent.GetProperty("video_frames_sent").GetInt64();
        var framesReceived = received.GetProperty("video_frames_received_complete").GetInt64();
        Assert.True(framesSent > 100, $"{framesSent} frames sent");
        Assert.True(framesReceived >= 0.9 * framesSent - 30, $"{framesReceived} of {framesSent} frames arrived through the relay");
        Assert.True(received.GetProperty("audio_packets_received").GetInt64() > 100);

        caller.Send("hangup");
        Assert.Equal("hung-up-by-peer", Str(callee.WaitFor("call-ended", Connect), "reason"));
    }

    private static JsonElement CallStats(LabNode node)
    {
        node.Process.DiscardPending();
        node.Send("stats");
        return node.WaitFor("stats", Connect).GetProperty("calls")[0];
    }

    private static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    /// <summary>Polls both nodes' call statistics until each has decoded <paramref name="frames"/> more video frames than in <paramref name="since"/>.</summary>
    private static (JsonElement AtA, JsonElement AtB) WaitForDecodedFrames(LabNode a, LabNode b, (long A, long B) since, long frames, TimeSpan timeout)
    {
        var giveUpAt = DateTime.UtcNow + timeout;
        while (true)
        {
            var (atA, atB) = (CallStats(a), CallStats(b));
            if (Long(atA, "video_frames_decoded") >= since.A + frames && Long(atB, "video_frames_decoded") >= since.B + frames)
                return (atA, atB);
            if (DateTime.UtcNow > giveUpAt)
                throw new TimeoutException($"video did not come back within {timeout.TotalSeconds} s (decoded before {since}):\na: {atA}\nb: {atB}");
            Thread.Sleep(500);
        }
    }

    /// <summary>A call from host A to host B (through the relay when their NATs demand it) with video both ways, running until both sides decode frames.</summary>
    private static (LabNode Caller, LabNode Callee) StartCall(LabNetwork network, TempDirectory files)
    {
        var discard = files.File("discard.y4m");
        File.CreateSymbolicLink(discard, "/dev/null");
        // Both sides send and decode video (decoding only happens when it is shown or recorded);
        // 320x240 so the two-core machine tests the relay, not the encoder.
        string[] media = ["--set", "pype.media.video.width=320", "--set", "pype.media.video.height=240",
            "--set", "pype.media.video.bitrate-kbps=800", "--set", $"pype.media.video.out=file:{discard}"];
        var caller = network.StartNode(network.Lab.HostA, 0, media);
        var callee = network.StartNode(network.Lab.HostB, 0, [.. media, "--set", "pype.node.auto-answer=on"]);
        WaitForRelay(caller);
        WaitForRelay(callee);
        caller.Send($"call {callee.Address}");
        caller.WaitFor("call-established", Connect);
        callee.WaitFor("call-established", Connect);
        WaitForDecodedFrames(caller, callee, (0, 0), 30, Connect);
        return (caller, callee);
    }

    /// <summary>
    /// After a relay outage began: both sides decode video and receive audio again, the call was
    /// never ended nor the peer lost, and the statuses (returned) show what the relays did.
    /// </summary>
    private List<JsonElement> AssertCallResumes(LabNode caller, LabNode callee, DateTime since, string what)
    {
        var (beforeA, beforeB) = (CallStats(caller), CallStats(callee));
        JsonElement afterA, afterB;
        try
        {
            // The peer link would be lost (and the call ended) 45 s after the last packet: the
            // bound is generous for a loaded machine but well inside that.
            (afterA, afterB) = WaitForDecodedFrames(caller, callee,
                (Long(beforeA, "video_frames_decoded"), Long(beforeB, "video_frames_decoded")), 50, TimeSpan.FromSeconds(35));
        }
        catch (TimeoutException)
        {
            foreach (var node in new[] { caller, callee })
            {
                node.Send("status");
                output.WriteLine(node.WaitFor("status").ToString());
                output.WriteLine(node.Process.StandardError);
            }
            throw;
        }
        output.WriteLine($"video decoded again on both sides {(DateTime.UtcNow - since).TotalSeconds:0.0} s after {what}\na: {afterA}\nb: {afterB}");
        Assert.True(Long(afterA, "audio_packets_received") > Long(beforeA, "audio_packets_received"));
        Assert.True(Long(afterB, "audio_packets_received") > Long(beforeB, "audio_packets_received"));

        foreach (var node in new[] { caller, callee })
        {
            node.Send("calls");
            Assert.Contains(node.WaitFor("calls").GetProperty("calls").EnumerateArray(), c => Str(c, "state") == "established");
            node.Process.DiscardPending();
            Assert.DoesNotContain(node.Process.Seen, e => Str(e, "event") is "call-ended" or "peer-lost");
        }
        caller.Send("peers");
        Assert.Equal("relayed", Str(Assert.Single(caller.WaitFor("peers").GetProperty("peers").EnumerateArray()), "path"));
        var statuses = new[] { caller, callee }.Select(node =>
        {
            node.Send("status");
            return node.WaitFor("status");
        }).ToList();
        output.WriteLine(string.Join("\n", statuses));
        return statuses;
    }

    [Fact]
    public void Killing_and_restarting_coturn_mid_call_allocates_again_and_the_call_resumes_on_both_sides()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Sym, NatMode.Sym, Secret, out var coturn);
        using var files = new TempDirectory();
        var (caller, callee) = StartCall(network, files);

        coturn.Kill();
        // A real outage: relayed media goes nowhere for a while before the server is back, empty.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        coturn.Start();

        var statuses = AssertCallResumes(caller, callee, DateTime.UtcNow, "coturn came back");
        // At least the node whose allocation carried the call noticed the restart and allocated again.
        Assert.Contains(statuses, s => s.GetProperty("relay_allocations_lost").GetInt32() >= 1 && s.GetProperty("relay_allocations").GetInt32() >= 2);

        caller.Send("hangup");
        Assert.Equal("hung-up-by-peer", Str(callee.WaitFor("call-ended", Connect), "reason"));
    }

    [Fact]
    public void A_node_whose_credentials_coturn_refuses_asks_the_seed_for_fresh_ones_and_allocates_once_coturn_takes_them()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Sym, NatMode.Sym, Secret, out var coturn);
        // coturn was given another secret than the seed signs with: every credential the seed grants is refused (401).
        coturn.Kill();
        coturn.Start("not-the-seeds-secret");
        var node = network.StartNode(network.Lab.HostA);
        var giveUpAt = DateTime.UtcNow + Connect;
        JsonElement status;
        do
        {
            Thread.Sleep(250);
            node.Send("status");
            status = node.WaitFor("status");
            Assert.True(DateTime.UtcNow < giveUpAt, $"the relay was never refused: {status}");
        }
        while (Str(status, "relay_state") != "failed");
        network.Seed.Send("status");
        var issuedWhenRefused = network.Seed.WaitFor("status").GetProperty("relay_credentials_issued").GetInt64();

        // The operator puts the seed's secret back; the node's next request for credentials (at most 30 s on) gets a relay.
        coturn.Kill();
        coturn.Start(Secret);
        var relayed = WaitForRelay(node, TimeSpan.FromSeconds(45));
        output.WriteLine($"relayed at {Str(relayed, "relayed_candidate")}; the seed had issued {issuedWhenRefused} grants when the relay failed");
        Assert.Equal("allocated", Str(relayed, "relay_state"));
        network.Seed.Send("status");
        Assert.True(network.Seed.WaitFor("status").GetProperty("relay_credentials_issued").GetInt64() > issuedWhenRefused);
    }

    [Fact]
    public void With_two_turn_servers_a_call_on_the_first_moves_to_the_second_when_the_first_dies()
    {
        using var network = LabNetwork.StartWithTwoRelays(NatMode.Sym, NatMode.Sym, Secret, out var first, out var second);
        using var files = new TempDirectory();
        var (caller, callee) = StartCall(network, files);
        foreach (var node in new[] { caller, callee })
            Assert.Equal(first.EndPoint, Str(WaitForRelay(node), "relay_server"));

        first.Kill();
        var statuses = AssertCallResumes(caller, callee, DateTime.UtcNow, "the first coturn died");

        Assert.Contains(statuses, s => Str(s, "relay_server") == second.EndPoint && Str(s, "relay_state") == "allocated"
            && s.GetProperty("relayed_candidate").GetString()!.StartsWith($"{NatLab.SeedSecondAddress}:"));
        caller.Send("hangup");
        Assert.Equal("hung-up-by-peer", Str(callee.WaitFor("call-ended", Connect), "reason"));
    }

    [Fact]
    public void A_direct_call_whose_path_dies_falls_back_to_the_relay_and_resumes_on_both_sides()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Eim, NatMode.Eim, Secret, out _);
        using var files = new TempDirectory();
        var (caller, callee) = StartCall(network, files);
        caller.Send("peers");
        Assert.Equal("server-reflexive", Str(Assert.Single(caller.WaitFor("peers").GetProperty("peers").EnumerateArray()), "path"));

        // The two NATs stop reaching each other directly (as a firewall might); the relay beside the seed still works.
        Assert.Equal(0, network.Lab.Exec(network.Lab.Inet, "bash", "-c",
            $"nft add table ip cut && nft 'add chain ip cut forward {{ type filter hook forward priority -10; }}' "
            + $"&& nft add rule ip cut forward ip saddr {NatLab.NatAPublicAddress} ip daddr {NatLab.NatBPublicAddress} drop "
            + $"&& nft add rule ip cut forward ip saddr {NatLab.NatBPublicAddress} ip daddr {NatLab.NatAPublicAddress} drop").ExitCode);

        AssertCallResumes(caller, callee, DateTime.UtcNow, "the direct path was cut");
        callee.Send("peers");
        Assert.Equal("relayed", Str(Assert.Single(callee.WaitFor("peers").GetProperty("peers").EnumerateArray()), "path"));
        caller.Send("hangup");
        Assert.Equal("hung-up-by-peer", Str(callee.WaitFor("call-ended", Connect), "reason"));
    }

    [Fact]
    public void Garbage_channel_data_and_stun_from_anywhere_are_dropped_and_counted_and_the_node_keeps_serving()
    {
        using var network = LabNetwork.StartWithRelay(NatMode.Eim, NatMode.Sym, Secret, out _);
        var exposed = network.StartNode(network.Lab.Public);
        var status = WaitForRelay(exposed);
        var port = Str(status, "listen").Split(':')[^1];

        // ChannelData (first byte 0x40), a truncated STUN header and a STUN-looking Data indication, from the seed host (not the TURN port).
        foreach (var bytes in new[] { @"\x40\x00\x00\x08garbage!", @"\x00\x01\x00", @"\x00\x17\x00\x04\x21\x12\xa4\x42abcdefghijkl\x00\x13\x00\x00" })
        {
            var result = network.Lab.Exec(network.Lab.Seed, "bash", "-c", $"printf '{bytes}' > /dev/udp/{NatLab.PublicAddress}/{port}");
            Assert.Equal(0, result.ExitCode);
        }
        Thread.Sleep(500);

        exposed.Send("status");
        var after = exposed.WaitFor("status");
        Assert.Equal(1, after.GetProperty("drops").GetProperty("turn-channel-data-not-from-relay").GetInt32());
        // The truncated header looks like a request, which the transport answers or refuses itself.
        Assert.Equal(1, after.GetProperty("drops").GetProperty("stun-request-refused").GetInt32());
        Assert.Equal(1, after.GetProperty("protocol_drops").GetProperty("seed-UnexpectedStun").GetInt32());
        Assert.Equal("allocated", Str(after, "relay_state"));

        var other = network.StartNode(network.Lab.HostB);
        WaitForRelay(other);
        var (atOther, _) = ConnectThroughRelay(other, exposed);
        output.WriteLine(atOther.ToString());
    }
}
