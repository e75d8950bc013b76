using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>
/// A TURN server restarts under a relayed session: the old allocations vanish, new ones come with
/// new addresses, the seed introduces the two peers again and the link moves onto the new relay
/// without losing its sessions (so a call on it carries on).
/// </summary>
public sealed class RelayReplacementTests
{
    private static LinkScenario ConnectedThroughRelays()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric);
        lab.Alice.AllocateRelay("198.51.100.66:49160");
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        return lab.IntroduceAndConnect();
    }

    private static (int ToAlice, int ToBob) Exchange(LinkScenario lab, int rounds)
    {
        var (alice, bob) = (lab.Alice.Received.Count, lab.Bob.Received.Count);
        for (var i = 0; i < rounds; i++)
        {
            lab.Alice.Send(lab.Now, [0x40, (byte)i]);
            lab.Bob.Send(lab.Now, [0x41, (byte)i]);
            lab.RunFor(TimeSpan.FromMilliseconds(100));
        }
        lab.RunFor(TimeSpan.FromMilliseconds(200));
        return (lab.Alice.Received.Count - alice, lab.Bob.Received.Count - bob);
    }

    [Fact]
    public void After_both_relays_are_replaced_a_new_introduction_moves_the_link_onto_the_new_relays_and_data_flows_again()
    {
        var lab = ConnectedThroughRelays();
        var connectedAt = lab.Alice.RequiredLink.ConnectedAt;
        lab.Alice.ReplaceRelay("198.51.100.66:49170");
        lab.Bob.ReplaceRelay("198.51.100.66:49171");
        Assert.Equal((0, 0), Exchange(lab, 10));

        lab.Reintroduce();
        lab.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal((20, 20), Exchange(lab, 20));
        Assert.True(lab.BothConnected);
        Assert.Equal(connectedAt, lab.Alice.RequiredLink.ConnectedAt);
        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.Equal(CandidateKind.Relayed, lab.Bob.RequiredLink.ActivePathKind);
        Assert.Contains(lab.Alice.Events, e => e.Event is PeerLinkEvent.PathChanged);
        Assert.DoesNotContain(lab.Alice.Events.Concat(lab.Bob.Events), e => e.Event is PeerLinkEvent.Lost);
    }

    [Fact]
    public void Only_one_side_needs_its_relay_replaced_for_the_path_to_move()
    {
        var lab = ConnectedThroughRelays();
        // Whichever relay carried the session, replacing both old ones' reachability by one new relay at Bob's side is enough.
        lab.Alice.Relay!.Vanished = true;
        lab.Bob.ReplaceRelay("198.51.100.66:49171");
        Assert.Equal((0, 0), Exchange(lab, 5));

        lab.Reintroduce();
        lab.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal((10, 10), Exchange(lab, 10));
        Assert.Equal(lab.Bob.Relay!.EndPoint, lab.Alice.RequiredLink.ActivePath);
    }

    [Fact]
    public void Without_a_new_introduction_the_link_on_a_dead_relay_is_lost()
    {
        var lab = ConnectedThroughRelays();
        lab.Alice.ReplaceRelay("198.51.100.66:49170");
        lab.Bob.ReplaceRelay("198.51.100.66:49171");

        lab.RunFor(PeerLinkOptions.Default.EffectiveLostAfter + TimeSpan.FromSeconds(1));

        Assert.NotNull(lab.Alice.First<PeerLinkEvent.Lost>());
        Assert.NotNull(lab.Bob.First<PeerLinkEvent.Lost>());
    }

    [Fact]
    public void A_new_introduction_of_a_working_link_loses_no_data_and_keeps_it_connected()
    {
        var lab = ConnectedThroughRelays();

        lab.Reintroduce();
        var exchanged = Exchange(lab, 30);
        lab.RunFor(TimeSpan.FromMinutes(1));

        Assert.Equal((30, 30), exchanged);
        Assert.True(lab.BothConnected);
        Assert.DoesNotContain(lab.Alice.Events.Concat(lab.Bob.Events), e => e.Event is PeerLinkEvent.Lost);
    }

    [Fact]
    public void Re_probing_that_nobody_answers_stops_after_the_punch_timeout()
    {
        var lab = ConnectedThroughRelays();
        lab.Alice.ReplaceRelay("198.51.100.66:49170");
        lab.Bob.ReplaceRelay("198.51.100.66:49171");
        // Only Alice hears of the new introduction, and Bob's candidates lead nowhere now.
        lab.Alice.Reintroduce(lab.Now, lab.Bob.Candidates.Where(c => c.Kind != CandidateKind.Relayed).ToList());
        lab.Bob.RefusesInitiations = true;

        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout);
        var sent = lab.Alice.InitiationsSent;
        Assert.True(sent > 5, $"{sent} initiations while re-probing");
        lab.RunFor(TimeSpan.FromSeconds(10));

        // The rekey schedule sends none this early: nothing at all after the re-probing window.
        Assert.Equal(sent, lab.Alice.InitiationsSent);
    }

    [Fact]
    public void Introductions_naming_ever_new_addresses_leave_the_link_a_bounded_list_of_targets()
    {
        var lab = ConnectedThroughRelays();
        for (var i = 0; i < 100; i++)
        {
            lab.Alice.Reintroduce(lab.Now,
            [
                new Candidate(CandidateKind.ServerReflexive, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.2"), 20_000 + i)),
                new Candidate(CandidateKind.Relayed, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.51.100.66"), 50_000 + i)),
            ]);
        }

        Assert.InRange(lab.Alice.RequiredLink.TargetCount, 1, PeerLinkOptions.MaxDirectTargets + 1);
        Assert.True(lab.BothConnected);
    }

    [Fact]
    public void A_new_introduction_of_a_link_that_is_not_connected_is_ignored()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric);

        lab.Alice.Reintroduce(lab.Now, lab.Bob.Candidates);

        Assert.Equal(PeerLinkState.Idle, lab.Alice.RequiredLink.State);
        Assert.Equal(0, lab.Alice.InitiationsSent);
        Assert.Null(lab.Alice.RequiredLink.NextDeadline);
    }
}
