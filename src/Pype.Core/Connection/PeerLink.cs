using System.Net;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Connection;

/// <summary>
/// The sans-IO state machine of one peer-to-peer link, the same on both sides: punches every
/// remote candidate at once, keeps the first authenticated answer, converges with the peer on
/// one sending session, keeps the NAT mapping open, measures RTT, rekeys and notices loss.
/// Inputs are <c>Handle…(now, …)</c>; outputs are drained with <see cref="PollTransmit"/> and
/// <see cref="PollEvent"/>; the owner calls <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>.
/// Nothing the network delivers makes it throw: unusable input is dropped and counted in <see cref="Drops"/>.
/// </summary>
public sealed partial class PeerLink
{
    private readonly NoiseKeyPair _localStatic;
    private readonly byte[] _remoteStatic;
    private readonly bool _weLead;
    private readonly PeerLinkOptions _options;
    private readonly LinkSessionSet _sessions = new();
    private readonly HandshakeAttempts _initiators;
    private readonly List<Candidate> _targets = [];
    private readonly List<Candidate> _relayedTargets = [];
    private readonly Queue<PeerLinkTransmit> _transmits = new();
    private readonly Queue<PeerLinkEvent> _events = new();
    private readonly PingSchedule _pings;
    private readonly IRandomSource _random;

    private DateTimeOffset _now;
    private DateTimeOffset _startedAt;
    private DateTimeOffset? _nextProbeAt;
    private TimeSpan _probeGap;
    private DateTimeOffset? _rekeyRetryAt;
    private DateTimeOffset _lastSentAt;
    private DateTimeOffset? _lastDataSentAt;
    private DateTimeOffset _lastReceivedAt;

    /// <param name="localStatic">The node's Noise static key (<see cref="NoiseStaticKey.From"/> of its identity).</param>
    /// <exception cref="ArgumentException">A key has the wrong length or the remote key is no usable Ed25519 point.</exception>
    public PeerLink(
        NoiseKeyPair localStatic, ReadOnlySpan<byte> localIdentityKey, ReadOnlySpan<byte> remoteIdentityKey,
        IRandomSource random, PeerLinkOptions? options = null)
    {
        if (localIdentityKey.Length != IdentityKeyPair.PublicKeyLength)
            throw new ArgumentException("An Ed25519 public key has 32 bytes.", nameof(localIdentityKey));
        if (!IdentityKeyPair.TryToX25519PublicKey(remoteIdentityKey, out var remoteStatic))
            throw new ArgumentException("Not a usable Ed25519 public key.", nameof(remoteIdentityKey));
        if (localIdentityKey.SequenceEqual(remoteIdentityKey))
            throw new ArgumentException("A link needs two different identities.", nameof(remoteIdentityKey));
        _localStatic = localStatic;
        _remoteStatic = remoteStatic;
        _weLead = localIdentityKey.SequenceCompareTo(remoteIdentityKey) < 0;
        _options = options ?? PeerLinkOptions.Default;
        _initiators = new HandshakeAttempts(localStatic, remoteStatic, random, _options.HandshakeClock ?? new HandshakeClock());
        _pings = new PingSchedule(random);
        _random = random;
        RemoteIdentityKey = remoteIdentityKey.ToArray();
    }

    public PeerLinkState State { get; private set; }

    /// <summary>Where transport packets go: the endpoint the peer's authenticated packets last came from.</summary>
    public IPEndPoint? ActivePath { get; private set; }

    /// <summary>True when the peer's packets reach us through our own TURN allocation, so ours go back through it.</summary>
    public bool ActivePathViaRelay { get; private set; }

    /// <summary>How the active path was learned; <see cref="CandidateKind.Relayed"/> when either side's relay carries it.</summary>
    public CandidateKind? ActivePathKind { get; private set; }

    /// <summary>Smoothed round-trip time from Ping/Pong, once one has been measured.</summary>
    public TimeSpan? Rtt => _pings.Rtt;

    public DateTimeOffset? ConnectedAt { get; private set; }

    public LinkDropCounts Drops { get; } = new();

