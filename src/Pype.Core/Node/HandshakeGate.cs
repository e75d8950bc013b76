using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Noise;
using Pype.Core.Seed;

namespace Pype.Core.Node;

/// <summary>Why a handshake initiation was not answered. Nothing is ever sent back for a drop.</summary>
public enum HandshakeDrop
{
    Malformed,
    /// <summary>mac1 does not prove knowledge of our static key.</summary>
    BadMac,
    RateLimited,
    /// <summary>The rate limiter tracks as many addresses as it may and none could be swept.</summary>
    RateLimiterFull,
    /// <summary>The gate's owner had no room for another session.</summary>
    NoRoom,
    AuthenticationFailed,
    /// <summary>The initiator's static key is not one the owner talks to (a node: not introduced by the seed).</summary>
    PeerNotAllowed,
    Replayed,
    TooManyPeers,
}

/// <summary>
/// The one way a handshake initiation is admitted, at the seed and at every node: first the
/// cheap screen (form and mac1), so strangers who do not know our key cannot spend the rate
/// budget of those who do; then a token bucket per source address, so no host makes us do
/// Diffie-Hellman for a flood; then the Noise response. Drops are counted by reason.
/// </summary>
public sealed class HandshakeGate
{
    /// <summary>A node answers few handshakes (its introduced peers): ten a second from one address, bursts of twenty.</summary>
    public const double NodeHandshakesPerSecondPerAddress = 10;

    public const double NodeHandshakeBurstPerAddress = 20;

    /// <summary>Addresses whose buckets a node tracks at once before it must sweep refilled ones.</summary>
    public const int NodeMaxTrackedAddresses = 4096;

    private readonly NoiseResponder _responder;
    private readonly HandshakeRateLimiter _rateLimiter;

    public HandshakeGate(NoiseResponder responder, double handshakesPerSecondPerAddress, double burstPerAddress, int maxTrackedAddresses)
    {
        _responder = responder;
        _rateLimiter = new HandshakeRateLimiter(handshakesPerSecondPerAddress, burstPerAddress, maxTrackedAddresses);
    }

    /// <summary>A gate with the node's limits.</summary>
    public static HandshakeGate ForNode(NoiseResponder responder) =>
        new(responder, NodeHandshakesPerSecondPerAddress, NodeHandshakeBurstPerAddress, NodeMaxTrackedAddresses);

    public DropCounter<HandshakeDrop> Drops { get; } = new();

    /// <param name="allocateIndex">Called only once the initiation has passed the screen and the rate
    /// limit: the local index for the new session, or null when the owner has no room.</param>
    public Outcome<HandshakeAcceptance, HandshakeDrop> Admit(
        DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> initiation, Func<uint?> allocateIndex, IRandomSource random)
    {
        var screened = _responder.Screen(initiation);
        if (screened != HandshakeRejection.None)
            return Drop(Reason(screened));
        if (!_rateLimiter.TryTake(source.Address, now, out var tableFull))
            return Drop(tableFull ? HandshakeDrop.RateLimiterFull : HandshakeDrop.RateLimited);
        if (allocateIndex() is not { } index)
            return Drop(HandshakeDrop.NoRoom);
        var response = _responder.Respond(initiation, index, now, random);
        if (!response.IsSuccess)
            return Drop(Reason(response.Reason));
        return response.Value;
    }

    private HandshakeDrop Drop(HandshakeDrop reason)
    {
        Drops.Count(reason);
        return reason;
    }

    private static HandshakeDrop Reason(HandshakeRejection rejection) => rejection switch
    {
        HandshakeRejection.BadMac => HandshakeDrop.BadMac,
        HandshakeRejection.AuthenticationFailed => HandshakeDrop.AuthenticationFailed,
        HandshakeRejection.PeerNotAllowed => HandshakeDrop.PeerNotAllowed,
        HandshakeRejection.ReplayedInitiation => HandshakeDrop.Replayed,
        HandshakeRejection.TooManyPeers => HandshakeDrop.TooManyPeers,
        _ => HandshakeDrop.Malformed,
    };
}
