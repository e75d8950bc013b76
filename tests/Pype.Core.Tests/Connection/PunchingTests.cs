using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Connection;

public sealed class PunchingTests(ITestOutputHelper output)
{
    [Fact]
    public void Eim_to_eim_connects_over_server_reflexive_candidates_within_one_second()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();

        AssertConnected(lab, TimeSpan.FromSeconds(1));
        Assert.Equal(CandidateKind.ServerReflexive, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.Equal(CandidateKind.ServerReflexive, lab.Bob.First<PeerLinkEvent.Connected>()!.Kind);
    }

    [Fact]
    public void Full_cone_to_symmetric_connects_because_the_full_cone_side_answers_where_the_packet_came_from()
    {
        var lab = LinkScenario.Between(Placement.FullCone, Placement.Symmetric).IntroduceAndConnect();

        AssertConnected(lab, TimeSpan.FromSeconds(1));
        Assert.Equal(CandidateKind.PeerReflexive, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
    }

    [Fact]
    public void A_node_without_nat_connects_to_one_behind_eim()
    {
        var lab = LinkScenario.Between(Placement.Public, Placement.Eim).IntroduceAndConnect();

        AssertConnected(lab, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Two_hosts_behind_one_nat_connect_over_host_candidates_as_the_nat_does_not_hairpin()
    {
        var lab = LinkScenario.BehindOneNat().IntroduceAndConnect();

        AssertConnected(lab, TimeSpan.FromSeconds(1));
        Assert.Equal(CandidateKind.Host, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.Equal(lab.Bob.Host.EndPoint, lab.Alice.RequiredLink.ActivePath);
        Assert.Equal(lab.Alice.Host.EndPoint, lab.Bob.RequiredLink.ActivePath);
    }

    [Fact]
    public void Eim_to_eim_with_twenty_percent_loss_connects_within_the_punch_timeout_in_every_one_of_200_runs()
    {
        var times = new List<TimeSpan>();
        for (var seed = 1; seed <= 200; seed++)
        {
            var lab = LinkScenario.Between(Placement.Eim, Placement.Eim, seed, loss: 0.2).Introduce();
            lab.RunUntil(() => lab.BothConnected, PeerLinkOptions.DefaultPunchTimeout);

            Assert.True(lab.BothConnected, $"seed {seed}: alice {lab.Alice.RequiredLink.State}, bob {lab.Bob.RequiredLink.State}");
            times.Add(lab.Now - lab.IntroducedAt);
        }
        times.Sort();
        output.WriteLine($"both connected: median {times[times.Count / 2].TotalMilliseconds} ms, p95 {times[times.Count * 95 / 100].TotalMilliseconds} ms, max {times[^1].TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData(Placement.Symmetric, Placement.Symmetric)]
    [InlineData(Placement.Eim, Placement.Symmetric)]
    public void Pairs_that_cannot_punch_end_with_no_direct_path_at_the_punch_timeout(Placement alice, Placement bob)
    {
        var lab = LinkScenario.Between(alice, bob).Introduce();
        lab.RunFor(TimeSpan.FromSeconds(10));

        foreach (var peer in new[] { lab.Alice, lab.Bob })
        {
            var (at, noPath) = Assert.Single(peer.Events);
            var gaveUp = Assert.IsType<PeerLinkEvent.NoDirectPath>(noPath);
            Assert.Equal(PeerLinkOptions.DefaultPunchTimeout, at - lab.IntroducedAt);
            Assert.Equal(2, gaveUp.CandidatesTried);
            Assert.Equal(PeerLinkState.NoDirectPath, peer.RequiredLink.State);
            Assert.Null(peer.RequiredLink.NextDeadline);
        }
    }

    [Fact]
    public void Connect_times_per_nat_pair_at_10_ms_one_way()
    {
        var pairs = new (string Name, Func<LinkScenario> Lab)[]
        {
            ("eim-eim", () => LinkScenario.Between(Placement.Eim, Placement.Eim)),
            ("fullcone-sym", () => LinkScenario.Between(Placement.FullCone, Placement.Symmetric)),
            ("public-eim", () => LinkScenario.Between(Placement.Public, Placement.Eim)),
            ("same-nat", () => LinkScenario.BehindOneNat()),
        };
        foreach (var (name, make) in pairs)
        {
            var lab = make().IntroduceAndConnect();
            var alice = lab.Alice.First<PeerLinkEvent.Connected>()!;
            var bob = lab.Bob.First<PeerLinkEvent.Connected>()!;
            output.WriteLine($"{name}: alice {alice.Elapsed.TotalMilliseconds} ms ({alice.Kind}), bob {bob.Elapsed.TotalMilliseconds} ms ({bob.Kind})");
            Assert.True(alice.Elapsed < TimeSpan.FromMilliseconds(500) && bob.Elapsed < TimeSpan.FromMilliseconds(500));
        }
    }

    private static void AssertConnected(LinkScenario lab, TimeSpan within)
    {
        foreach (var peer in new[] { lab.Alice, lab.Bob })
        {
            var connected = peer.First<PeerLinkEvent.Connected>();
            Assert.NotNull(connected);
            Assert.True(connected.Elapsed <= within, $"{peer} took {connected.Elapsed}");
            Assert.Equal(connected.Path, peer.RequiredLink.ActivePath);
        }
    }
}
