using System.Net;
using Pype.Core.Node;

namespace Pype.Core.Seed;

/// <summary>
/// The seed's session tables. An answered handshake is only half-open: it sits in a bounded
/// table, oldest pushed out first, until a transport packet from the initiator decrypts on it
/// (proof that the initiator received our response at its address and holds the keys). Only
/// then does it become an established session, replace the same key's older session and carry
/// its registration. Established sessions are bounded too; a newcomer takes the place of the
/// unregistered one idle for longest and never of a registered peer's. A spoofed initiation can
/// therefore cost at most a half-open slot, never a registered peer its session.
/// </summary>
public sealed partial class SeedServer
{
    private readonly Dictionary<uint, SeedPeerSession> _sessionsByIndex = [];
    // Established sessions, by static key: a reconnecting peer is recognised by it.
    private readonly Dictionary<string, SeedPeerSession> _sessionsByStaticKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeedPeerSession> _halfOpenByStaticKey = new(StringComparer.Ordinal);
    private readonly LinkedList<SeedPeerSession> _halfOpenOldestFirst = new();
    // Established, not registered, least recently heard from first.
    private readonly LinkedList<SeedPeerSession> _strangersIdlestFirst = new();

    /// <summary>Half-open and established sessions together.</summary>
    public int SessionCount => _sessionsByIndex.Count;

    public int HalfOpenSessionCount => _halfOpenOldestFirst.Count;

    public int EstablishedSessionCount => _sessionsByStaticKey.Count;

    /// <summary>Half-open sessions pushed out by newer ones.</summary>
    public long HalfOpenEvictions { get; private set; }

    /// <summary>Unregistered established sessions pushed out to make room for a newly established one.</summary>
    public long StrangerEvictions { get; private set; }

    /// <summary>Initiations that reached the Diffie-Hellman.</summary>
    public long HandshakeDiffieHellmanRuns => _gate.DiffieHellmanRuns;

    public int RateLimitedAddressCount => _gate.RateLimitedAddresses;

    private void HandleInitiation(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        // Garbage and senders who do not know the seed's key are dropped before they can take a rate-limit slot.
        var accepted = _gate.Admit(now, source, datagram, () => NewSessionIndex(), _random, out var cookieReply);
        if (cookieReply is not null)
            _transmits.Enqueue(new SeedTransmit(source, cookieReply));
        if (!accepted.IsSuccess)
        {
            Drops.Count(accepted.Reason switch
            {
                HandshakeDrop.UnsupportedVersion => SeedServerDrop.HandshakeUnsupportedVersion,
                HandshakeDrop.BadMac => SeedServerDrop.HandshakeBadMac,
                HandshakeDrop.CookieRequired => SeedServerDrop.HandshakeCookieRequired,
                HandshakeDrop.RateLimited => SeedServerDrop.HandshakeRateLimited,
                HandshakeDrop.NoRoom => SeedServerDrop.SessionTableFull,
                HandshakeDrop.AuthenticationFailed => SeedServerDrop.HandshakeAuthenticationFailed,
                HandshakeDrop.Replayed => SeedServerDrop.HandshakeReplayed,
                HandshakeDrop.TooManyPeers => SeedServerDrop.HandshakeTooManyPeers,
                _ => SeedServerDrop.HandshakeMalformed,
            });
            return;
        }

        var staticKey = Convert.ToHexString([.. accepted.Value.Session.RemoteStaticPublicKey]);
        var session = new SeedPeerSession(accepted.Value.Session, staticKey, source, now);
        // One half-open session per key: a retried handshake supersedes the unanswered one.
        if (_halfOpenByStaticKey.TryGetValue(staticKey, out var superseded))
            Forget(superseded);
        while (_halfOpenOldestFirst.Count >= _options.MaxHalfOpenSessions)
        {
            Forget(_halfOpenOldestFirst.First!.Value);
            HalfOpenEvictions++;
        }
        _sessionsByIndex[session.LocalIndex] = session;
        _halfOpenByStaticKey[staticKey] = session;
        session.Queued = _halfOpenOldestFirst.AddLast(session);
        _silenceChecks.Enqueue(session.LocalIndex, now + _options.HalfOpenTimeout);
        _transmits.Enqueue(new SeedTransmit(source, accepted.Value.ResponsePacket));
    }

    /// <summary>
    /// The first transport packet decrypted on a half-open session: it becomes the peer's
    /// session. False (the session dropped and counted) when the table holds only registered peers.
    /// </summary>
    private bool Establish(SeedPeerSession session)
    {
        Unqueue(session);
        _halfOpenByStaticKey.Remove(session.StaticKey);
        if (_sessionsByStaticKey.Remove(session.StaticKey, out var previous))
        {
            // The same key proves the same peer: its registration moves to the new session.
            _sessionsByIndex.Remove(previous.LocalIndex);
            Unqueue(previous);
            previous.Noise.Retire();
            if (previous.Registration is { } registration)
            {
                registration.Session = session;
                session.Registration = registration;
            }
        }
        else if (_sessionsByStaticKey.Count >= _options.MaxSessions)
        {
            if (_strangersIdlestFirst.First is not { } idlest)
            {
                Drops.Count(SeedServerDrop.SessionTableFull);
                _sessionsByIndex.Remove(session.LocalIndex);
                session.Noise.Retire();
                return false;
            }
            Forget(idlest.Value);
            StrangerEvictions++;
        }
        session.Established = true;
        _sessionsByStaticKey[session.StaticKey] = session;
        QueueAsStranger(session);
        return true;
    }

    private void Touch(SeedPeerSession session, DateTimeOffset now)
    {
        session.LastSeen = now;
        if (session.Queued is { } node && node.List == _strangersIdlestFirst)
        {
            _strangersIdlestFirst.Remove(node);
            _strangersIdlestFirst.AddLast(node);
        }
    }

    /// <summary>An established session without a registration may be pushed out by a newcomer.</summary>
    private void QueueAsStranger(SeedPeerSession session)
    {
        if (session.Established && session.Registration is null && session.Queued is null)
            session.Queued = _strangersIdlestFirst.AddLast(session);
    }

    private static void Unqueue(SeedPeerSession session)
    {
        session.Queued?.List?.Remove(session.Queued);
        session.Queued = null;
    }

    private void Forget(SeedPeerSession session)
    {
        _sessionsByIndex.Remove(session.LocalIndex);
        var byKey = session.Established ? _sessionsByStaticKey : _halfOpenByStaticKey;
        if (byKey.TryGetValue(session.StaticKey, out var held) && held == session)
            byKey.Remove(session.StaticKey);
        Unqueue(session);
        session.Noise.Retire();
        if (session.Registration is { } registration)
        {
            _registry.Remove(registration);
            _events.Enqueue(new PeerForgotten(registration.Key));
        }
    }
}
