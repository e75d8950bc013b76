using Pype.Core.Wire;

namespace Pype.Core.Noise;

/// <summary>The initiator's half of a Pype IK handshake: builds the initiation, then completes on the response.</summary>
public sealed class NoiseInitiator
{
    private readonly NoiseKeyPair _localStatic;
    private readonly byte[] _responderStaticPublicKey;
    private HandshakeState? _handshake;

    /// <param name="clock">Where the initiation's timestamp comes from; without one, the wall clock at <paramref name="now"/> as it is.</param>
    public NoiseInitiator(
        NoiseKeyPair localStatic, ReadOnlySpan<byte> responderStaticPublicKey, uint localIndex, DateTimeOffset now, IRandomSource random, HandshakeClock? clock = null)
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
    }

    public uint LocalIndex { get; }

    public byte[] InitiationPacket { get; }

    public Outcome<NoiseSession, HandshakeRejection> Complete(ReadOnlySpan<byte> responsePacket, DateTimeOffset now)
    {
        if (_handshake is null)
            return HandshakeRejection.NotExpected;
        var decoded = HandshakeResponseCodec.Decode(responsePacket);
        if (!decoded.IsSuccess)
            return HandshakeRejection.Malformed;
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
