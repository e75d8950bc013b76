using Pype.Core.Diagnostics;
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
    private readonly RecencyTable<string, (Tai64NTimestamp Newest, DateTimeOffset SeenAt)> _newestTimestampByPeer = new(StringComparer.Ordinal);
    private readonly int _maxRememberedPeers;

    /// <summary>
    /// A peer not heard from for this long has no live session left to reset: a session is
    /// refused <see cref="PypeNoise.RejectAfterTime"/> after its handshake, and a peer that keeps
    /// one up initiates again every <see cref="PypeNoise.RekeyAfterTime"/>. So its timestamp may
    /// be forgotten when the table is full. At 10 minutes, valid initiations from fresh keys at
    /// 340 a second (well under the seed's cookie threshold) filled the 200,000 entries
    /// and locked newcomers out for minutes; at 3 minutes that takes over 1,100 a second, which
    /// is cookie territory.
    /// </summary>
    public static readonly TimeSpan ForgetPeerAfter = PypeNoise.RejectAfterTime;

    public const int DefaultMaxRememberedPeers = 200_000;

    /// <param name="isPeerAllowed">Given the initiator's X25519 static public key, says whether to talk to it.</param>
    /// <param name="maxRememberedPeers">Bound on the replay table, so a flood of fresh keys cannot grow it forever.</param>
    public NoiseResponder(NoiseKeyPair localStatic, Func<byte[], bool> isPeerAllowed, int maxRememberedPeers = DefaultMaxRememberedPeers)
    {
        _localStatic = localStatic;
        _isPeerAllowed = isPeerAllowed;
        _maxRememberedPeers = maxRememberedPeers;
    }

    public int RememberedPeers => _newestTimestampByPeer.Count;

    public byte[] LocalStaticPublicKey => _localStatic.PublicKey;

    /// <summary>Initiations that got as far as the Diffie-Hellman of Noise message 1, the expensive part.</summary>
    public long DiffieHellmanRuns { get; private set; }

    /// <summary>
    /// The cheap checks of an initiation, before any Diffie-Hellman: its form, and its mac1 (proof
    /// that the sender knows our static public key). <see cref="HandshakeRejection.None"/> when both
    /// pass. Run before anything else is spent on the packet, a rate-limit slot included, so that
    /// senders who do not know us cannot use up the budget of those who do.
    /// </summary>
    public HandshakeRejection Screen(ReadOnlySpan<byte> initiationPacket) => Screen(initiationPacket, out _);

    private HandshakeRejection Screen(ReadOnlySpan<byte> initiationPacket, out HandshakeInitiation? initiation)
    {
        var decoded = HandshakeInitiationCodec.Decode(initiationPacket);
        initiation = decoded.IsSuccess ? decoded.Value : null;
        if (initiation is null)
            return decoded.Error == WireError.UnsupportedVersion ? HandshakeRejection.UnsupportedVersion : HandshakeRejection.Malformed;
        return PacketMac.IsValid(initiationPacket, _localStatic.PublicKey) ? HandshakeRejection.None : HandshakeRejection.BadMac;
    }

    public Outcome<HandshakeAcceptance, HandshakeRejection> Respond(
        ReadOnlySpan<byte> initiationPacket, uint localIndex, DateTimeOffset now, IRandomSource random)
    {
        var screened = Screen(initiationPacket, out var initiation);
        if (screened != HandshakeRejection.None || initiation is null)
            return screened;

        DiffieHellmanRuns++;
        var handshake = new HandshakeState(HandshakePattern.IK, isInitiator: false, PypeNoise.Prologue, _localStatic, random: random);
        if (!handshake.TryReadMessage(initiation.NoiseMessage, out var timestampBytes))
            return HandshakeRejection.AuthenticationFailed;
        var initiatorStatic = handshake.RemoteStaticPublicKey!;
        if (!_isPeerAllowed(initiatorStatic))
            return HandshakeRejection.PeerNotAllowed;
        if (!Tai64NTimestamp.TryRead(timestampBytes, out var timestamp))
            return HandshakeRejection.Malformed;
        var peerKey = Convert.ToHexString(initiatorStatic);
        var known = _newestTimestampByPeer.TryGetValue(peerKey, out var remembered);
        if (known && timestamp <= remembered.Newest)
            return HandshakeRejection.ReplayedInitiation;
        if (!known && _newestTimestampByPeer.Count >= _maxRememberedPeers && !ForgetLeastRecentlyHeard(now))
            return HandshakeRejection.TooManyPeers;

        if (!handshake.TryWriteMessage([], out var noiseMessage))
            return HandshakeRejection.AuthenticationFailed;
        var response = HandshakeResponseCodec.Encode(new HandshakeResponse(localIndex, initiation.SenderIndex, noiseMessage), initiatorStatic);
        if (!response.IsSuccess)
            return HandshakeRejection.Malformed;

        _newestTimestampByPeer.Use(peerKey, (timestamp, now));
        var (initiatorToResponder, responderToInitiator) = handshake.Split();
        var session = new NoiseSession(
            isInitiator: false, localIndex, initiation.SenderIndex, initiatorStatic, handshake.HandshakeHash,
            sending: responderToInitiator, receiving: initiatorToResponder, now);
        return new HandshakeAcceptance(session, response.Value);
    }

    /// <summary>Forgets the peer heard from longest ago if that was over <see cref="ForgetPeerAfter"/> ago; true when room was made.</summary>
    private bool ForgetLeastRecentlyHeard(DateTimeOffset now)
    {
        if (_newestTimestampByPeer.LeastRecent is not { } oldest || now - oldest.Value.SeenAt <= ForgetPeerAfter)
            return false;
        _newestTimestampByPeer.RemoveLeastRecent();
        return true;
    }
}
