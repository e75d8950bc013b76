using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Turn;

/// <summary>
/// The TURN client's outstanding requests and its long-term credential state (RFC 8489 §9.2).
/// The first request goes out without credentials; a 401 carrying REALM and NONCE teaches us the
/// realm, so the key MD5(username ":" realm ":" password) can be derived and the request sent
/// again signed. A 438 hands out a fresh nonce and the request is sent again with it. Only what
/// is left after that reaches the client as a <see cref="TurnOutcome"/>.
/// </summary>
internal sealed class TurnTransactions(IPEndPoint server, IRandomSource random, TurnClientOptions options, DropCounter<TurnDropReason> drops)
{
    private readonly Dictionary<StunTransactionId, Pending> _pending = [];
    private TurnCredentials? _credentials;
    private string? _realm;
    private string? _nonce;
    private StunIntegrityKey? _key;

    public bool IsAuthenticated => _key is not null;

    public int Count => _pending.Count;

    public DateTimeOffset? NextDeadline =>
        _pending.Values.Select(pending => pending.Transaction.NextDeadline).Where(deadline => deadline is not null).Min();

    public void SetCredentials(TurnCredentials credentials)
    {
        _credentials = credentials;
        if (_realm is not null)
            _key = StunIntegrityKey.LongTerm(credentials.Username, _realm, credentials.Password);
    }

    /// <summary>Forgets realm and nonce, so the next request starts with an unauthenticated Allocate.</summary>
    public void ForgetAuthentication()
    {
        _realm = null;
        _nonce = null;
        _key = null;
    }

    public void Send(DateTimeOffset now, TurnRequest request, int staleNonceRetries = 0)
    {
        var idBytes = new byte[StunTransactionId.Length];
        random.Fill(idBytes);
        var transactionId = StunTransactionId.Read(idBytes);

        var attributes = request.Body.ToList();
        StunMessageProtection protection = StunMessageProtection.FingerprintOnly;
        if (_key is not null && _credentials is not null && _realm is not null && _nonce is not null)
        {
            attributes.Add(new UsernameAttribute(_credentials.Username));
            attributes.Add(new RealmAttribute(_realm));
            attributes.Add(new NonceAttribute(_nonce));
            protection = StunMessageProtection.WithIntegrity(_key);
        }

        var message = new StunMessage(new StunMessageType(StunClass.Request, request.Method), transactionId, attributes);
        var bytes = StunMessageEncoder.Encode(message, protection);
        var transaction = new StunClientTransaction(now, transactionId, bytes, server, request.TimeLimit ?? options.RequestTimeout);
        _pending[transactionId] = new Pending(request, transaction, protection.IntegrityKey, staleNonceRetries);
    }

    /// <summary>Abandons every outstanding request; late answers to them are then unknown transactions.</summary>
    public void Clear() => _pending.Clear();

    public void DrainTransmits(Queue<StunTransmit> transmits)
    {
        foreach (var pending in _pending.Values)
            while (pending.Transaction.PollTransmit() is { } transmit)
                transmits.Enqueue(transmit);
    }

    /// <summary>Null when the response was dropped (and counted) or has been answered with a new request.</summary>
    public TurnOutcome? HandleResponse(DateTimeOffset now, ReceivedStunMessage response)
    {
        if (!_pending.TryGetValue(response.TransactionId, out var pending))
            return Drop(TurnDropReason.UnknownTransaction);
        if (pending.Key is { } key && !IntegrityAcceptable(pending.Request, response, key, out var reason))
            return Drop(reason);
        if (!pending.Transaction.Handle(now, response))
            return Drop(TurnDropReason.RejectedByTransaction);

        _pending.Remove(response.TransactionId);
        return Resolve(now, pending, pending.Transaction.PollEvent()!);
    }

