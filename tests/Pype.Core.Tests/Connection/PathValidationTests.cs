using System.Net;
using Pype.Core.Connection;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>
/// Issue #14 item 2: an authenticated packet from a new source address moves the path only after
/// that address answered a challenge, so a forged source cannot aim the link's traffic at a third
/// party, while a NAT that rebinds still moves it within a round trip.
/// </summary>
public sealed class PathValidationTests
{
    private static readonly IPEndPoint VictimEndPoint = IPEndPoint.Parse("192.0.2.99:9999");

    [Fact]
    public void A_forged_source_never_gets_the_path_and_receives_at_most_one_small_challenge()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Public).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var path = lab.Bob.RequiredLink.ActivePath;
        var atVictim = new List<byte[]>();
        lab.Network.AddHost("victim", VictimEndPoint).Receive = (_, _, datagram) => atVictim.Add(datagram);
        // The peer's own authenticated packets, taken off the wire and sent again from the victim's address.
        var captured = new List<byte[]>();
        lab.Network.Drops = (_, to, datagram) =>
        {
            if (!to.Equals(lab.Bob.Host.EndPoint) || datagram[0] != 0xE3)
                return false;
            captured.Add(datagram);
            return true;
        };
        for (byte i = 0; i < 5; i++)
            lab.Alice.Send(lab.Now, [0x20, i]);
        lab.Network.Drops = null;

        foreach (var datagram in captured)
            lab.Bob.OnDatagram(lab.Now, VictimEndPoint, datagram);
        lab.RunFor(TimeSpan.FromMilliseconds(500));
        foreach (var datagram in captured)
            lab.Bob.OnDatagram(lab.Now, VictimEndPoint, datagram); // replays now: dropped, and no new challenge
        lab.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal(5, captured.Count);
        Assert.Equal(5, lab.Bob.Received.Count); // authentic, so delivered: only the path is in question
        var challenge = Assert.Single(atVictim);
        Assert.True(challenge.Length <= 41, $"a {challenge.Length}-byte challenge");
        Assert.Equal(path, lab.Bob.RequiredLink.ActivePath);
        Assert.DoesNotContain(lab.Bob.Events, e => e.Event is PeerLinkEvent.PathChanged);
        Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x21, 1]));
        lab.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal([0x21, 1], Assert.Single(lab.Alice.Received));
    }

    [Fact]
    public void A_nat_rebinding_moves_the_path_one_round_trip_after_the_first_packet_from_the_new_port()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Public).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var before = lab.Bob.RequiredLink.ActivePath!;

        lab.Alice.Host.Nat!.ForgetAll();
        var sentAt = lab.Now;
        lab.Alice.Send(lab.Now, [0x20, 7]);
        lab.RunUntil(() => lab.Bob.Events.Any(e => e.Event is PeerLinkEvent.PathChanged), TimeSpan.FromSeconds(1));

        var (at, changed) = Assert.Single(lab.Bob.Events, e => e.Event is PeerLinkEvent.PathChanged);
        var moved = (PeerLinkEvent.PathChanged)changed;
        Assert.Equal(before, moved.From);
        Assert.NotEqual(before, moved.To);
        // 10 ms each way: the packet arrives at +10 ms, the challenge is back with its answer at +30 ms.
        Assert.InRange(at - sentAt, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(40));
        Assert.Equal([0x20, 7], Assert.Single(lab.Bob.Received));
        Assert.Equal(0, lab.Bob.RequiredLink.PendingPathChallenges);
    }

    [Fact]
    public void A_path_response_that_comes_from_elsewhere_does_not_move_the_path()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Public).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var path = lab.Bob.RequiredLink.ActivePath;
        var atVictim = new List<byte[]>();
        lab.Network.AddHost("victim", VictimEndPoint).Receive = (_, _, datagram) => atVictim.Add(datagram);
        byte[]? packet = null;
        lab.Network.Drops = (_, to, datagram) => to.Equals(lab.Bob.Host.EndPoint) && datagram[0] == 0xE3 && (packet ??= datagram) == datagram;
        lab.Alice.Send(lab.Now, [0x20, 1]);
        lab.Network.Drops = null;
        lab.Bob.OnDatagram(lab.Now, VictimEndPoint, packet!);
        lab.RunFor(TimeSpan.FromMilliseconds(50));
        // The challenge went to the victim; hand it to Alice as if the victim were her, so her
        // response comes back from her real address, not the challenged one.
        Assert.Single(atVictim);
        lab.Alice.OnDatagram(lab.Now, lab.Bob.Host.EndPoint, atVictim[0]);
        lab.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(path, lab.Bob.RequiredLink.ActivePath);
        Assert.Equal(1, lab.Bob.RequiredLink.Drops[LinkDropReason.PathResponseFromElsewhere]);
    }
}
