using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>Relayed candidates: tried last, used when nothing direct works, left as soon as a direct path answers.</summary>
public sealed class RelayedPathTests
{
    private static LinkScenario WithRelays(Placement alice, Placement bob, int seed = 1)
    {
        var lab = LinkScenario.Between(alice, bob, seed);
        lab.Alice.AllocateRelay("198.51.100.66:49160");
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        return lab;
    }

    [Fact]
    public void Symmetric_to_symmetric_connects_over_a_relay_and_carries_data_both_ways()
    {
        var lab = WithRelays(Placement.Symmetric, Placement.Symmetric).IntroduceAndConnect();

        Assert.Equal(CandidateKind.Relayed, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.Equal(CandidateKind.Relayed, lab.Bob.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        var elapsed = lab.Alice.First<PeerLinkEvent.Connected>()!.Elapsed;
        Assert.InRange(elapsed, PeerLinkOptions.DefaultRelayedCandidateDelay, TimeSpan.FromSeconds(2));

        Assert.Equal(LinkSendResult.Sent, lab.Alice.Send(lab.Now, [0x20, 1]));
        Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x20, 2]));
        lab.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal([0x20, 2], Assert.Single(lab.Alice.Received));
        Assert.Equal([0x20, 1], Assert.Single(lab.Bob.Received));
        Assert.True(lab.Alice.RelayedIn + lab.Bob.RelayedIn > 0);
    }

    [Fact]
    public void A_relayed_session_stays_up_through_minutes_of_keepalives_and_rekeys()
    {
        var lab = WithRelays(Placement.Symmetric, Placement.Symmetric).IntroduceAndConnect();

        lab.RunFor(TimeSpan.FromMinutes(5));

        Assert.True(lab.BothConnected);
        Assert.DoesNotContain(lab.Alice.Events, e => e.Event is PeerLinkEvent.Lost);
        Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x20, 3]));
        lab.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal([0x20, 3], Assert.Single(lab.Alice.Received));
    }

    [Fact]
    public void With_a_direct_path_the_relays_are_never_used()
    {
        var lab = WithRelays(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal(CandidateKind.ServerReflexive, lab.Alice.First<PeerLinkEvent.Connected>()!.Kind);
        Assert.Equal(0, lab.Alice.RelayedIn + lab.Bob.RelayedIn + lab.Alice.RelayedOut + lab.Bob.RelayedOut);
        Assert.DoesNotContain(lab.Alice.Events, e => e.Event is PeerLinkEvent.PathChanged);
    }

    [Fact]
    public void Without_relays_symmetric_to_symmetric_still_ends_in_no_direct_path()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric).Introduce();
        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout + TimeSpan.FromSeconds(1));

        Assert.NotNull(lab.Alice.First<PeerLinkEvent.NoDirectPath>());
        Assert.NotNull(lab.Bob.First<PeerLinkEvent.NoDirectPath>());
    }

    [Fact]
    public void A_direct_path_that_opens_later_takes_over_from_the_relay_without_losing_data()
    {
        var lab = WithRelays(Placement.Eim, Placement.Eim);
        var natA = lab.Alice.Candidates.Single(c => c.Kind == CandidateKind.ServerReflexive).EndPoint.Address;
        lab.Bob.DropsDirectFrom = source => source.Address.Equals(natA);
        lab.IntroduceAndConnect();
        Assert.Equal(CandidateKind.Relayed, lab.Bob.First<PeerLinkEvent.Connected>()!.Kind);

        lab.Bob.DropsDirectFrom = null;
        var sent = 0;
        for (var i = 0; i < 40; i++)
        {
            lab.Alice.Send(lab.Now, [0x20, (byte)i]);
            lab.Bob.Send(lab.Now, [0x21, (byte)i]);
            sent++;
            lab.RunFor(TimeSpan.FromMilliseconds(100));
        }
        lab.RunFor(TimeSpan.FromSeconds(1));

        var atBob = Assert.IsType<PeerLinkEvent.PathChanged>(lab.Bob.Events.Last(e => e.Event is PeerLinkEvent.PathChanged).Event);
        var atAlice = Assert.IsType<PeerLinkEvent.PathChanged>(lab.Alice.Events.Last(e => e.Event is PeerLinkEvent.PathChanged).Event);
        Assert.NotEqual(CandidateKind.Relayed, atBob.Kind);
        Assert.NotEqual(CandidateKind.Relayed, atAlice.Kind);
        Assert.False(lab.Bob.RequiredLink.ActivePathViaRelay);
        Assert.NotEqual(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.Equal(sent, lab.Bob.Received.Count);
        Assert.Equal(sent, lab.Alice.Received.Count);

        // Once direct, it stays direct.
        var changes = lab.Alice.Events.Count(e => e.Event is PeerLinkEvent.PathChanged) + lab.Bob.Events.Count(e => e.Event is PeerLinkEvent.PathChanged);
        lab.RunFor(TimeSpan.FromMinutes(1));
        Assert.Equal(changes, lab.Alice.Events.Count(e => e.Event is PeerLinkEvent.PathChanged) + lab.Bob.Events.Count(e => e.Event is PeerLinkEvent.PathChanged));
    }
}