    public IReadOnlyList<byte> RemoteIdentityKey { get; }

    /// <summary>The peer's X25519 static key, as <see cref="NoiseSession.RemoteStaticPublicKey"/> shows it; lets the owner route accepted handshakes.</summary>
    public IReadOnlyList<byte> RemoteStaticKey => _remoteStatic;

    /// <summary>True when this side's Ed25519 key is the smaller one, so its initiated sessions win glare.</summary>
    public bool LeadsGlare => _weLead;

    internal LinkSession? SendingSession(DateTimeOffset now) => _sessions.Sending(now);

    internal int SessionCount => _sessions.Count;

    public DateTimeOffset? NextDeadline => State switch
    {
        PeerLinkState.Punching => Earliest(Earliest(_nextProbeAt, RelayedJoinAt), _startedAt + _options.PunchTimeout),
        PeerLinkState.Connected => new[]
        {
            _lastReceivedAt + _options.EffectiveLostAfter,
            _pings.LastPingAt + _options.EffectivePingInterval,
            _lastSentAt + _options.KeepaliveInterval,
            _pings.ConfirmAt,
            RekeyDueAt(_now),
            _sessions.NextPruneAt(),
            Probing ? _nextProbeAt : null,
            SilenceReprobeAt,
        }.Min(),
        _ => null,
    };

    /// <summary>True for the local index of any handshake in flight or session held, so the owner can route 0xE2/0xE3 packets here.</summary>
    public bool OwnsIndex(uint localIndex) => _initiators.Contains(localIndex) || _sessions.Contains(localIndex);

    public PeerLinkTransmit? PollTransmit() => _transmits.TryDequeue(out var transmit) ? transmit : null;

    public PeerLinkEvent? PollEvent() => _events.TryDequeue(out var linkEvent) ? linkEvent : null;

    /// <summary>
    /// A handshake response or transport packet addressed to one of this link's indices.
    /// <paramref name="viaRelay"/>: it came out of our own TURN allocation, sent by <paramref name="source"/>.
    /// </summary>
    public void HandleDatagram(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram, bool viaRelay = false)
    {
        _now = Later(_now, now);
        var type = PypePacket.Classify(datagram);
        if (type is null)
            Drops.Add(LinkDropReason.NotPypePacket);
        else if (type == PypePacketType.HandshakeInitiation)
            Drops.Add(LinkDropReason.InitiationNotForLink);
        else if (State is not (PeerLinkState.Punching or PeerLinkState.Connected))
            Drops.Add(LinkDropReason.LinkInactive);
        else if (type == PypePacketType.HandshakeResponse)
            HandleResponse(now, source, datagram, viaRelay);
        else if (type == PypePacketType.CookieReply)
            HandleCookieReply(now, datagram);
        else
            HandleTransport(now, source, datagram, viaRelay);
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        _now = Later(_now, now);
        if (State == PeerLinkState.Punching)
        {
            if (now >= _startedAt + _options.PunchTimeout)
                GiveUp(now);
            else if (now >= _nextProbeAt)
                SendProbeRound(now);
            else if (now >= RelayedJoinAt)
                ProbeRelayedCandidates(now);
            return;
        }
        if (State != PeerLinkState.Connected)
            return;
        _sessions.Prune(now);
        if (now >= _lastReceivedAt + _options.EffectiveLostAfter)
        {
            Lose(now);
            return;
        }
        if (now >= SilenceReprobeAt)
            ReprobeAfterSilence(now);
        ProbeForDirectPath(now);
        if (now >= RekeyDueAt(now))
            SendRekeyAttempt(now);
        if (now >= _pings.ConfirmAt)
            RepeatConfirmation(now);
        if (now >= _pings.LastPingAt + _options.EffectivePingInterval)
            SendLinkMessage(now, _pings.NextPing(now));
        if (now >= _lastSentAt + _options.KeepaliveInterval)
        {
            _lastSentAt = now;
            SendLinkMessage(now, LinkMessages.Keepalive());
        }
    }

