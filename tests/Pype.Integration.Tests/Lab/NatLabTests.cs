using System.Net;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Lab;

/// <summary>
/// The lab proves its own NAT behaviours with real UDP before anything of Pype relies on them.
/// Each test builds its own lab; a lab that cannot run fails the test with the reason.
/// </summary>
public sealed class NatLabTests
{
    private const int StunPort = 3478;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(3);

    // Lab round trips take well under a millisecond; this long without a datagram means dropped.
    private static readonly TimeSpan Silence = TimeSpan.FromMilliseconds(700);

    private static readonly IPEndPoint Seed1 = new(NatLab.SeedAddress, StunPort);
    private static readonly IPEndPoint Seed2 = new(NatLab.SeedSecondAddress, StunPort);

    [Fact]
    public void Eim_nat_keeps_one_external_port_towards_two_destinations()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 40000);

        a.SendTo(Seed1);
        a.SendTo(Seed2);

        var seen1 = Seen(a, Seed1);
        var seen2 = Seen(a, Seed2);
        Assert.Equal(NatLab.NatAPublicAddress, seen1.Address);
        Assert.Equal(seen1, seen2);
    }

    [Theory]
    [InlineData(NatMode.Sym)]
    [InlineData(NatMode.SymFull)]
    public void Symmetric_nat_uses_a_new_external_port_per_destination(NatMode mode)
    {
        using var lab = NatLab.Create(mode, NatMode.Eim);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 40000);

        a.SendTo(Seed1);
        a.SendTo(Seed2);

        var seen1 = Seen(a, Seed1);
        var seen2 = Seen(a, Seed2);
        Assert.Equal(NatLab.NatAPublicAddress, seen1.Address);
        Assert.Equal(NatLab.NatAPublicAddress, seen2.Address);
        Assert.NotEqual(seen1.Port, seen2.Port);
    }

    [Fact]
    public void Unsolicited_inbound_to_a_host_behind_eim_is_dropped()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim);
        StartSeed(lab);
        var b = Socket(lab, lab.HostB, 5000);
        b.SendTo(Seed1);
        var mappedB = Seen(b, Seed1);

        // Strangers send to hostB's live mapping and to a port with no mapping at all.
        var stranger = lab.StartUdpProbe(lab.Public, "send", "6000", mappedB.ToString(),
            new IPEndPoint(NatLab.NatBPublicAddress, 5001).ToString(), "--count", "3", "--linger", "500");
        var a = Socket(lab, lab.HostA, 5000);
        a.SendTo(mappedB);
        a.SendTo(mappedB);

        Assert.True(stranger.WaitForExit(TimeSpan.FromSeconds(10)), stranger.Describe());
        Assert.Null(b.WaitForDatagram(d => !d.From.Equals(Seed1), Silence));
        Assert.Empty(stranger.Received);
        Assert.Empty(a.Received);
    }

    [Fact]
    public void Eim_hosts_reach_each_other_after_a_simultaneous_punch()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim);
        var (a, b, mappedA, mappedB) = LearnMappings(lab);

        Punch(a, mappedB, b, mappedA);

        Assert.True(a.WaitForDatagram(d => d.From.Equals(mappedB), Answer) is not null, a.Describe());
        Assert.True(b.WaitForDatagram(d => d.From.Equals(mappedA), Answer) is not null, b.Describe());
    }

    [Fact]
    public void Punch_between_symmetric_and_eim_fails()
    {
        using var lab = NatLab.Create(NatMode.Sym, NatMode.Eim);
        var (a, b, mappedA, mappedB) = LearnMappings(lab);

        Punch(a, mappedB, b, mappedA);

        Assert.Null(a.WaitForDatagram(d => d.From.Address.Equals(NatLab.NatBPublicAddress), Silence));
        Assert.Null(b.WaitForDatagram(d => d.From.Address.Equals(NatLab.NatAPublicAddress), TimeSpan.Zero));
    }

    [Fact]
    public void Full_cone_nat_lets_any_sender_reach_a_mapped_port()
    {
        using var lab = NatLab.Create(NatMode.FullCone, NatMode.Eim);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 5000);
        a.SendTo(Seed1);
        var mappedA = Seen(a, Seed1);

        var stranger = lab.StartUdpProbe(lab.Public, "send", "6000", mappedA.ToString(), "--count", "3", "--linger", "500");
        var b = Socket(lab, lab.HostB, 5000);
        b.SendTo(mappedA);

        var fromStranger = a.WaitForDatagram(d => d.From.Address.Equals(NatLab.PublicAddress), Answer);
        var fromB = a.WaitForDatagram(d => d.From.Address.Equals(NatLab.NatBPublicAddress), Answer);
        Assert.True(fromStranger is not null && fromB is not null, a.Describe());
        Assert.True(stranger.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Contains(stranger.Received, d => d.From.Equals(mappedA));
    }

    [Fact]
    public void Host_without_nat_is_seen_at_its_own_address_and_reachable_unsolicited()
    {
        using var lab = NatLab.Create(NatMode.None, NatMode.Eim);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 5000);
        a.SendTo(Seed1);
        Assert.Equal(new IPEndPoint(NatLab.HostAAddress, 5000), Seen(a, Seed1));

        var stranger = lab.StartUdpProbe(lab.Public, "send", "6000", "10.1.0.2:5000", "--count", "1", "--linger", "500");

        Assert.True(a.WaitForDatagram(d => d.From.Equals(new IPEndPoint(NatLab.PublicAddress, 6000)), Answer) is not null, a.Describe());
        Assert.True(stranger.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Two_hosts_behind_one_nat_reach_each_other_on_the_lan_but_not_by_hairpin()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 5000);
        var a2 = Socket(lab, lab.HostA2, 5000);
        a.SendTo(Seed1);
        var mappedA = Seen(a, Seed1);
        a2.SendTo(Seed1);
        var mappedA2 = Seen(a2, Seed1);
        Assert.NotEqual(mappedA, mappedA2); // same internal port, one NAT: the second gets another

        a.SendTo(mappedA2); // hairpin: natA does not loop it back
        a.SendTo(mappedA2);
        Assert.Null(a2.WaitForDatagram(d => !d.From.Equals(Seed1), Silence));

        a.SendTo(new IPEndPoint(NatLab.HostA2Address, 5000)); // host candidate on the LAN
        Assert.True(a2.WaitForDatagram(d => d.From.Equals(new IPEndPoint(NatLab.HostAAddress, 5000)), Answer) is not null, a2.Describe());
    }

    [Fact]
    public void Loss_of_100_percent_drops_everything_and_0_restores()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim, lossPercent: 100);
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 5000);

        SendTimes(a, Seed1, 5);
        Assert.Null(a.WaitForDatagram(_ => true, Silence));

        lab.SetLoss(0);
        a.SendTo(Seed1);
        Assert.NotNull(a.WaitForSeenBy(Seed1, Answer));

        lab.SetLoss(100);
        var before = a.Received.Count;
        SendTimes(a, Seed1, 5);
        Thread.Sleep(Silence);
        Assert.Equal(before, a.Received.Count);
    }

    [Fact]
    public void Teardown_leaves_no_namespace_with_the_prefix_and_no_process()
    {
        var lab = NatLab.Create(NatMode.FullCone, NatMode.Sym, lossPercent: 10);
        var prefix = lab.Prefix;
        var listenerPid = lab.StartUdpProbe(lab.HostA, "listen", "5000").WaitForReady().Process.Id;

        lab.Dispose();
        lab.Dispose(); // twice is harmless

        Assert.False(Directory.Exists($"/proc/{listenerPid}"), "the lab's process survived Dispose");
        var namespaces = Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).ToList()
            : [];
        Assert.DoesNotContain(namespaces, n => n!.StartsWith(prefix + "-", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine("/tmp/pype-natlab", prefix)));
    }

    [Fact]
    public void Commands_run_inside_lab_namespaces_only()
    {
        using var lab = NatLab.Create(NatMode.Eim, NatMode.Eim);

        var seedAddresses = lab.Exec(lab.Seed, "ip", "-4", "-o", "addr", "show", "dev", "eth0");
        Assert.Equal(0, seedAddresses.ExitCode);
        Assert.Contains("198.51.100.66/26", seedAddresses.Output, StringComparison.Ordinal);
        Assert.Contains("203.0.113.66/26", seedAddresses.Output, StringComparison.Ordinal);

        var shell = lab.StartProcess(lab.HostB, "/bin/sh", ["-c", "echo $LAB_GREETING"], new Dictionary<string, string> { ["LAB_GREETING"] = "hello" });
        Assert.Equal("hello", shell.StandardOutput.ReadToEnd().Trim());

        Assert.Throws<ArgumentException>(() => lab.Exec("some-other-namespace", "true"));
    }

    private static void StartSeed(NatLab lab) => lab.StartUdpProbe(lab.Seed, "listen", StunPort.ToString(System.Globalization.CultureInfo.InvariantCulture)).WaitForReady();

    private static UdpProbeProcess Socket(NatLab lab, string namespaceName, int port) =>
        lab.StartUdpProbe(namespaceName, "socket", port.ToString(System.Globalization.CultureInfo.InvariantCulture)).WaitForReady();

    private static IPEndPoint Seen(UdpProbeProcess probe, IPEndPoint server) =>
        probe.WaitForSeenBy(server, Answer) ?? throw new Xunit.Sdk.XunitException($"no answer from {server}: {probe.Describe()}");

    private static (UdpProbeProcess A, UdpProbeProcess B, IPEndPoint MappedA, IPEndPoint MappedB) LearnMappings(NatLab lab)
    {
        StartSeed(lab);
        var a = Socket(lab, lab.HostA, 5000);
        var b = Socket(lab, lab.HostB, 5000);
        a.SendTo(Seed1);
        b.SendTo(Seed1);
        return (a, b, Seen(a, Seed1), Seen(b, Seed1));
    }

    // Both sides probe each other's server-reflexive endpoint at the same time, as ICE does.
    private static void Punch(UdpProbeProcess a, IPEndPoint mappedB, UdpProbeProcess b, IPEndPoint mappedA)
    {
        for (var i = 0; i < 5; i++)
        {
            a.SendTo(mappedB);
            b.SendTo(mappedA);
            Thread.Sleep(50);
        }
    }

    private static void SendTimes(UdpProbeProcess probe, IPEndPoint destination, int times)
    {
        for (var i = 0; i < times; i++)
        {
            probe.SendTo(destination);
        }
    }
}
