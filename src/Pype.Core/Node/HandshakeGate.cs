using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Noise;
using Pype.Core.Seed;

namespace Pype.Core.Node;

/// <summary>Why a handshake initiation was not answered with a handshake.</summary>
public enum HandshakeDrop
{
    Malformed,
    /// <summary>A handshake of the layout before mac2: the sender predates cookie replies.</summary>
    UnsupportedVersion,
    /// <summary>mac1 does not prove knowledge of our static key.</summary>
    BadMac,
    /// <summary>Under load without a valid mac2: answered with a cookie reply instead, no Diffie-Hellman done.</summary>
    CookieRequired,
    RateLimited,
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
/// cheap screen (form and mac1), so strangers who do not know our key cannot spend the budget
/// of those who do; then, when under load, mac2, which only a sender receiving at its source
/// address can make (without it the answer is a cookie reply, as WireGuard does, and no
/// Diffie-Hellman is done); then a token bucket per source address; then the Noise response.
/// "Under load" means more than <c>initiationsPerSecondBeforeCookies</c> initiations passed
/// the screen in the current one-second window. Drops are counted by reason.
/// </summary>
public sealed class HandshakeGate
{
    /// <summary>A node answers few handshakes (its introduced peers): ten a second from one address, bursts of twenty.</summary>
    public const double NodeHandshakesPerSecondPerAddress = 10;

    public const double NodeHandshakeBurstPerAddress = 20;

    /// <summary>Addresses whose buckets a node tracks at once; the one unheard-of for longest makes room for a new one.</summary>
    public const int NodeMaxTrackedAddresses = 4096;

    /// <summary>
    /// Past this many screened initiations in a second a node asks for cookies: far above a node's
    /// own introductions (a punching peer sends one per candidate per round, at most ten rounds a second).
    /// </summary>
    public const int NodeInitiationsPerSecondBeforeCookies = 100;

    public static readonly TimeSpan LoadWindow = TimeSpan.FromSeconds(1);

    private readonly NoiseResponder _responder;
    private readonly HandshakeRateLimiter _rateLimiter;
    private readonly CookieChecker _cookies;
    private readonly int _initiationsPerWindowBeforeCookies;
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _initiationsInWindow;

    public HandshakeGate(
        NoiseResponder responder, double handshakesPerSecondPerAddress, double burstPerAddress, int maxTrackedAddresses,
        int initiationsPerSecondBeforeCookies)
    {
        _responder = responder;
        _rateLimiter = new HandshakeRateLimiter(handshakesPerSecondPerAddress, burstPerAddress, maxTrackedAddresses);
        _cookies = new CookieChecker(responder.LocalStaticPublicKey);
        _initiationsPerWindowBeforeCookies = initiationsPerSecondBeforeCookies;
    }

    /// <summary>A gate with the node's limits.</summary>
    public static HandshakeGate ForNode(NoiseResponder responder) =>
        new(responder, NodeHandshakesPerSecondPerAddress, NodeHandshakeBurstPerAddress, NodeMaxTrackedAddresses, NodeInitiationsPerSecondBeforeCookies);

    public DropCounter<HandshakeDrop> Drops { get; } = new();

    /// <summary>Initiations that reached the Diffie-Hellman (the cost cookies exist to bound).</summary>
    public long DiffieHellmanRuns => _responder.DiffieHellmanRuns;

    public int RateLimitedAddresses => _rateLimiter.TrackedAddresses;

    public long RateLimiterEvictions => _rateLimiter.Evictions;

    /// <param name="allocateIndex">Called only once the initiation has passed the screen, mac2 and the
    /// rate limit: the local index for the new session, or null when the owner has no room.</param>
    /// <param name="cookieReply">Set (with <see cref="HandshakeDrop.CookieRequired"/>) to the cookie reply to send back to <paramref name="source"/>.</param>
    public Outcome<HandshakeAcceptance, HandshakeDrop> Admit(
        DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> initiation, Func<uint?> allocateIndex, IRandomSource random,
        out byte[]? cookieReply)
    {
        cookieReply = null;
        var screened = _responder.Screen(initiation);
        if (screened != HandshakeRejection.None)
            return Drop(Reason(screened));
        if (CountTowardsLoad(now) && !_cookies.IsMac2Valid(initiation, source, now))
        {
            cookieReply = _cookies.CreateReply(initiation, source, now, random);
            return Drop(HandshakeDrop.CookieRequired);
        }
        if (!_rateLimiter.TryTake(source.Address, now))
            return Drop(HandshakeDrop.RateLimited);
        if (allocateIndex() is not { } index)
            return Drop(HandshakeDrop.NoRoom);
        var response = _responder.Respond(initiation, index, now, random);
        if (!response.IsSuccess)
            return Drop(Reason(response.Reason));
        return response.Value;
    }

    /// <summary>Counts a screened initiation; true when the window has seen more than the gate answers without cookies.</summary>
    private bool CountTowardsLoad(DateTimeOffset now)
    {
        if (now - _windowStart >= LoadWindow || now < _windowStart)
        {
            _windowStart = now;
            _initiationsInWindow = 0;
        }
        _initiationsInWindow++;
        return _initiationsInWindow > _initiationsPerWindowBeforeCookies;
    }

    private HandshakeDrop Drop(HandshakeDrop reason)
    {
        Drops.Count(reason);
        return reason;
    }

    private static HandshakeDrop Reason(HandshakeRejection rejection) => rejection switch
    {
        HandshakeRejection.UnsupportedVersion => HandshakeDrop.UnsupportedVersion,
        HandshakeRejection.BadMac => HandshakeDrop.BadMac,
        HandshakeRejection.AuthenticationFailed => HandshakeDrop.AuthenticationFailed,
        HandshakeRejection.PeerNotAllowed => HandshakeDrop.PeerNotAllowed,
        HandshakeRejection.ReplayedInitiation => HandshakeDrop.Replayed,
        HandshakeRejection.TooManyPeers => HandshakeDrop.TooManyPeers,
        _ => HandshakeDrop.Malformed,
    };
}
