using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Turn;

namespace Pype.Core.Tests.Turn;

/// <summary>
/// A scripted TURN server built from our own codec: tests decide what it answers; it only
/// knows how to sign (long-term key) and shape the answers, the way RFC 8656 describes them.
/// </summary>
internal sealed class FakeTurnServer
{
    public const string Realm = "pype.test";
    public static readonly IPEndPoint EndPoint = IPEndPoint.Parse("198.51.100.1:3478");
    public static readonly IPEndPoint Relayed = IPEndPoint.Parse("198.51.100.1:50000");
    public static readonly IPEndPoint Mapped = IPEndPoint.Parse("203.0.113.7:41000");
    public static readonly TurnCredentials Credentials = new("1767225600:alice", "secret");

    public string Nonce { get; set; } = "nonce-1";

    public StunIntegrityKey Key { get; } = StunIntegrityKey.LongTerm(Credentials.Username, Realm, Credentials.Password);

    public static ReceivedStunMessage Parse(StunTransmit transmit) =>
        StunMessageParser.Parse(transmit.Datagram.Span).Message
        ?? throw new InvalidOperationException("the client sent something that is not STUN");

    /// <summary>The 401 a server sends to a request without credentials: REALM and NONCE, no integrity.</summary>
    public byte[] Challenge(ReceivedStunMessage request) =>
        Error(request, ErrorCodeAttribute.Unauthenticated, signed: false, new RealmAttribute(Realm), new NonceAttribute(Nonce));

    public byte[] StaleNonce(ReceivedStunMessage request, string newNonce)
    {
        Nonce = newNonce;
        return Error(request, ErrorCodeAttribute.StaleNonce, signed: false, new RealmAttribute(Realm), new NonceAttribute(newNonce));
    }

    public byte[] Success(ReceivedStunMessage request, params StunAttribute[] attributes) =>
        StunMessageEncoder.Encode(
            new StunMessage(new StunMessageType(StunClass.SuccessResponse, request.Type.Method), request.TransactionId, attributes),
            StunMessageProtection.WithIntegrity(Key));

    public byte[] AllocateSuccess(ReceivedStunMessage request, uint lifetimeSeconds = 600) =>
        Success(request, new XorRelayedAddressAttribute(Relayed), new XorMappedAddressAttribute(Mapped), new LifetimeAttribute(lifetimeSeconds));

    public byte[] Error(ReceivedStunMessage request, int code, bool signed, params StunAttribute[] attributes) =>
        StunMessageEncoder.Encode(
            new StunMessage(
                new StunMessageType(StunClass.ErrorResponse, request.Type.Method),
                request.TransactionId,
                [new ErrorCodeAttribute(code, $"error {code}"), .. attributes]),
            signed ? StunMessageProtection.WithIntegrity(Key) : StunMessageProtection.FingerprintOnly);

    /// <summary>Answers every request as a healthy server would, for tests that look at timing rather than errors.</summary>
    public byte[]? AnswerEverything(ReceivedStunMessage request)
    {
        if (request.Type.Class != StunClass.Request)
            return null;
        if (!request.HasMessageIntegrity)
            return Challenge(request);
        return request.Type.Method switch
        {
            StunMethod.Allocate => AllocateSuccess(request),
            StunMethod.Refresh => Success(request, new LifetimeAttribute(request.Message.Get<LifetimeAttribute>()?.Seconds ?? 600)),
            _ => Success(request),
        };
    }

    public static byte[] DataIndication(IPEndPoint peer, byte[] payload) =>
        StunMessageEncoder.Encode(new StunMessage(
            new StunMessageType(StunClass.Indication, StunMethod.Data),
            StunTransactionId.FromHex("0102030405060708090a0b0c"),
            new XorPeerAddressAttribute(peer),
            new DataAttribute(payload)));
}