    /// <summary>Encrypts an application message on the sending session towards the active path.</summary>
    public LinkSendResult Send(DateTimeOffset now, ReadOnlySpan<byte> payload)
    {
        _now = Later(_now, now);
        if (payload.IsEmpty || payload[0] <= LinkMessageTypeLast)
            return LinkSendResult.ReservedMessageType;
        if (payload.Length > TransportData.MaxPayloadLength)
            return LinkSendResult.PayloadTooLarge;
        var session = State == PeerLinkState.Connected ? _sessions.Sending(now) : null;
        if (session is null || ActivePath is null)
            return LinkSendResult.NotConnected;
        var packet = session.Noise.Encrypt(payload);
        if (!packet.IsSuccess)
            return packet.Reason switch
            {
                SendFailure.CounterExhausted => LinkSendResult.CounterExhausted,
                SendFailure.PayloadTooLarge => LinkSendResult.PayloadTooLarge,
                _ => LinkSendResult.NotConnected,
            };
        Transmit(now, ActivePath, packet.Value, ActivePathViaRelay);
        _lastDataSentAt = now;
        return LinkSendResult.Sent;
    }

    /// <summary>Message types 0x00–0x0F belong to link upkeep (<see cref="SessionMessageType"/>).</summary>
    public const byte LinkMessageTypeLast = 0x0F;

    private void HandleResponse(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram, bool viaRelay)
    {
        if (!LinkPacketRouting.TryReadReceiverIndex(datagram, out var index))
        {
            Drops.Add(LinkDropReason.HandshakeMalformed);
            return;
        }
        var initiator = _initiators.Find(index);
        if (initiator is null)
        {
            Drops.Add(LinkDropReason.ResponseNotExpected);
            return;
        }
        var completed = initiator.Complete(datagram, now);
        if (!completed.IsSuccess)
        {
            Drops.Add(LinkDropReasons.From(completed.Reason));
            return;
        }
        _initiators.Clear();
        _rekeyRetryAt = null;
        _sessions.Add(completed.Value, leaderInitiated: _weLead, now);
        Authenticated(now, source, viaRelay);
        // Whichever path answered, it works: re-probing after an introduction has done its job.
        StopReprobing();
        // Ping rather than a bare keepalive: it confirms the key to the responder just the same,
        // and its Pong both proves the peer now sends on this session and gives a first RTT.
        _pings.BeginConfirmation(_options.ProbeInterval);
        RepeatConfirmation(now);
    }

    private void HandleCookieReply(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (!LinkPacketRouting.TryReadReceiverIndex(datagram, out var index) || !_initiators.TryTakeCookie(index, datagram, now))
            Drops.Add(LinkDropReason.CookieReplyRejected);
    }

    private void HandleTransport(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram, bool viaRelay)
    {
        if (!LinkPacketRouting.TryReadReceiverIndex(datagram, out var index))
        {
            Drops.Add(datagram.Length < TransportData.MinLength ? LinkDropReason.TransportTooShort : LinkDropReason.TransportMalformed);
            return;
        }
        var session = _sessions.Find(index);
        if (session is null)
        {
            Drops.Add(LinkDropReason.UnknownIndex);
            return;
        }
        if (session.Noise.IsExpired(now))
        {
            Drops.Add(LinkDropReason.SessionExpired);
            return;
        }
        var decrypted = session.Noise.Decrypt(datagram);
        if (!decrypted.IsSuccess)
        {
            Drops.Add(LinkDropReasons.From(decrypted.Reason));
            return;
        }
        session.Usable = true;
        session.ReceivedAny = true;
        Authenticated(now, source, viaRelay);
        _sessions.ScheduleRetirements(now);
        HandleMessage(now, source, viaRelay, decrypted.Value);
    }

