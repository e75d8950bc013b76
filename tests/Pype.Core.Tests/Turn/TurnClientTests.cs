using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

public class TurnClientTests
{
    private static readonly IPEndPoint Peer = TurnHarness.Peer;

    [Fact]
    public void Allocate_is_challenged_with_401_then_signed_and_reports_relayed_and_mapped_addresses()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);

        var first = harness.SentOne(StunMethod.Allocate);
        Assert.Equal(RequestedTransportAttribute.Udp, first.Message.Get<RequestedTransportAttribute>()?.Protocol);
        Assert.False(first.HasMessageIntegrity);
        Assert.Null(first.Message.Get<UsernameAttribute>());
        Assert.True(first.VerifyFingerprint());
        harness.Deliver(harness.Server.Challenge(first));

        var second = harness.SentOne(StunMethod.Allocate);
        Assert.NotEqual(first.TransactionId, second.TransactionId);
        Assert.Equal(FakeTurnServer.Credentials.Username, second.Message.Get<UsernameAttribute>()?.Value);
        Assert.Equal(FakeTurnServer.Realm, second.Message.Get<RealmAttribute>()?.Value);
        Assert.Equal("nonce-1", second.Message.Get<NonceAttribute>()?.Value);
        Assert.True(second.VerifyMessageIntegrity(harness.Server.Key));
        harness.Deliver(harness.Server.AllocateSuccess(second, 600));

        var allocated = Assert.IsType<TurnClientEvent.Allocated>(Assert.Single(harness.Events()));
        Assert.Equal((FakeTurnServer.Relayed, FakeTurnServer.Mapped, TimeSpan.FromSeconds(600)), (allocated.Relayed, allocated.Mapped, allocated.Lifetime));
        Assert.Equal(FakeTurnServer.Relayed, harness.Client.RelayedAddress);
        Assert.Equal(0, harness.Client.Drops.Total);
    }

    [Fact]
    public void A_stale_nonce_is_answered_by_the_same_request_with_the_new_nonce()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.StaleNonce(harness.SentOne(StunMethod.Allocate), "nonce-2"));

        var retry = harness.SentOne(StunMethod.Allocate);
        Assert.Equal("nonce-2", retry.Message.Get<NonceAttribute>()?.Value);
        Assert.True(retry.VerifyMessageIntegrity(harness.Server.Key));
        harness.Deliver(harness.Server.AllocateSuccess(retry));
        Assert.IsType<TurnClientEvent.Allocated>(Assert.Single(harness.Events()));
    }

    [Fact]
    public void Long_lifetimes_are_refreshed_a_minute_before_expiry_and_short_ones_at_half_life()
    {
        var harness = new TurnHarness().Allocated(600);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromMinutes(30), harness.Server.AnswerEverything);
        Assert.Equal([540, 1080, 1620], log.Where(e => e.Message.Type.Method == StunMethod.Refresh).Select(e => e.At.TotalSeconds));

        var shortLived = new TurnHarness().Allocated(60);
        var shortLog = shortLived.Run(TurnHarness.Start + TimeSpan.FromSeconds(100), _ => null);
        Assert.Equal(30, shortLog.First(e => e.Message.Type.Method == StunMethod.Refresh).At.TotalSeconds);
    }

    [Fact]
    public void Permissions_are_renewed_every_four_minutes_and_channels_every_nine()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Send(harness.Now, Peer, [1, 2, 3]);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromMinutes(19), harness.Server.AnswerEverything);

        double[] Times(StunMethod method) => log.Where(e => e.Message.Type.Method == method).Select(e => e.At.TotalSeconds).ToArray();
        Assert.Equal([0, 240, 480, 720, 960], Times(StunMethod.CreatePermission));
        Assert.Equal([0, 540, 1080], Times(StunMethod.ChannelBind));
        Assert.All(log.Where(e => e.Message.Type.Method == StunMethod.ChannelBind),
            e => Assert.Equal(ChannelData.FirstChannel, e.Message.Message.Get<ChannelNumberAttribute>()?.Number));
        Assert.DoesNotContain(harness.Events(), e => e is TurnClientEvent.PermissionExpired or TurnClientEvent.AllocationLost);
    }

    [Fact]
    public void Data_goes_in_a_send_indication_until_the_channel_is_bound_then_as_channel_data()
    {
        var harness = new TurnHarness().Allocated();
        Assert.True(harness.Client.Send(harness.Now, Peer, [9, 8, 7]));

        var sent = harness.Sent();
        Assert.Equal([StunMethod.CreatePermission, StunMethod.ChannelBind, StunMethod.Send], sent.Select(m => m.Type.Method));
        var indication = sent[2];
        Assert.Equal(StunClass.Indication, indication.Type.Class);
        Assert.Equal(Peer, indication.Message.Get<XorPeerAddressAttribute>()?.EndPoint);
        Assert.Equal([9, 8, 7], indication.Message.Get<DataAttribute>()?.Value);
        Assert.False(indication.HasMessageIntegrity);

        harness.Deliver(harness.Server.Success(sent[0]));
        harness.Deliver(harness.Server.Success(sent[1]));
        Assert.Equal(
            [new TurnClientEvent.PermissionCreated(Peer.Address), new TurnClientEvent.ChannelBound(Peer, ChannelData.FirstChannel)],
            harness.Events());

        harness.Client.Send(harness.Now, Peer, [6, 5]);
        Assert.Equal("40000002" + "0605", Convert.ToHexStringLower(Assert.Single(harness.SentRaw())));
    }

    [Fact]
    public void Data_from_a_permitted_peer_arrives_by_indication_and_by_channel_and_padding_is_accepted()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Send(harness.Now, Peer, [1]);
        foreach (var request in harness.Sent().Where(m => m.Type.Class == StunClass.Request))
            harness.Deliver(harness.Server.Success(request));
        harness.Events();

        harness.Deliver(FakeTurnServer.DataIndication(Peer, [4, 5, 6]));
        harness.Deliver(ChannelData.Encode(ChannelData.FirstChannel, [7, 8, 9], pad: true));

        var received = harness.Events().Cast<TurnClientEvent.DataReceived>().ToArray();
        Assert.Equal([(Peer, false), (Peer, true)], received.Select(r => (r.Peer, r.ViaChannel)));
        Assert.Equal([4, 5, 6], received[0].Payload.ToArray());
        Assert.Equal([7, 8, 9], received[1].Payload.ToArray());
    }

    [Fact]
    public void Data_from_an_unpermitted_peer_or_an_unknown_channel_is_dropped_and_counted()
    {
        var harness = new TurnHarness().Allocated();
        harness.Deliver(FakeTurnServer.DataIndication(IPEndPoint.Parse("192.0.2.99:1"), [1]));
        harness.Deliver(ChannelData.Encode(0x4123, [1]));
        harness.Deliver(ChannelData.Encode(0x4000, [1, 2, 3, 4, 5])[..6]);

        Assert.Empty(harness.Events());
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.DataFromUnpermittedPeer]);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.UnknownChannel]);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.ChannelDataMalformed]);
    }

    [Fact]
    public void Stop_releases_the_allocation_with_a_signed_zero_lifetime_refresh()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Stop(harness.Now);

        var refresh = harness.SentOne(StunMethod.Refresh);
        Assert.Equal(0u, refresh.Message.Get<LifetimeAttribute>()?.Seconds);
        Assert.True(refresh.VerifyMessageIntegrity(harness.Server.Key));
        Assert.Equal(TurnClientState.Stopping, harness.Client.State);
        harness.Client.Stop(harness.Now);
        Assert.Empty(harness.Sent());
        harness.Deliver(harness.Server.Success(refresh, new LifetimeAttribute(0)));

        Assert.Equal(TurnClientState.Stopped, harness.Client.State);
        Assert.IsType<TurnClientEvent.Deallocated>(Assert.Single(harness.Events()));
        Assert.Null(harness.Client.NextDeadline);
    }

    [Fact]
    public void An_unanswered_deallocation_still_ends_in_stopped()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Stop(harness.Now);
        harness.Run(harness.Now + TimeSpan.FromMinutes(1), _ => null);

        Assert.IsType<TurnClientEvent.Deallocated>(Assert.Single(harness.Events()));
        Assert.Equal(TurnClientState.Stopped, harness.Client.State);
    }

    [Fact]
    public void Responses_without_valid_integrity_or_for_no_outstanding_request_are_dropped_and_retransmission_goes_on()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        var signed = harness.SentOne(StunMethod.Allocate);

        var wrongKey = StunIntegrityKey.LongTerm(FakeTurnServer.Credentials.Username, FakeTurnServer.Realm, "guess");
        harness.Deliver(Encode(signed.TransactionId, StunMessageProtection.WithIntegrity(wrongKey)));
        harness.Deliver(Encode(signed.TransactionId, StunMessageProtection.FingerprintOnly));
        harness.Deliver(Encode(StunTransactionId.FromHex("ffffffffffffffffffffffff"), StunMessageProtection.WithIntegrity(harness.Server.Key)));

        Assert.Equal(TurnClientState.Allocating, harness.Client.State);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.BadIntegrity]);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.MissingIntegrity]);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.UnknownTransaction]);

        harness.Now += TimeSpan.FromMilliseconds(500);
        harness.Client.HandleTimeout(harness.Now);
        Assert.Equal(signed.TransactionId, harness.SentOne(StunMethod.Allocate).TransactionId);
    }

    [Fact]
    public void An_unanswered_allocate_is_retransmitted_on_the_rfc_schedule_and_fails_as_timed_out()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromMinutes(1), _ => null);

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], log.Select(e => e.At.TotalSeconds));
        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.TimedOut, failed.Failure.Kind);
        Assert.True(failed.Failure.Retryable);
        Assert.Equal(TurnClientState.Failed, harness.Client.State);
        Assert.Null(harness.Client.NextDeadline);
    }

    [Fact]
    public void A_refresh_that_times_out_loses_the_allocation_and_a_signed_allocate_follows_at_once()
    {
        var harness = new TurnHarness().Allocated();
        // Refresh at 540 s; its transaction gives up 39.5 s later.
        var log = harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(579.5), _ => null);

        Assert.All(log[..^1], e => Assert.Equal(StunMethod.Refresh, e.Message.Type.Method));
        var lost = Assert.IsType<TurnClientEvent.AllocationLost>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.TimedOut, lost.Failure.Kind);
        var (at, allocate) = log[^1];
        Assert.Equal((579.5, StunMethod.Allocate), (at.TotalSeconds, allocate.Type.Method));
        Assert.True(allocate.VerifyMessageIntegrity(harness.Server.Key));
        Assert.Equal(TurnClientState.Allocating, harness.Client.State);
    }

    [Fact]
    public void After_a_lost_allocation_the_wanted_permissions_are_created_again_on_the_new_one()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        var permission = harness.SentOne(StunMethod.CreatePermission);
        harness.Deliver(harness.Server.Error(permission, ErrorCodeAttribute.AllocationMismatch, signed: true));

        Assert.IsType<TurnClientEvent.AllocationLost>(Assert.Single(harness.Events()));
        harness.Deliver(harness.Server.AllocateSuccess(harness.SentOne(StunMethod.Allocate)));

        Assert.IsType<TurnClientEvent.Allocated>(Assert.Single(harness.Events()));
        Assert.Equal(Peer.Address, harness.SentOne(StunMethod.CreatePermission).Message.Get<XorPeerAddressAttribute>()?.EndPoint.Address);
    }

    [Fact]
    public void An_allocation_lost_again_and_again_is_given_up()
    {
        var harness = new TurnHarness(new TurnClientOptions { MaxConsecutiveRestarts = 2 }).Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Run(harness.Now + TimeSpan.FromSeconds(1), request => request.Type.Method switch
        {
            StunMethod.Allocate => harness.Server.AllocateSuccess(request),
            _ => harness.Server.Error(request, ErrorCodeAttribute.AllocationMismatch, signed: true),
        });

        var events = harness.Events();
        Assert.Equal(3, events.Count(e => e is TurnClientEvent.AllocationLost));
        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(events[^1]);
        Assert.Equal(TurnFailureKind.TooManyRestarts, failed.Failure.Kind);
    }

    [Fact]
    public void A_short_allocation_whose_refresh_goes_unanswered_is_lost_when_it_expires()
    {
        var harness = new TurnHarness().Allocated(20);
        harness.Run(TurnHarness.Start + TimeSpan.FromSeconds(20), _ => null);

        var lost = Assert.IsType<TurnClientEvent.AllocationLost>(Assert.Single(harness.Events()));
        Assert.Contains("expired", lost.Failure.Reason);
    }

    [Fact]
    public void Datagrams_from_anyone_but_the_server_are_dropped_and_a_dual_mode_source_counts_as_the_server()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        var permission = harness.SentOne(StunMethod.CreatePermission);

        harness.Client.HandleDatagram(harness.Now, Peer, harness.Server.Success(permission));
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.NotFromServer]);

        var mapped = new IPEndPoint(FakeTurnServer.EndPoint.Address.MapToIPv6(), FakeTurnServer.EndPoint.Port);
        harness.Client.HandleDatagram(harness.Now, mapped, harness.Server.Success(permission));
        Assert.IsType<TurnClientEvent.PermissionCreated>(Assert.Single(harness.Events()));
    }

    [Fact]
    public void Sending_without_an_allocation_or_too_much_is_refused_and_counted()
    {
        var harness = new TurnHarness();
        Assert.False(harness.Client.Send(harness.Now, Peer, [1]));
        harness.Allocated();
        Assert.False(harness.Client.Send(harness.Now, Peer, new byte[TurnClientOptions.Default.MaxPayloadLength + 1]));
        Assert.True(harness.Client.Send(harness.Now, Peer, new byte[TurnClientOptions.Default.MaxPayloadLength]));

        Assert.Equal(1, harness.Client.Drops[TurnDropReason.NotAllocated]);
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.PayloadTooLarge]);
        Assert.All(harness.SentRaw(), datagram => Assert.True(datagram.Length <= StunWire.MaxMessageLength));
    }

    [Fact]
    public void New_credentials_sign_every_request_from_then_on()
    {
        var harness = new TurnHarness().Allocated();
        var renewed = new TurnCredentials(FakeTurnServer.Credentials.Username, "renewed");
        harness.Client.UpdateCredentials(renewed);
        harness.Client.Permit(harness.Now, Peer.Address);

        var request = harness.SentOne(StunMethod.CreatePermission);
        Assert.True(request.VerifyMessageIntegrity(StunIntegrityKey.LongTerm(renewed.Username, FakeTurnServer.Realm, "renewed")));
    }

    private static byte[] Encode(StunTransactionId id, StunMessageProtection protection) =>
        StunMessageEncoder.Encode(
            new StunMessage(new StunMessageType(StunClass.SuccessResponse, StunMethod.Allocate), id,
                new XorRelayedAddressAttribute(FakeTurnServer.Relayed), new XorMappedAddressAttribute(FakeTurnServer.Mapped), new LifetimeAttribute(600)),
            protection);
}
