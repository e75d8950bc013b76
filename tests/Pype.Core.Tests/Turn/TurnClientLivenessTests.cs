using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

/// <summary>
/// A TURN server that dies or restarts takes the allocation with it and says nothing: the client
/// notices because relayed data goes out and nothing comes back, and asks with a Refresh.
/// </summary>
public class TurnClientLivenessTests
{
    private static readonly IPEndPoint Peer = TurnHarness.Peer;
    private static readonly byte[] Payload = [0xE4, 1, 2, 3];

    private static List<(TimeSpan At, ReceivedStunMessage Message)> Refreshes(List<(TimeSpan At, ReceivedStunMessage Message)> log) =>
        log.Where(e => e.Message.Type.Method == StunMethod.Refresh).ToList();

    [Fact]
    public void Data_sent_into_a_silent_server_draws_a_probe_after_the_silence_and_its_timeout_loses_the_allocation()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Send(harness.Now, Peer, Payload);
        harness.SentRaw();

        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(5), _ => null);

        var (at, probe) = Refreshes(log)[0];
        Assert.Equal(2, at.TotalSeconds);
        Assert.True(probe.VerifyMessageIntegrity(harness.Server.Key));
        var lost = Assert.IsType<TurnClientEvent.AllocationLost>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.TimedOut, lost.Failure.Kind);
        Assert.Equal((5.0, StunMethod.Allocate), (log[^1].At.TotalSeconds, log[^1].Message.Type.Method));
        Assert.Equal(TurnClientState.Allocating, harness.Client.State);
    }

    [Fact]
    public void A_restarted_server_answers_the_probe_with_a_new_nonce_then_437_and_the_client_allocates_again_with_its_permissions()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Deliver(harness.Server.Success(harness.SentOne(StunMethod.CreatePermission)));
        harness.Events();
        harness.Client.Send(harness.Now, Peer, Payload);
        harness.SentRaw();

        harness.Now += TimeSpan.FromSeconds(2);
        harness.Client.HandleTimeout(harness.Now);
        // What coturn answers after a restart: the old nonce is unknown (438), then with the new one there is no allocation (437).
        harness.Deliver(harness.Server.StaleNonce(harness.SentOne(StunMethod.Refresh), "after-restart"));
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Refresh), ErrorCodeAttribute.AllocationMismatch, signed: true));

        var lost = Assert.IsType<TurnClientEvent.AllocationLost>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.AllocationMismatch, lost.Failure.Kind);
        var allocate = harness.SentOne(StunMethod.Allocate);
        Assert.Equal("after-restart", allocate.Message.Get<NonceAttribute>()?.Value);
        harness.Deliver(harness.Server.AllocateSuccess(allocate));

        Assert.IsType<TurnClientEvent.Allocated>(Assert.Single(harness.Events()));
        Assert.Equal(Peer.Address, harness.SentOne(StunMethod.CreatePermission).Message.Get<XorPeerAddressAttribute>()?.EndPoint.Address);
    }

    [Fact]
    public void A_channel_refused_with_400_as_a_restarted_coturn_does_is_no_sign_of_life_and_the_probe_still_follows()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Deliver(harness.Server.Success(harness.SentOne(StunMethod.CreatePermission)));
        harness.Now += TimeSpan.FromSeconds(1);
        harness.Client.Send(harness.Now, Peer, Payload);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.ChannelBind), ErrorCodeAttribute.BadRequest, signed: true));
        Assert.Contains(harness.Events(), e => e is TurnClientEvent.ChannelBindFailed);

        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(2), _ => null);

        // Heard last at 0 s (the permission's success): the probe goes out at 2 s.
        Assert.Equal(2, Assert.Single(Refreshes(log)).At.TotalSeconds);
    }

    [Fact]
    public void Relayed_data_coming_back_keeps_the_probe_away()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Deliver(harness.Server.Success(harness.SentOne(StunMethod.CreatePermission)));
        var log = new List<(TimeSpan At, ReceivedStunMessage Message)>();
        for (var second = 0; second < 60; second++)
        {
            harness.Client.Send(harness.Now, Peer, Payload);
            harness.Deliver(FakeTurnServer.DataIndication(Peer, Payload));
            log.AddRange(harness.Run(harness.Now + TimeSpan.FromSeconds(1), harness.Server.AnswerEverything));
        }

        Assert.Empty(Refreshes(log));
        Assert.DoesNotContain(harness.Events(), e => e is TurnClientEvent.AllocationLost);
    }

    [Fact]
    public void An_idle_allocation_is_not_probed_before_its_scheduled_refresh()
    {
        var harness = new TurnHarness().Allocated();
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(539), _ => null);
        Assert.Empty(log);
    }

    [Fact]
    public void An_answered_probe_refreshes_and_the_next_one_waits_for_another_silence()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Send(harness.Now, Peer, Payload);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(10), harness.Server.AnswerEverything);

        // One probe at 2 s; after its answer nothing more was sent, so no further probe.
        var refresh = Assert.Single(Refreshes(log));
        Assert.Equal(2, refresh.At.TotalSeconds);
        Assert.Contains(harness.Events(), e => e is TurnClientEvent.Refreshed);
        Assert.Equal(TurnClientState.Allocated, harness.Client.State);
    }

    [Fact]
    public void Without_a_probe_interval_only_the_scheduled_refresh_notices_a_dead_server()
    {
        var harness = new TurnHarness(new TurnClientOptions { ProbeAfterSilence = null }).Allocated();
        harness.Client.Send(harness.Now, Peer, Payload);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(539), _ => null);
        Assert.Empty(Refreshes(log));
    }

    [Fact]
    public void A_request_timeout_cuts_an_unanswered_allocate_short()
    {
        var harness = new TurnHarness(new TurnClientOptions { RequestTimeout = TimeSpan.FromSeconds(4) });
        harness.Client.Start(harness.Now);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromMinutes(1), _ => null);

        Assert.Equal([0, 0.5, 1.5, 3.5], log.Select(e => e.At.TotalSeconds));
        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.TimedOut, failed.Failure.Kind);
    }
}
