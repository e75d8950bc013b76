namespace Pype.Core.Noise;

/// <summary>
/// The initiator's half of the cookie mechanism, one per responder: the newest cookie that
/// responder sent us, kept for <see cref="CookieChecker.SecretLifetime"/> and used to key the
/// mac2 of every initiation to it meanwhile. A cookie reply is taken only for an initiation still
/// outstanding, only once per initiation, and only if it opens under the responder's key with
/// that initiation's mac1, so a forged or replayed reply changes nothing.
/// </summary>
public sealed class CookieJar(ReadOnlySpan<byte> responderStaticPublicKey)
{
    private readonly byte[] _encryptionKey = CookieChecker.EncryptionKey(responderStaticPublicKey);
    private byte[]? _cookie;
    private DateTimeOffset _receivedAt;

    /// <summary>The cookie to key mac2 with at <paramref name="now"/>, or null (mac2 stays zero).</summary>
    public byte[]? Current(DateTimeOffset now) =>
        _cookie is not null && now >= _receivedAt && now - _receivedAt < CookieChecker.SecretLifetime ? _cookie : null;

    /// <summary>True when the reply answers <paramref name="initiation"/> and its cookie is now ours.</summary>
    public bool TryTake(ReadOnlySpan<byte> replyPacket, NoiseInitiator initiation, DateTimeOffset now)
    {
        if (initiation.CookieReplyTaken)
            return false;
        var cookie = CookieChecker.Open(replyPacket, initiation.Mac1, _encryptionKey);
        if (cookie is null)
            return false;
        initiation.CookieReplyTaken = true;
        _cookie = cookie;
        _receivedAt = now;
        return true;
    }

    public void Clear() => _cookie = null;
}
