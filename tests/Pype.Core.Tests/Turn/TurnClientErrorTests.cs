using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

/// <summary>Every error class RFC 8656 and RFC 8489 name, and what the client does about it.</summary>
public class TurnClientErrorTests
{
    private static readonly IPEndPoint Peer = TurnHarness.Peer;

    [Theory]
    [InlineData(300, TurnFailureKind.TryAlternate, false)]
    [InlineData(400, TurnFailureKind.BadRequest, false)]
    [InlineData(403, TurnFailureKind.Forbidden, false)]
    [InlineData(420, TurnFailureKind.UnknownAttribute, false)]
    [InlineData(437, TurnFailureKind.AllocationMismatch, true)]
    [InlineData(440, TurnFailureKind.AddressFamilyNotSupported, false)]
    [InlineData(441, TurnFailureKind.WrongCredentials, false)]
    [InlineData(442, TurnFailureKind.UnsupportedTransportProtocol, false)]
    [InlineData(486, TurnFailureKind.AllocationQuotaReached, true)]
    [InlineData(500, TurnFailureKind.ServerError, true)]
    [InlineData(508, TurnFailureKind.InsufficientCapacity, true)]
    [InlineData(499, TurnFailureKind.OtherError, false)]
    public void A_signed_error_to_the_signed_allocate_fails_the_allocation_with_its_reason(int code, TurnFailureKind kind, bool retryable)
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), code, signed: true, ExtraFor(code)));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal((kind, code, retryable), (failed.Failure.Kind, failed.Failure.ErrorCode, failed.Failure.Retryable));
        Assert.Equal(TurnClientState.Failed, harness.Client.State);
        Assert.Empty(harness.Sent());
        Assert.Null(harness.Client.NextDeadline);
    }

    [Fact]
    public void Try_alternate_names_the_alternate_server_and_unknown_attribute_names_the_types()
    {
        Assert.Equal(IPEndPoint.Parse("203.0.113.9:3478"), FailureFor(300).AlternateServer);
        Assert.Contains("0x7ABC", FailureFor(420).Reason);
    }

    [Fact]
    public void An_error_to_the_first_unsigned_allocate_needs_no_integrity_and_fails_it()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), 508, signed: false));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.InsufficientCapacity, failed.Failure.Kind);
    }

    [Fact]
    public void An_unsigned_error_other_than_401_or_438_to_a_signed_request_is_dropped_as_the_rfc_asks()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), 400, signed: false));

        Assert.Empty(harness.Events());
        Assert.Equal(1, harness.Client.Drops[TurnDropReason.MissingIntegrity]);
        Assert.Equal(TurnClientState.Allocating, harness.Client.State);
    }

    [Fact]
    public void An_unsigned_437_to_the_signed_allocate_fails_it_as_a_mismatch_worth_retrying()
    {
        // The server bound our address to another username, so it has no key to sign with.
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), ErrorCodeAttribute.AllocationMismatch, signed: false));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal((TurnFailureKind.AllocationMismatch, true), (failed.Failure.Kind, failed.Failure.Retryable));
        Assert.Equal(0, harness.Client.Drops[TurnDropReason.MissingIntegrity]);
    }

    [Fact]
    public void A_401_to_signed_credentials_fails_at_once_instead_of_looping()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.Unauthenticated, failed.Failure.Kind);
        Assert.False(failed.Failure.Retryable);
        Assert.Empty(harness.Sent());
    }

    [Fact]
    public void A_401_without_realm_and_nonce_is_a_malformed_response()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), 401, signed: false));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.MalformedResponse, failed.Failure.Kind);
    }

    [Fact]
    public void A_server_that_never_accepts_its_own_nonce_is_given_up_after_the_retry_limit()
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        for (var i = 0; i <= TurnClientOptions.Default.MaxStaleNonceRetries; i++)
            harness.Deliver(harness.Server.StaleNonce(harness.SentOne(StunMethod.Allocate), $"n{i}"));

        var failed = Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events()));
        Assert.Equal(TurnFailureKind.StaleNonceLoop, failed.Failure.Kind);
    }

    [Fact]
    public void A_stale_nonce_on_a_refresh_retries_the_refresh_with_the_new_nonce()
    {
        var harness = new TurnHarness().Allocated();
        harness.Now += TimeSpan.FromSeconds(540);
        harness.Client.HandleTimeout(harness.Now);
        harness.Deliver(harness.Server.StaleNonce(harness.SentOne(StunMethod.Refresh), "n2"));
        var retry = harness.SentOne(StunMethod.Refresh);
        harness.Deliver(harness.Server.Success(retry, new LifetimeAttribute(600)));

        Assert.Equal("n2", retry.Message.Get<NonceAttribute>()?.Value);
        Assert.IsType<TurnClientEvent.Refreshed>(Assert.Single(harness.Events()));
    }

    [Theory]
    [InlineData(437, typeof(TurnClientEvent.AllocationLost))]
    [InlineData(508, typeof(TurnClientEvent.AllocationLost))]
    [InlineData(401, typeof(TurnClientEvent.AllocationFailed))]
    [InlineData(441, typeof(TurnClientEvent.AllocationFailed))]
    public void A_refused_refresh_loses_the_allocation_unless_the_credentials_are_refused(int code, Type expected)
    {
        var harness = new TurnHarness().Allocated();
        harness.Now += TimeSpan.FromSeconds(540);
        harness.Client.HandleTimeout(harness.Now);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Refresh), code, signed: code != 401));

        Assert.IsType(expected, harness.Events()[0]);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(443)]
    [InlineData(508)]
    public void A_refused_permission_is_reported_and_not_asked_for_again(int code)
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.CreatePermission), code, signed: true));

        var failed = Assert.IsType<TurnClientEvent.PermissionFailed>(Assert.Single(harness.Events()));
        Assert.Equal((Peer.Address, code), (failed.Peer, failed.Failure.ErrorCode));
        harness.Run(harness.Now + TimeSpan.FromMinutes(10), harness.Server.AnswerEverything);
        Assert.Equal(TurnClientState.Allocated, harness.Client.State);
        Assert.DoesNotContain(harness.Events(), e => e is TurnClientEvent.PermissionCreated);
    }

    [Theory]
    [InlineData(437, typeof(TurnClientEvent.AllocationLost))]
    [InlineData(441, typeof(TurnClientEvent.AllocationFailed))]
    public void A_permission_refused_for_the_allocation_or_the_credentials_ends_the_allocation(int code, Type expected)
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Permit(harness.Now, Peer.Address);
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.CreatePermission), code, signed: true));

        Assert.IsType(expected, harness.Events()[0]);
    }

    [Fact]
    public void A_refused_channel_leaves_data_in_send_indications()
    {
        var harness = new TurnHarness().Allocated();
        harness.Client.Send(harness.Now, Peer, [1]);
        var sent = harness.Sent();
        harness.Deliver(harness.Server.Success(sent.Single(m => m.Type.Method == StunMethod.CreatePermission)));
        harness.Deliver(harness.Server.Error(sent.Single(m => m.Type.Method == StunMethod.ChannelBind), 400, signed: true));

        Assert.Contains(harness.Events(), e => e is TurnClientEvent.ChannelBindFailed { Failure.ErrorCode: 400 });
        harness.Client.Send(harness.Now, Peer, [2]);
        Assert.Equal(StunMethod.Send, Assert.Single(harness.Sent()).Type.Method);
    }

    private static TurnFailure FailureFor(int code)
    {
        var harness = new TurnHarness();
        harness.Client.Start(harness.Now);
        harness.Deliver(harness.Server.Challenge(harness.SentOne(StunMethod.Allocate)));
        harness.Deliver(harness.Server.Error(harness.SentOne(StunMethod.Allocate), code, signed: true, ExtraFor(code)));
        return Assert.IsType<TurnClientEvent.AllocationFailed>(Assert.Single(harness.Events())).Failure;
    }

    private static StunAttribute[] ExtraFor(int code) => code switch
    {
        300 => [new AlternateServerAttribute(IPEndPoint.Parse("203.0.113.9:3478"))],
        420 => [new UnknownAttributesAttribute([0x7ABC])],
        _ => [],
    };
}
