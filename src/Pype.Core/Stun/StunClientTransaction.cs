using System.Net;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>
/// One STUN request over UDP as a sans-IO state machine (RFC 8489 §6.2.1, §7.3): feed it
/// <see cref="HandleTimeout"/> at <see cref="NextDeadline"/> and every response with the same
/// transaction id, then drain <see cref="PollTransmit"/> and <see cref="PollEvent"/>.
/// With the defaults it sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and times out at 39.5 s;
/// a caller that must know sooner (a liveness probe) gives it a shorter overall time limit.
/// </summary>
public sealed class StunClientTransaction
{
    private readonly ReadOnlyMemory<byte> _request;
    private TimeSpan _rto = StunRetransmission.InitialRto;
    private int _requestsSent;
    private bool _transmitPending;
    private bool _outcomeReported;
    private readonly DateTimeOffset? _giveUpAt;

    /// <param name="giveUpAfter">Times out this long after <paramref name="now"/> at the latest, retransmissions cut short; null for RFC 8489's full schedule.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="giveUpAfter"/> is not positive.</exception>
    public StunClientTransaction(DateTimeOffset now, StunTransactionId transactionId, ReadOnlyMemory<byte> request, IPEndPoint destination,
        TimeSpan? giveUpAfter = null)
    {
        if (giveUpAfter is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(giveUpAfter), limit, "A transaction needs a positive time limit.");
        TransactionId = transactionId;
        Destination = destination;
        _request = request;
        _giveUpAt = now + giveUpAfter;
        QueueRequest(now);
    }

    public StunTransactionId TransactionId { get; }
    public IPEndPoint Destination { get; }

    /// <summary>Null once the transaction has an outcome: nothing more is scheduled.</summary>
    public DateTimeOffset? NextDeadline { get; private set; }

    public StunTransactionOutcome? Outcome { get; private set; }
    public bool IsFinished => Outcome is not null;

    public StunTransmit? PollTransmit()
    {
        if (!_transmitPending)
            return null;
        _transmitPending = false;
        return new StunTransmit(Destination, _request);
    }

    /// <summary>Returns the outcome once, the first time it is polled after the transaction ends.</summary>
    public StunTransactionOutcome? PollEvent()
    {
        if (Outcome is null || _outcomeReported)
            return null;
        _outcomeReported = true;
        return Outcome;
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        if (NextDeadline is not { } deadline || now < deadline)
            return;

        if (_requestsSent == StunRetransmission.MaxRequests || now >= _giveUpAt)
        {
            Finish(new StunTransactionTimedOut());
            return;
        }
        _rto *= 2;
        QueueRequest(now);
    }

    /// <summary>
    /// True when the response belonged to this transaction and ended it. Responses for other
    /// transactions, requests and indications, corrupted fingerprints and anything arriving
    /// after the end are ignored, because a retransmitted request may draw several answers.
    /// <paramref name="now"/> is not needed yet; it keeps the Handle(now, input) shape every core shares.
    /// </summary>
    public bool Handle(DateTimeOffset now, ReceivedStunMessage response)
    {
        if (IsFinished || response.TransactionId != TransactionId)
            return false;
        if (response.Type.Class is not (StunClass.SuccessResponse or StunClass.ErrorResponse))
            return false;
        if (response.HasFingerprint && !response.VerifyFingerprint())
            return false;

        Finish(Classify(response));
        return true;
    }

    private static StunTransactionOutcome Classify(ReceivedStunMessage response)
    {
        if (response.Message.UnknownComprehensionRequiredTypes().Count > 0)
            return new StunTransactionFailed("response carries unknown comprehension-required attributes");
        if (response.Type.Class == StunClass.SuccessResponse)
            return new StunTransactionSucceeded(response);
        return response.Message.Get<ErrorCodeAttribute>() is { } error
            ? new StunTransactionRejected(error.Code, error.ReasonPhrase, response)
            : new StunTransactionFailed("error response without ERROR-CODE");
    }

    private void QueueRequest(DateTimeOffset now)
    {
        _requestsSent++;
        _transmitPending = true;
        var next = now + (_requestsSent == StunRetransmission.MaxRequests
            ? StunRetransmission.InitialRto * StunRetransmission.FinalWaitMultiplier
            : _rto);
        NextDeadline = _giveUpAt is { } giveUpAt && giveUpAt < next ? giveUpAt : next;
    }

    private void Finish(StunTransactionOutcome outcome)
    {
        Outcome = outcome;
        NextDeadline = null;
        _transmitPending = false;
    }
}
