using Pype.Core.Wire;

namespace Pype.Core.Noise;

/// <summary>The initiator's half of a Pype IK handshake: builds the initiation, then completes on the response.</summary>
public sealed class NoiseInitiator
{
    private readonly NoiseKeyPair _localStatic;
    private readonly byte[] _responderStaticPublicKey;
    private HandshakeState? _handshake;

    /// <param name="clock">Where the initiation's timestamp comes from; without one, the wall clock at <paramref name="now"/> as it is.</param>
    /// <param name="cookie">The responder's cookie for our address (<see cref="CookieJar.Current"/>): keys mac2; without one mac2 is zero.</param>
    public NoiseInitiator(
        NoiseKeyPair localStatic, ReadOnlySpan<byte> responderStaticPublicKey, uint localIndex, DateTimeOffset now, IRandomSource random,
        HandshakeClock? clock = null, byte[]? cookie = null)
    {
        _localStatic = localStatic;
        _responderStaticPublicKey = responderStaticPublicKey.ToArray();
        LocalIndex = localIndex;
        _handshake = new HandshakeState(
            HandshakePattern.IK, isInitiator: true, PypeNoise.Prologue, localStatic, remoteStatic: _responderStaticPublicKey, random: random);
        if (!_handshake.TryWriteMessage((clock?.Next(now) ?? Tai64NTimestamp.From(now)).ToBytes(), out var noiseMessage))
            throw new ArgumentException("The responder's static key is not a usable X25519 key.", nameof(responderStaticPublicKey));
        var encoded = HandshakeInitiationCodec.Encode(new HandshakeInitiation(localIndex, noiseMessage), _responderStaticPublicKey);
        InitiationPacket = encoded.Value ?? throw new InvalidOperationException($"Initiation did not encode: {encoded.Error}.");
        if (cookie is not null)
            PacketMac.SealMac2(InitiationPacket, cookie);
    }

    public uint LocalIndex { get; }

    public byte[] InitiationPacket { get; }

    /// <summary>The initiation's mac1: a cookie reply to it is sealed with it as associated data.</summary>
    public byte[] Mac1 => PacketMac.Mac1(InitiationPacket).ToArray();

    /// <summary>A cookie reply to this initiation was taken (<see cref="CookieJar.TryTake"/>); a second one is not.</summary>
    internal bool CookieReplyTaken { get; set; }

    public Outcome<NoiseSession, HandshakeRejection> Complete(ReadOnlySpan<byte> responsePacket, DateTimeOffset now)
    {
        if (_handshake is null)
            return HandshakeRejection.NotExpected;
        var decoded = HandshakeResponseCodec.Decode(responsePacket);
        if (!decoded.IsSuccess)
            return decoded.Error == WireError.UnsupportedVersion ? HandshakeRejection.UnsupportedVersion : HandshakeRejection.Malformed;
        if (decoded.Value.ReceiverIndex != LocalIndex)
            return HandshakeRejection.WrongIndex;
        if (!PacketMac.IsValid(responsePacket, _localStatic.PublicKey))
            return HandshakeRejection.BadMac;

        var attempt = _handshake.Clone();
        if (!attempt.TryReadMessage(decoded.Value.NoiseMessage, out _) || !attempt.IsComplete)
            return HandshakeRejection.AuthenticationFailed;

        _handshake = null;
        var (initiatorToResponder, responderToInitiator) = attempt.Split();
        return new NoiseSession(
            isInitiator: true, LocalIndex, decoded.Value.SenderIndex, _responderStaticPublicKey, attempt.HandshakeHash,
            sending: initiatorToResponder, receiving: responderToInitiator, now);
    }
}
