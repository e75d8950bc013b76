using Pype.Core.Wire;

namespace Pype.Core.Noise;

public sealed record HandshakeAcceptance(NoiseSession Session, byte[] ResponsePacket);

/// <summary>
/// A node's responder side: answers initiations meant for its static key from peers the policy
/// allows, and remembers each peer's newest initiation timestamp so a captured initiation cannot
/// be replayed to reset a live session.
/// </summary>
public sealed class NoiseResponder
{
    private readonly NoiseKeyPair _localStatic;
    private readonly Func<byte[], bool> _isPeerAllowed;
    private readonly Dictionary<string, Tai64NTimestamp> _newestTimestampByPeer = new(StringComparer.Ordinal);

    /// <param name="isPeerAllowed">Given the initiator's X25519 static public key, says whether to talk to it.</param>
    public NoiseResponder(NoiseKeyPair localStatic, Func<byte[], bool> isPeerAllowed)
    {
        _localStatic = localStatic;
        _isPeerAllowed = isPeerAllowed;
    }

    public Outcome<HandshakeAcceptance, HandshakeRejection> Respond(
        ReadOnlySpan<byte> initiationPacket, uint localIndex, DateTimeOffset now, IRandomSource random)
    {
        var decoded = HandshakeInitiationCodec.Decode(initiationPacket);
        if (!decoded.IsSuccess)
            return HandshakeRejection.Malformed;
        if (!PacketMac.IsValid(initiationPacket, _localStatic.PublicKey))
            return HandshakeRejection.BadMac;

        var handshake = new HandshakeState(HandshakePattern.IK, isInitiator: false, PypeNoise.Prologue, _localStatic, random: random);
        if (!handshake.TryReadMessage(decoded.Value.NoiseMessage, out var timestampBytes))
            return HandshakeRejection.AuthenticationFailed;
        var initiatorStatic = handshake.RemoteStaticPublicKey!;
        if (!_isPeerAllowed(initiatorStatic))
            return HandshakeRejection.PeerNotAllowed;
        if (!Tai64NTimestamp.TryRead(timestampBytes, out var timestamp))
            return HandshakeRejection.Malformed;
        var peerKey = Convert.ToHexString(initiatorStatic);
        if (_newestTimestampByPeer.TryGetValue(peerKey, out var newest) && timestamp <= newest)
            return HandshakeRejection.ReplayedInitiation;

        if (!handshake.TryWriteMessage([], out var noiseMessage))
            return HandshakeRejection.AuthenticationFailed;
        var response = HandshakeResponseCodec.Encode(new HandshakeResponse(localIndex, decoded.Value.SenderIndex, noiseMessage), initiatorStatic);
        if (!response.IsSuccess)
            return HandshakeRejection.Malformed;

        _newestTimestampByPeer[peerKey] = timestamp;
        var (initiatorToResponder, responderToInitiator) = handshake.Split();
        var session = new NoiseSession(
            isInitiator: false, localIndex, decoded.Value.SenderIndex, initiatorStatic, handshake.HandshakeHash,
            sending: responderToInitiator, receiving: initiatorToResponder, now);
        return new HandshakeAcceptance(session, response.Value);
    }
}
