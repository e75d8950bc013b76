namespace Pype.Core.Stun;

/// <summary>
/// A parsed message together with the bytes it came from, because MESSAGE-INTEGRITY and
/// FINGERPRINT can only be checked against the exact bytes received.
/// </summary>
public sealed class ReceivedStunMessage
{
    internal ReceivedStunMessage(StunMessage message, byte[] bytes, StunTrailerOffsets trailer)
    {
        Message = message;
        Bytes = bytes;
        Trailer = trailer;
    }

    public StunMessage Message { get; }
    public ReadOnlyMemory<byte> Bytes { get; }
    internal StunTrailerOffsets Trailer { get; }

    public StunMessageType Type => Message.Type;
    public StunTransactionId TransactionId => Message.TransactionId;

    public bool HasMessageIntegrity => Trailer.MessageIntegrity is not null;
    public bool HasMessageIntegritySha256 => Trailer.MessageIntegritySha256 is not null;
    public bool HasFingerprint => Trailer.Fingerprint is not null;

    /// <summary>
    /// Checks MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY (RFC 8489 §9.1.3);
    /// false when the message carries neither.
    /// </summary>
    public bool VerifyMessageIntegrity(StunIntegrityKey key)
    {
        if (Trailer.MessageIntegritySha256 is { } sha256)
            return StunMessageIntegrity.Verify(Bytes.Span, sha256, StunIntegrityAlgorithms.Sha256, key);
        if (Trailer.MessageIntegrity is { } sha1)
            return StunMessageIntegrity.Verify(Bytes.Span, sha1, StunIntegrityAlgorithms.Sha1, key);
        return false;
    }

    /// <summary>False when there is no FINGERPRINT; callers that allow its absence check <see cref="HasFingerprint"/>.</summary>
    public bool VerifyFingerprint() =>
        Trailer.Fingerprint is { } offset && StunFingerprint.Verify(Bytes.Span, offset);
}

/// <summary>Where each trailer attribute's header starts inside the received bytes.</summary>
internal readonly record struct StunTrailerOffsets(int? MessageIntegrity, int? MessageIntegritySha256, int? Fingerprint);
