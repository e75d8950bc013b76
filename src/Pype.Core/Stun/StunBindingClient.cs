using System.Net;
using System.Security.Cryptography;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>What a Binding request taught us about our public endpoint.</summary>
public abstract record StunBindingOutcome;

public sealed record StunMappedAddressDiscovered(IPEndPoint MappedAddress) : StunBindingOutcome;

public sealed record StunBindingFailed(string Reason, int? ErrorCode) : StunBindingOutcome;

public sealed record StunBindingTimedOut : StunBindingOutcome;

/// <summary>
/// Asks one STUN server for our server-reflexive address: a Binding request with FINGERPRINT
/// wrapped in a <see cref="StunClientTransaction"/>, its outcome reduced to the mapped address.
/// </summary>
public sealed class StunBindingClient
{
    private readonly StunClientTransaction _transaction;
    private bool _outcomeReported;

    public StunBindingClient(DateTimeOffset now, IPEndPoint server, RandomNumberGenerator random)
    {
        var transactionId = StunTransactionId.NewRandom(random);
        var request = StunMessageEncoder.Encode(
            new StunMessage(StunMessageType.BindingRequest, transactionId),
            StunMessageProtection.FingerprintOnly);
        _transaction = new StunClientTransaction(now, transactionId, request, server);
    }

    public StunTransactionId TransactionId => _transaction.TransactionId;
    public DateTimeOffset? NextDeadline => _transaction.NextDeadline;
    public bool IsFinished => _transaction.IsFinished;

    public StunTransmit? PollTransmit() => _transaction.PollTransmit();

    public void HandleTimeout(DateTimeOffset now) => _transaction.HandleTimeout(now);

    public bool Handle(DateTimeOffset now, ReceivedStunMessage response) => _transaction.Handle(now, response);

    public StunBindingOutcome? PollEvent()
    {
        if (_transaction.Outcome is not { } outcome || _outcomeReported)
            return null;
        _outcomeReported = true;
        return outcome switch
        {
            StunTransactionSucceeded success => MappedAddressOf(success.Response.Message),
            StunTransactionRejected rejected => new StunBindingFailed(rejected.ReasonPhrase, rejected.ErrorCode),
            StunTransactionFailed failed => new StunBindingFailed(failed.Reason, null),
            _ => new StunBindingTimedOut(),
        };
    }

    /// <summary>XOR-MAPPED-ADDRESS is preferred; MAPPED-ADDRESS is accepted from older servers (RFC 8489 §14.1).</summary>
    private static StunBindingOutcome MappedAddressOf(StunMessage response) =>
        (response.Get<XorMappedAddressAttribute>()?.EndPoint ?? response.Get<MappedAddressAttribute>()?.EndPoint) is { } address
            ? new StunMappedAddressDiscovered(address)
            : new StunBindingFailed("success response without a mapped address", null);
}
