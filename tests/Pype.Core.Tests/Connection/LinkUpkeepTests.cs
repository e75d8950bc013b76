using Pype.Core.Connection;
using Pype.Core.Noise;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

public sealed class LinkUpkeepTests
{
    [Fact]
    public void Keepalives_hold_an_eim_mapping_open_through_ten_idle_minutes()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        var aliceNat = lab.Alice.Host.Nat!;
        var portAtConnect = aliceNat.MappedPort(lab.Alice.Host.EndPoint, lab.Now);

        lab.RunFor(TimeSpan.FromMinutes(10));

        Assert.True(lab.BothConnected);
        Assert.DoesNotContain(lab.Alice.Events, e => e.Event is PeerLinkEvent.Lost or PeerLinkEvent.PathChanged);
        Assert.Equal(portAtConnect, aliceNat.MappedPort(lab.Alice.Host.EndPoint, lab.Now));
        Assert.Equal(LinkSendResult.Sent, lab.Alice.Send(lab.Now, [0x20, 1]));
        lab.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal([0x20, 1], Assert.Single(lab.Bob.Received));
    }

    [Fact]
    public void The_simulated_nat_forgets_an_idle_mapping_after_30_seconds_so_the_keepalive_test_means_something()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim);
        var nat = lab.Alice.Host.Nat!;
        var remote = System.Net.IPEndPoint.Parse("203.0.113.2:4000");
        var outside = nat.Outbound(lab.Alice.Host.EndPoint, remote, lab.Now);

        Assert.Equal(lab.Alice.Host.EndPoint, nat.Inbound(remote, outside.Port, lab.Now + TimeSpan.FromSeconds(29)));
        Assert.Null(nat.Inbound(remote, outside.Port, lab.Now + TimeSpan.FromSeconds(29 + 121)));
        Assert.NotEqual(outside, nat.Outbound(lab.Alice.Host.EndPoint, remote, lab.Now + TimeSpan.FromSeconds(300)));
    }

    [Fact]
    public void With_pings_rarer_than_the_keepalive_interval_bare_keepalives_keep_the_link_up()
    {
        var options = new PeerLinkOptions { PingInterval = TimeSpan.FromHours(1) };
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim, options: options).IntroduceAndConnect();

        lab.RunFor(TimeSpan.FromMinutes(5));

        Assert.True(lab.BothConnected);
        Assert.Equal(0, lab.Alice.RequiredLink.Drops.Total);
    }

    [Fact]
    public void A_link_whose_peer_vanishes_reports_lost_after_the_lost_after_time()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(20));
        var vanishedAt = lab.Now;
        lab.Bob.Host.Vanished = true;

        lab.RunFor(TimeSpan.FromMinutes(2));

        var (at, lost) = Assert.Single(lab.Alice.Events, e => e.Event is PeerLinkEvent.Lost);
        var silence = at - vanishedAt;
        Assert.InRange(silence, PeerLinkOptions.Default.EffectiveLostAfter - PeerLinkOptions.DefaultKeepaliveInterval, PeerLinkOptions.Default.EffectiveLostAfter);
        Assert.Equal(PeerLinkOptions.Default.EffectiveLostAfter, ((PeerLinkEvent.Lost)lost).Silence);
        Assert.Equal(PeerLinkState.Lost, lab.Alice.RequiredLink.State);
        Assert.Null(lab.Alice.RequiredLink.ActivePath);
        Assert.Equal(LinkSendResult.NotConnected, lab.Alice.Send(lab.Now, [0x20]));
    }

    [Fact]
    public void A_lost_link_can_start_again_and_reconnect()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.Bob.Host.Vanished = true;
        lab.RunUntil(() => lab.Alice.RequiredLink.State == PeerLinkState.Lost && lab.Bob.RequiredLink.State == PeerLinkState.Lost, TimeSpan.FromMinutes(2));
        lab.Bob.Host.Vanished = false;

        lab.IntroduceAndConnect();

        Assert.Equal(2, lab.Alice.Events.Count(e => e.Event is PeerLinkEvent.Connected));
    }

    [Fact]
    public void Rtt_is_measured_as_twice_the_one_way_latency()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim, latency: TimeSpan.FromMilliseconds(40)).IntroduceAndConnect();

        lab.RunFor(TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromMilliseconds(80), lab.Alice.RequiredLink.Rtt);
        Assert.Equal(TimeSpan.FromMilliseconds(80), lab.Bob.RequiredLink.Rtt);
    }

    [Fact]
    public void Rekeying_replaces_the_session_every_two_minutes_without_losing_a_message()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        var hashes = new HashSet<string>();
        var sent = 0;

        for (var second = 0; second < 400; second++)
        {
            Assert.Equal(LinkSendResult.Sent, lab.Alice.Send(lab.Now, [0x20, (byte)second]));
            Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x21, (byte)second]));
            sent++;
            hashes.Add(Convert.ToHexString([.. lab.Alice.RequiredLink.SendingSession(lab.Now)!.Noise.HandshakeHash]));
            lab.RunFor(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(hashes.Count, 4, 5);
        Assert.Equal(sent, lab.Bob.Received.Count);
        Assert.Equal(sent, lab.Alice.Received.Count);
        Assert.True(lab.Alice.RequiredLink.SessionCount <= 2);
        Assert.All(new[] { lab.Alice, lab.Bob }, p => Assert.Equal("", p.RequiredLink.Drops.ToString()));
        Assert.False(lab.Alice.RequiredLink.SendingSession(lab.Now)!.Noise.IsExpired(lab.Now));
    }

    [Fact]
    public void The_follower_rekeys_when_the_leaders_rekeys_never_get_through()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        var (leader, follower) = lab.Alice.RequiredLink.LeadsGlare ? (lab.Alice, lab.Bob) : (lab.Bob, lab.Alice);
        lab.RunFor(TimeSpan.FromSeconds(5)); // let glare settle on the leader's session
        var first = follower.RequiredLink.SendingSession(lab.Now)!;
        follower.RefusesInitiations = true;
        LinkSession? replacement = null;

        for (var second = 0; second < 300; second++)
        {
            Assert.Equal(LinkSendResult.Sent, leader.Send(lab.Now, [0x20]));
            lab.RunFor(TimeSpan.FromSeconds(1));
            if (follower.RequiredLink.SendingSession(lab.Now) is { } sending && sending != first)
                replacement ??= sending;
        }

        Assert.True(lab.BothConnected);
        Assert.Equal(300, follower.Received.Count);
        Assert.NotNull(replacement);
        Assert.True(replacement.Noise.IsInitiator, "the follower's own handshake replaced the session");
        Assert.InRange(replacement.Noise.EstablishedAt - lab.IntroducedAt,
            PypeNoise.RekeyAfterTime + PeerLinkOptions.FollowerRekeyDelay, PypeNoise.RekeyAfterTime + PeerLinkOptions.FollowerRekeyDelay + TimeSpan.FromSeconds(1));
    }
}