    public IReadOnlyList<TurnOutcome> HandleTimeout(DateTimeOffset now)
    {
        var outcomes = new List<TurnOutcome>();
        foreach (var (id, pending) in _pending.ToArray())
        {
            pending.Transaction.HandleTimeout(now);
            if (pending.Transaction.PollEvent() is not { } outcome)
                continue;
            _pending.Remove(id);
            if (Resolve(now, pending, outcome) is { } resolved)
                outcomes.Add(resolved);
        }
        return outcomes;
    }

    /// <summary>
    /// Once we sign, every answer must be signed with our key (RFC 8489 §9.2.5), except 401 and
    /// 438: they say the key or nonce is no longer accepted, so the server cannot sign them. A 437
    /// to an Allocate cannot be signed either: the server has bound our address to another
    /// username (coturn keeps the first username an address presented, even a refused one, until
    /// that session's 60 s allocation timeout), so it holds no key of ours. Dropping it would only
    /// time the request out after every retransmission; a forged one delays the next attempt, as
    /// a dropped packet would.
    /// </summary>
    private static bool IntegrityAcceptable(TurnRequest request, ReceivedStunMessage response, StunIntegrityKey key, out TurnDropReason reason)
    {
        reason = default;
        if (response.HasMessageIntegrity || response.HasMessageIntegritySha256)
        {
            reason = TurnDropReason.BadIntegrity;
            return response.VerifyMessageIntegrity(key);
        }
        reason = TurnDropReason.MissingIntegrity;
        return response.Type.Class == StunClass.ErrorResponse
            && response.Message.Get<ErrorCodeAttribute>()?.Code switch
            {
                ErrorCodeAttribute.Unauthenticated or ErrorCodeAttribute.StaleNonce => true,
                ErrorCodeAttribute.AllocationMismatch => request.Kind == TurnRequestKind.Allocate,
                _ => false,
            };
    }

    private TurnOutcome? Resolve(DateTimeOffset now, Pending pending, StunTransactionOutcome outcome)
    {
        var request = pending.Request;
        switch (outcome)
        {
            case StunTransactionSucceeded success:
                return new TurnOutcome(request, success.Response, null);
            case StunTransactionTimedOut:
                return new TurnOutcome(request, null, TurnErrors.TimedOut);
            case StunTransactionFailed failed:
                return new TurnOutcome(request, null, TurnErrors.Malformed(failed.Reason));
        }

        var rejected = (StunTransactionRejected)outcome;
        var response = rejected.Response.Message;
        var nonce = response.Get<NonceAttribute>()?.Value;
        var realm = response.Get<RealmAttribute>()?.Value;

        if (rejected.ErrorCode == ErrorCodeAttribute.Unauthenticated && pending.Key is null)
        {
            if (nonce is null || realm is null || _credentials is null)
                return new TurnOutcome(request, null, TurnErrors.Malformed("401 without REALM and NONCE, or no credentials to answer it"));
            _realm = realm;
            _nonce = nonce;
            _key = StunIntegrityKey.LongTerm(_credentials.Username, realm, _credentials.Password);
            Send(now, request);
            return null;
        }

        if (rejected.ErrorCode == ErrorCodeAttribute.StaleNonce && nonce is not null && pending.StaleNonceRetries < options.MaxStaleNonceRetries)
        {
            _nonce = nonce;
            // RFC 8489 §9.2.5: a 438 may also move us to another realm; the key follows it.
            if (realm is not null && realm != _realm && _credentials is not null)
            {
                _realm = realm;
                _key = StunIntegrityKey.LongTerm(_credentials.Username, realm, _credentials.Password);
            }
            Send(now, request, pending.StaleNonceRetries + 1);
            return null;
        }

        return new TurnOutcome(request, null, TurnErrors.FromErrorResponse(rejected.ErrorCode, rejected.ReasonPhrase, response));
    }

    private TurnOutcome? Drop(TurnDropReason reason)
    {
        drops.Count(reason);
        return null;
    }

    private sealed record Pending(TurnRequest Request, StunClientTransaction Transaction, StunIntegrityKey? Key, int StaleNonceRetries);
}