    private void HandleMessage(DateTimeOffset now, IPEndPoint source, bool viaRelay, byte[] message)
    {
        if (message.Length == 0)
        {
            Drops.Add(LinkDropReason.EmptyMessage);
            return;
        }
        ulong nonce;
        switch ((SessionMessageType)message[0])
        {
            case SessionMessageType.Keepalive when message.Length == 1:
                return;
            case SessionMessageType.Ping when LinkMessages.TryReadNonce(message, SessionMessageType.Ping, out nonce):
                SendLinkMessage(now, LinkMessages.Pong(nonce));
                return;
            case SessionMessageType.Pong when LinkMessages.TryReadNonce(message, SessionMessageType.Pong, out nonce):
                if (!_pings.TryAcceptPong(now, nonce))
                    Drops.Add(LinkDropReason.UnexpectedPong);
                return;
            case SessionMessageType.PathChallenge when LinkMessages.TryReadNonce(message, SessionMessageType.PathChallenge, out nonce):
                AnswerPathChallenge(now, source, viaRelay, nonce);
                return;
            case SessionMessageType.PathResponse when LinkMessages.TryReadNonce(message, SessionMessageType.PathResponse, out nonce):
                AcceptPathResponse(now, source, viaRelay, nonce);
                return;
            case SessionMessageType.Keepalive or SessionMessageType.Ping or SessionMessageType.Pong
                or SessionMessageType.PathChallenge or SessionMessageType.PathResponse:
                Drops.Add(LinkDropReason.MalformedLinkMessage);
                return;
            default:
                if (message[0] <= LinkMessageTypeLast)
                    Drops.Add(LinkDropReason.UnknownLinkMessage);
                else
                    _events.Enqueue(new PeerLinkEvent.DataReceived(message));
                return;
        }
    }

    private void SendRekeyAttempt(DateTimeOffset now)
    {
        _rekeyRetryAt = now + PeerLinkOptions.RekeyRetryInterval;
        if (ActivePath is not null)
            Transmit(now, ActivePath, NewInitiator(now).InitiationPacket, ActivePathViaRelay);
    }

    /// <summary>When to start (or retry) a rekey: the leader when its sending session asks for one, the follower later as a fallback.</summary>
    private DateTimeOffset? RekeyDueAt(DateTimeOffset now)
    {
        if (_rekeyRetryAt is not null)
            return _rekeyRetryAt;
        var sending = _sessions.Sending(now);
        if (sending is null)
            return null;
        var due = sending.Noise.EstablishedAt + PypeNoise.RekeyAfterTime;
        return _weLead ? due : due + PeerLinkOptions.FollowerRekeyDelay;
    }

    /// <summary>Pings on a new initiator session until the peer is heard on it, backing off like the probes.</summary>
    private void RepeatConfirmation(DateTimeOffset now)
    {
        if (_sessions.Sending(now) is not { ReceivedAny: false })
        {
            _pings.StopConfirmation();
            return;
        }
        SendLinkMessage(now, _pings.NextPing(now));
        _pings.ConfirmAgainLater(now, _options.MaxProbeInterval);
    }

    private void SendLinkMessage(DateTimeOffset now, byte[] message)
    {
        var session = _sessions.Sending(now);
        if (session is null || ActivePath is null)
            return;
        var packet = session.Noise.Encrypt(message);
        if (packet.IsSuccess)
            Transmit(now, ActivePath, packet.Value, ActivePathViaRelay);
    }

    private NoiseInitiator NewInitiator(DateTimeOffset now) => _initiators.Begin(now, _sessions.Contains);

    private void Transmit(DateTimeOffset now, IPEndPoint destination, byte[] datagram, bool viaRelay = false)
    {
        _transmits.Enqueue(new PeerLinkTransmit(destination, datagram, viaRelay));
        _lastSentAt = now;
    }

    private void Lose(DateTimeOffset now)
    {
        State = PeerLinkState.Lost;
        ResetSessions();
        ActivePath = null;
        _events.Enqueue(new PeerLinkEvent.Lost(now - _lastReceivedAt));
    }

    private void ResetSessions()
    {
        _initiators.Clear();
        _sessions.Clear();
        _nextProbeAt = null;
        _upgradeProbing = false;
        _reprobeUntil = null;
        _rekeyRetryAt = null;
        _pings.Restart(_now);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
