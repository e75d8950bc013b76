using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>
/// A direct path that dies under a flowing session (a NAT or firewall that starts dropping it):
/// the silence after data went out makes the link probe every candidate again, relayed ones
/// included, and the session moves onto a relay instead of being lost.
/// </summary>
public sealed class DirectPathFallbackTests
{
    private static LinkScenario DirectWithRelays()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim);
        lab.Alice.AllocateRelay("198.51.100.66:49160");
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        lab.IntroduceAndConnect();
        Assert.Equal(CandidateKind.ServerReflexive, lab.Alice.RequiredLink.ActivePathKind);
        return lab;
    }

    private static void CutDirectPath(LinkScenario lab)
    {
        var natA = lab.Alice.Candidates.Single(c => c.Kind == CandidateKind.ServerReflexive).EndPoint.Address;
        var natB = lab.Bob.Candidates.Single(c => c.Kind == CandidateKind.ServerReflexive).EndPoint.Address;
        lab.Bob.DropsDirectFrom = source => source.Address.Equals(natA);
        lab.Alice.DropsDirectFrom = source => source.Address.Equals(natB);
    }

    private static (int ToAlice, int ToBob) Exchange(LinkScenario lab, TimeSpan duration)
    {
        var (alice, bob) = (lab.Alice.Received.Count, lab.Bob.Received.Count);
        for (var at = TimeSpan.Zero; at < duration; at += TimeSpan.FromMilliseconds(100))
        {
            lab.Alice.Send(lab.Now, [0x40, 1]);
            lab.Bob.Send(lab.Now, [0x41, 2]);
            lab.RunFor(TimeSpan.FromMilliseconds(100));
        }
        lab.RunFor(TimeSpan.FromMilliseconds(200));
        return (lab.Alice.Received.Count - alice, lab.Bob.Received.Count - bob);
    }

    [Fact]
    public void A_direct_path_that_dies_while_data_flows_moves_onto_the_relays_within_seconds()
    {
        var lab = DirectWithRelays();
        CutDirectPath(lab);

        Exchange(lab, TimeSpan.FromSeconds(6));

        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.Equal(CandidateKind.Relayed, lab.Bob.RequiredLink.ActivePathKind);
        Assert.Equal((20, 20), Exchange(lab, TimeSpan.FromSeconds(2)));
        Assert.DoesNotContain(lab.Alice.Events.Concat(lab.Bob.Events), e => e.Event is PeerLinkEvent.Lost);
    }

    [Fact]
    public void A_side_that_hears_the_peer_over_the_relay_before_its_own_silence_follows_it_onto_the_relay()
    {
        var lab = DirectWithRelays();
        var natA = lab.Alice.Candidates.Single(c => c.Kind == CandidateKind.ServerReflexive).EndPoint.Address;
        var natB = lab.Bob.Candidates.Single(c => c.Kind == CandidateKind.ServerReflexive).EndPoint.Address;

        // Alice to Bob dies first, Bob to Alice half a second later: Bob falls silent first and
        // moves; from then on Alice hears him through the relay, so she is never silent herself.
        for (var at = TimeSpan.Zero; at < TimeSpan.FromSeconds(8); at += TimeSpan.FromMilliseconds(100))
        {
            if (at == TimeSpan.Zero)
                lab.Bob.DropsDirectFrom = source => source.Address.Equals(natA);
            if (at == TimeSpan.FromMilliseconds(500))
                lab.Alice.DropsDirectFrom = source => source.Address.Equals(natB);
            lab.Alice.Send(lab.Now, [0x40, 1]);
            lab.Bob.Send(lab.Now, [0x41, 2]);
            lab.RunFor(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.Equal(CandidateKind.Relayed, lab.Bob.RequiredLink.ActivePathKind);
        Assert.Equal((20, 20), Exchange(lab, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Without_silence_re_probing_the_dead_direct_path_is_kept_until_the_link_is_lost()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim, options: PeerLinkOptions.Default with { SilenceBeforeReprobe = null });
        lab.Alice.AllocateRelay("198.51.100.66:49160");
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        lab.IntroduceAndConnect();
        CutDirectPath(lab);

        Assert.Equal((0, 0), Exchange(lab, TimeSpan.FromSeconds(10)));
        Assert.NotEqual(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
    }

    [Fact]
    public void An_idle_link_is_not_re_probed_when_it_falls_silent()
    {
        var lab = DirectWithRelays();
        var sent = lab.Alice.InitiationsSent;
        lab.Bob.Host.Vanished = true;

        lab.RunFor(TimeSpan.FromSeconds(40));

        Assert.Equal(sent, lab.Alice.InitiationsSent);
    }

    [Fact]
    public void Silence_re_probing_toward_a_vanished_peer_runs_one_window_per_two_punch_timeouts()
    {
        var lab = DirectWithRelays();
        lab.Bob.Host.Vanished = true;
        lab.Bob.Relay!.Vanished = true;
        var before = lab.Alice.InitiationsSent;

        // Data from 0 s on; silence re-probing from 3 s to 8 s, the next window from 13 s.
        void SendFor(TimeSpan duration)
        {
            for (var at = TimeSpan.Zero; at < duration; at += TimeSpan.FromMilliseconds(100))
            {
                lab.Alice.Send(lab.Now, [0x40]);
                lab.RunFor(TimeSpan.FromMilliseconds(100));
            }
        }
        SendFor(TimeSpan.FromSeconds(2.9));
        Assert.Equal(before, lab.Alice.InitiationsSent);
        SendFor(TimeSpan.FromSeconds(5.2));
        var firstWindow = lab.Alice.InitiationsSent;
        Assert.True(firstWindow > before);
        SendFor(TimeSpan.FromSeconds(4.8));
        Assert.Equal(firstWindow, lab.Alice.InitiationsSent);
        SendFor(TimeSpan.FromSeconds(1));
        Assert.True(lab.Alice.InitiationsSent > firstWindow);
    }
}
