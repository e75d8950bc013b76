using System.Diagnostics;
using System.Globalization;
using System.Net;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Lab;

/// <summary>The user-space link emulator: its rule on its own, and real UDP through it in the lab.</summary>
public sealed class LinkEmulatorTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Delay_and_jitter_hold_each_packet_within_bounds_without_reordering()
    {
        var link = new LinkImpairment(new Random(7)) { Profile = new LinkProfile { Delay = 40 * Ms, Jitter = 10 * Ms } };
        var last = TimeSpan.Zero;
        for (var i = 0; i < 1000; i++)
        {
            var arrival = i * Ms;
            var release = link.Schedule(arrival, 1200)!.Value;
            Assert.InRange(release - arrival, 30 * Ms, 60 * Ms);
            Assert.True(release >= last);
            last = release;
        }
    }

    [Fact]
    public void Reordering_happens_only_when_allowed()
    {
        var link = new LinkImpairment(new Random(7)) { Profile = new LinkProfile { Delay = 40 * Ms, Jitter = 20 * Ms, AllowReordering = true } };
        var releases = Enumerable.Range(0, 200).Select(i => link.Schedule(i * Ms, 100)!.Value).ToList();
        Assert.Contains(releases.Zip(releases.Skip(1)), pair => pair.Item2 < pair.Item1);
    }

    [Fact]
    public void Random_loss_drops_about_the_set_share()
    {
        var link = new LinkImpairment(new Random(3)) { Profile = new LinkProfile { LossPercent = 20 } };
        var passed = Enumerable.Range(0, 10_000).Count(i => link.Schedule(i * Ms, 100) is not null);
        Assert.InRange(passed, 7_700, 8_300);
        Assert.Equal(10_000 - passed, link.Dropped);
    }

    [Fact]
    public void A_rate_cap_spaces_packets_and_drops_what_overflows_its_queue()
    {
        var link = new LinkImpairment(new Random(1)) { Profile = new LinkProfile { RateKbps = 1000, QueueLimit = 100 * Ms } };
        // 1250-byte packets take 10 ms each at 1 Mbit/s; a burst of 50 at once overflows a 100 ms queue.
        var releases = Enumerable.Range(0, 50).Select(_ => link.Schedule(TimeSpan.Zero, 1250)).ToList();
        var kept = releases.OfType<TimeSpan>().ToList();
        Assert.Equal(11, kept.Count);
        Assert.Equal(39, link.QueueDrops);
        Assert.All(kept.Zip(kept.Skip(1)), pair => Assert.Equal(10 * Ms, pair.Item2 - pair.Item1));
    }

    [Fact]
    public void A_deep_queue_holds_what_a_shallow_one_drops_and_its_delay_can_be_read()
    {
        var link = new LinkImpairment(new Random(1)) { Profile = new LinkProfile { RateKbps = 1000, QueueLimit = 1000 * Ms } };
        // The same burst of 50 packets of 10 ms each: all fit a 1 s queue, the last waits 490 ms.
        var releases = Enumerable.Range(0, 50).Select(_ => link.Schedule(TimeSpan.Zero, 1250)).ToList();
        Assert.All(releases, r => Assert.NotNull(r));
        Assert.Equal(0, link.QueueDrops);
        Assert.Equal(500 * Ms, link.QueueDelay(TimeSpan.Zero));
        Assert.Equal(100 * Ms, link.QueueDelay(400 * Ms));
        Assert.Equal(TimeSpan.Zero, link.QueueDelay(600 * Ms));
    }

    [Fact]
    public void Udp_between_the_nats_is_delayed_and_dropped_as_set_and_flows_freely_again_afterwards()
    {
        using var lab = NatLab.Create(NatMode.None, NatMode.None);
        var listener = lab.StartUdpProbe(lab.HostB, "listen", "7000").WaitForReady();
        var probe = lab.StartUdpProbe(lab.HostA, "socket", "7001").WaitForReady();
        var target = new IPEndPoint(NatLab.HostBAddress, 7000);
        probe.SendTo(target);
        Assert.True(probe.WaitForSeenBy(target, TimeSpan.FromSeconds(3)) is not null, $"no answer without the emulator: {probe.Describe()} / {listener.Describe()}");

        using (var emulator = LinkEmulator.Start(lab, new LinkProfile { Delay = 60 * Ms }))
        {
            var roundTrip = RoundTrip(probe, target);
            Assert.True(roundTrip >= 120 * Ms, $"a round trip through 60 ms each way took {roundTrip.TotalMilliseconds:0} ms");

            emulator.SetProfile(new LinkProfile { LossPercent = 100 });
            var answersBefore = Answers(probe);
            probe.SendTo(target);
            Thread.Sleep(700);
            Assert.Equal(answersBefore, Answers(probe));
            Assert.True(emulator.Counters.Lost >= 1);
        }

        Assert.True(RoundTrip(probe, target) < 120 * Ms);
        GC.KeepAlive(listener);
    }

    private static int Answers(UdpProbeProcess probe) => probe.Received.Count(d => d.Text.StartsWith("seen", StringComparison.Ordinal));

    private static TimeSpan RoundTrip(UdpProbeProcess probe, IPEndPoint target)
    {
        var before = Answers(probe);
        var clock = Stopwatch.StartNew();
        probe.SendTo(target);
        while (Answers(probe) == before)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"no answer through the emulator: {probe.Describe()}");
            Thread.Sleep(1);
        }
        return clock.Elapsed;
    }
}
