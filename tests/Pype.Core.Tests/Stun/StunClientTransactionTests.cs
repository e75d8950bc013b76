using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class StunClientTransactionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Server = IPEndPoint.Parse("198.51.100.1:3478");
    private static readonly StunTransactionId TransactionId = StunTransactionId.FromHex("00112233445566778899aabb");
    private static readonly byte[] Request = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId));

    [Fact]
    public void Requests_go_out_at_0_500_1500_3500_7500_15500_and_31500_ms_and_the_transaction_times_out_at_39500()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);

        var sendTimes = new List<double>();
        var now = Start;
        while (!transaction.IsFinished)
        {
            while (transaction.PollTransmit() is { } transmit)
            {
                Assert.Equal(Server, transmit.Destination);
                Assert.Equal(Request, transmit.Datagram.ToArray());
                sendTimes.Add((now - Start).TotalMilliseconds);
            }
            now = transaction.NextDeadline!.Value;
            transaction.HandleTimeout(now);
        }

        Assert.Equal([0, 500, 1500, 3500, 7500, 15500, 31500], sendTimes);
        Assert.Equal(39_500, (now - Start).TotalMilliseconds);
        Assert.IsType<StunTransactionTimedOut>(transaction.PollEvent());
        Assert.Null(transaction.NextDeadline);
    }

    [Fact]
    public void A_time_limit_cuts_the_retransmissions_short_and_times_out_at_the_limit()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server, TimeSpan.FromSeconds(3));

        var sendTimes = new List<double>();
        var now = Start;
        while (!transaction.IsFinished)
        {
            while (transaction.PollTransmit() is not null)
                sendTimes.Add((now - Start).TotalMilliseconds);
            now = transaction.NextDeadline!.Value;
            transaction.HandleTimeout(now);
        }

        Assert.Equal([0, 500, 1500], sendTimes);
        Assert.Equal(3_000, (now - Start).TotalMilliseconds);
        Assert.IsType<StunTransactionTimedOut>(transaction.PollEvent());
    }

    [Fact]
    public void A_time_limit_that_is_not_positive_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StunClientTransaction(Start, TransactionId, Request, Server, TimeSpan.Zero));
    }

    [Fact]
    public void A_tick_before_the_deadline_sends_nothing()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        transaction.PollTransmit();

        transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(499));

        Assert.Null(transaction.PollTransmit());
        Assert.Equal(Start + TimeSpan.FromMilliseconds(500), transaction.NextDeadline);
    }

    [Fact]
    public void A_tick_one_millisecond_before_the_final_deadline_does_not_time_out()
    {
        var transaction = RunUntilLastRequest();
        transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(39_499));
        Assert.False(transaction.IsFinished);
        transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(39_500));
        Assert.IsType<StunTransactionTimedOut>(transaction.Outcome);
    }

    [Fact]
    public void A_success_response_completes_the_transaction_and_stops_retransmission()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        transaction.PollTransmit();

        Assert.True(transaction.Handle(Start + TimeSpan.FromMilliseconds(40), Response(StunMessageType.BindingSuccess)));

        var outcome = Assert.IsType<StunTransactionSucceeded>(transaction.PollEvent());
        Assert.Equal(TransactionId, outcome.Response.TransactionId);
        Assert.Null(transaction.NextDeadline);
        transaction.HandleTimeout(Start + TimeSpan.FromSeconds(10));
        Assert.Null(transaction.PollTransmit());
    }

    [Fact]
    public void An_error_response_completes_with_its_error_code()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        transaction.Handle(Start, Response(StunMessageType.BindingError, new ErrorCodeAttribute(420, "Unknown Attribute")));

        var outcome = Assert.IsType<StunTransactionRejected>(transaction.PollEvent());
        Assert.Equal((420, "Unknown Attribute"), (outcome.ErrorCode, outcome.ReasonPhrase));
    }

    [Fact]
    public void An_error_response_without_error_code_is_a_failure() =>
        Assert.IsType<StunTransactionFailed>(Completed(Response(StunMessageType.BindingError)));

    [Fact]
    public void A_success_response_with_unknown_comprehension_required_attributes_is_a_failure() =>
        Assert.IsType<StunTransactionFailed>(Completed(Response(StunMessageType.BindingSuccess, new RawStunAttribute(0x7ABC, []))));

    [Fact]
    public void The_outcome_is_reported_once()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        transaction.Handle(Start, Response(StunMessageType.BindingSuccess));
        Assert.NotNull(transaction.PollEvent());
        Assert.Null(transaction.PollEvent());
    }

    [Fact]
    public void A_duplicate_response_after_completion_is_ignored()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        var first = Response(StunMessageType.BindingSuccess);
        transaction.Handle(Start, first);

        Assert.False(transaction.Handle(Start, Response(StunMessageType.BindingError, new ErrorCodeAttribute(500, "late"))));
        Assert.Same(first, Assert.IsType<StunTransactionSucceeded>(transaction.Outcome).Response);
    }

    [Fact]
    public void A_late_response_after_timeout_is_ignored()
    {
        var transaction = RunUntilLastRequest();
        transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(39_500));

        Assert.False(transaction.Handle(Start + TimeSpan.FromSeconds(40), Response(StunMessageType.BindingSuccess)));
        Assert.IsType<StunTransactionTimedOut>(transaction.Outcome);
    }

    [Fact]
    public void A_response_to_another_transaction_is_ignored_and_retransmission_continues()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        transaction.PollTransmit();
        var stranger = StunMessageParser.Parse(StunMessageEncoder.Encode(
            new StunMessage(StunMessageType.BindingSuccess, StunTransactionId.FromHex("ffffffffffffffffffffffff")))).Message!;

        Assert.False(transaction.Handle(Start, stranger));
        transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(500));
        Assert.NotNull(transaction.PollTransmit());
    }

    [Fact]
    public void A_request_or_indication_with_our_transaction_id_is_ignored()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        Assert.False(transaction.Handle(Start, Response(StunMessageType.BindingRequest)));
        Assert.False(transaction.Handle(Start, Response(new StunMessageType(StunClass.Indication, StunMethod.Binding))));
        Assert.False(transaction.IsFinished);
    }

    [Fact]
    public void A_response_with_a_corrupted_fingerprint_is_ignored()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        var bytes = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingSuccess, TransactionId));
        bytes[^1] ^= 0x80;

        Assert.False(transaction.Handle(Start, StunMessageParser.Parse(bytes).Message!));
        Assert.False(transaction.IsFinished);
    }

    private static StunClientTransaction RunUntilLastRequest()
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        foreach (var ms in new[] { 500, 1500, 3500, 7500, 15500, 31500 })
            transaction.HandleTimeout(Start + TimeSpan.FromMilliseconds(ms));
        Assert.Equal(Start + TimeSpan.FromMilliseconds(39_500), transaction.NextDeadline);
        return transaction;
    }

    private static StunTransactionOutcome? Completed(ReceivedStunMessage response)
    {
        var transaction = new StunClientTransaction(Start, TransactionId, Request, Server);
        Assert.True(transaction.Handle(Start, response));
        return transaction.PollEvent();
    }

    private static ReceivedStunMessage Response(StunMessageType type, params StunAttribute[] attributes) =>
        StunMessageParser.Parse(StunMessageEncoder.Encode(new StunMessage(type, TransactionId, attributes))).Message!;
}
