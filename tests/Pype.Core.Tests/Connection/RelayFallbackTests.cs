using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>
/// Relay fallback as documented (connection.md §2): relayed candidates join the probe rounds
/// <see cref="PeerLinkOptions.RelayedCandidateDelay"/> after the introduction, so a pair that
/// cannot punch is relayed within about one relay round trip of it, not after the punch timeout,
/// while a pair that can punch never touches a relay. Virtual time, the natlab topology.
/// </summary>
public sealed class RelayFallbackTests
{
    /// <summary>The delay, plus a round trip through a relay, plus slack for a lost packet's next round.</summary>
    private static readonly TimeSpan RelayedWithin = TimeSpan.FromSeconds(1.5);

    private static LinkScenario WithRelays(Placement alice, Placement bob, int seed, PeerLinkOptions? options = null)
    {
        var lab = LinkScenario.Between(alice, bob, seed, options: options);
        lab.Alice.AllocateRelay("198.51.100.66:49160");
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        return lab;
    }

    public static TheoryData<Placement, Placement, int> PairsThatCannotPunch => new()
    {
        { Placement.Eim, Placement.Symmetric, 1 },
        { Placement.Eim, Placement.Symmetric, 2 },
        { Placement.Eim, Placement.Symmetric, 3 },
        { Placement.Symmetric, Placement.Eim, 1 },
        { Placement.Symmetric, Placement.Eim, 2 },
        { Placement.Symmetric, Placement.Symmetric, 1 },
    };

    [Theory]
    [MemberData(nameof(PairsThatCannotPunch))]
    public void A_pair_that_cannot_punch_is_relayed_within_one_and_a_half_seconds_not_after_the_punch_timeout(Placement alice, Placement bob, int seed)
    {
        var lab = WithRelays(alice, bob, seed).IntroduceAndConnect(within: RelayedWithin);

        foreach (var peer in new[] { lab.Alice, lab.Bob })
        {
            var connected = peer.First<PeerLinkEvent.Connected>()!;
            Assert.Equal(CandidateKind.Relayed, connected.Kind);
            Assert.InRange(connected.Elapsed, PeerLinkOptions.DefaultRelayedCandidateDelay, RelayedWithin);
        }
        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout);
        Assert.Null(lab.Alice.First<PeerLinkEvent.NoDirectPath>());
        Assert.Null(lab.Bob.First<PeerLinkEvent.NoDirectPath>());
        Assert.True(lab.BothConnected);
    }

    [Fact]
    public void Relayed_candidates_join_when_their_delay_ends_not_at_the_next_regular_round()
    {
        var delay = TimeSpan.FromMilliseconds(850);
        var lab = WithRelays(Placement.Eim, Placement.Symmetric, 1, PeerLinkOptions.Default with { RelayedCandidateDelay = delay });
        lab.Introduce();

        lab.RunFor(delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, lab.Alice.RelayedIn + lab.Bob.RelayedIn);
        Assert.False(lab.BothConnected);

        // One relay crossing each way (10 ms on the simulated internet) after the delay: not the 1.2 s round.
        lab.RunUntil(() => lab.BothConnected, TimeSpan.FromMilliseconds(100));
        Assert.True(lab.BothConnected);
        Assert.InRange(lab.Alice.First<PeerLinkEvent.Connected>()!.Elapsed, delay, delay + TimeSpan.FromMilliseconds(60));
    }

    [Fact]
    public void A_longer_relayed_candidate_delay_keeps_the_relays_out_of_the_rounds_for_that_long()
    {
        var delay = TimeSpan.FromSeconds(3);
        var lab = WithRelays(Placement.Eim, Placement.Symmetric, 1, PeerLinkOptions.Default with { RelayedCandidateDelay = delay });
        lab.Introduce();

        lab.RunFor(delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, lab.Alice.RelayedIn + lab.Bob.RelayedIn);
        lab.RunUntil(() => lab.BothConnected, PeerLinkOptions.DefaultPunchTimeout);

        Assert.Equal(CandidateKind.Relayed, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.InRange(lab.Alice.First<PeerLinkEvent.Connected>()!.Elapsed, delay, delay + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Direct_candidates_are_still_probed_after_the_relayed_session_is_up_until_the_punch_timeout()
    {
        var lab = WithRelays(Placement.Eim, Placement.Symmetric, 1).IntroduceAndConnect(within: RelayedWithin);
        var sentWhenRelayed = lab.Alice.InitiationsSent;

        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout);
        var sentAtTimeout = lab.Alice.InitiationsSent;
        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout);

        Assert.True(sentAtTimeout > sentWhenRelayed, $"{sentWhenRelayed} initiations when relayed, {sentAtTimeout} at the punch timeout");
        Assert.Equal(sentAtTimeout, lab.Alice.InitiationsSent);
        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Endpoint_independent_nats_on_both_sides_connect_directly_and_never_use_a_relay(int seed)
    {
        var lab = WithRelays(Placement.Eim, Placement.Eim, seed).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(10));

        foreach (var peer in new[] { lab.Alice, lab.Bob })
        {
            var connected = peer.First<PeerLinkEvent.Connected>()!;
            Assert.Equal(CandidateKind.ServerReflexive, connected.Kind);
            Assert.True(connected.Elapsed < PeerLinkOptions.DefaultRelayedCandidateDelay, $"connected after {connected.Elapsed}");
            Assert.DoesNotContain(peer.Events, e => e.Event is PeerLinkEvent.PathChanged);
        }
        Assert.Equal(0, lab.Alice.RelayedIn + lab.Bob.RelayedIn + lab.Alice.RelayedOut + lab.Bob.RelayedOut);
    }
}
