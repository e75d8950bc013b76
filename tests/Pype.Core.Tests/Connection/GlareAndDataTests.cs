using Pype.Core.Connection;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

public sealed class GlareAndDataTests
{
    [Fact]
    public void When_both_handshakes_complete_both_sides_settle_on_the_session_the_smaller_key_initiated()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, lab.Alice.RequiredLink.SessionCount); // glare did happen: one session each way
        Assert.Equal(2, lab.Bob.RequiredLink.SessionCount);

        lab.RunFor(PeerLinkOptions.SessionRetireGrace + TimeSpan.FromSeconds(1));

        var alice = lab.Alice.RequiredLink.SendingSession(lab.Now)!;
        var bob = lab.Bob.RequiredLink.SendingSession(lab.Now)!;
        Assert.Equal(alice.Noise.HandshakeHash, bob.Noise.HandshakeHash);
        Assert.Equal(lab.Alice.RequiredLink.LeadsGlare, alice.Noise.IsInitiator);
        Assert.Equal(1, lab.Alice.RequiredLink.SessionCount);
        Assert.Equal(1, lab.Bob.RequiredLink.SessionCount);
        Assert.Equal(0, lab.Alice.RequiredLink.Drops.Total + lab.Bob.RequiredLink.Drops.Total);
    }

    [Fact]
    public void Data_flows_both_ways_after_connect_in_order_and_complete()
    {
        var lab = LinkScenario.Between(Placement.FullCone, Placement.Symmetric).IntroduceAndConnect();

        for (byte i = 0; i < 50; i++)
        {
            Assert.Equal(LinkSendResult.Sent, lab.Alice.Send(lab.Now, [0x20, i]));
            Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x21, i]));
            lab.RunFor(TimeSpan.FromMilliseconds(20));
        }
        lab.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => new byte[] { 0x21, (byte)i }), lab.Alice.Received);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => new byte[] { 0x20, (byte)i }), lab.Bob.Received);
    }

    [Fact]
    public void Sending_before_connect_or_with_a_link_message_type_fails_cleanly()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim);
        Assert.Equal(LinkSendResult.NotConnected, lab.Alice.Send(lab.Now, [0x20]));
        lab.IntroduceAndConnect();

        Assert.Equal(LinkSendResult.ReservedMessageType, lab.Alice.Send(lab.Now, []));
        Assert.Equal(LinkSendResult.ReservedMessageType, lab.Alice.Send(lab.Now, [0x01]));
        Assert.Equal(LinkSendResult.ReservedMessageType, lab.Alice.Send(lab.Now, [0x0F, 1, 2]));
        var oversized = new byte[Pype.Core.Wire.TransportData.MaxPayloadLength + 1];
        oversized[0] = 0x20;
        Assert.Equal(LinkSendResult.PayloadTooLarge, lab.Alice.Send(lab.Now, oversized));
        Assert.Equal(LinkSendResult.Sent, lab.Alice.Send(lab.Now, [0x10]));
    }

    [Fact]
    public void A_nat_rebinding_moves_the_path_and_is_reported_as_path_changed()
    {
        // Bob on the internet: behind an address-and-port-dependent filter the new port would be refused.
        var lab = LinkScenario.Between(Placement.Eim, Placement.Public).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var before = lab.Bob.RequiredLink.ActivePath!;

        lab.Alice.Host.Nat!.ForgetAll();
        lab.Alice.Send(lab.Now, [0x20, 7]);
        lab.RunFor(TimeSpan.FromSeconds(1));

        var (_, changed) = Assert.Single(lab.Bob.Events, e => e.Event is PeerLinkEvent.PathChanged);
        var pathChanged = (PeerLinkEvent.PathChanged)changed;
        Assert.Equal(before, pathChanged.From);
        Assert.NotEqual(before, pathChanged.To);
        Assert.Equal(pathChanged.To, lab.Bob.RequiredLink.ActivePath);
        Assert.Equal(LinkSendResult.Sent, lab.Bob.Send(lab.Now, [0x21, 8]));
        lab.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal([0x21, 8], Assert.Single(lab.Alice.Received));
    }

    [Fact]
    public void Start_on_a_running_link_is_refused_as_a_programming_error()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).Introduce();

        Assert.Throws<InvalidOperationException>(() => lab.Alice.RequiredLink.Start(lab.Now, lab.Bob.Candidates));
    }
}
