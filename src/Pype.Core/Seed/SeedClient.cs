using System.Buffers.Binary;
using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Stun;
using Pype.Core.Wire;

namespace Pype.Core.Seed;

/// <summary>
/// The node's side of the seed protocol, sans-IO: for the current seed, learn the server-reflexive
/// address by STUN, run the Noise IK handshake against the pinned key, register a signed presence,
/// keep alive, rekey, and fail over to the next seed when one stops answering. Feed it
/// <see cref="HandleDatagram"/> (STUN responses and 0xE2/0xE3/0xE4 packets for <see cref="OwnsIndex"/>)
/// and <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>; drain <see cref="PollTransmit"/>
/// and <see cref="PollEvent"/>.
/// </summary>
public sealed partial class SeedClient
{
    private const int MaxOutstandingInitiations = 8;
    private const int RememberedIntroductions = 1024;

    private readonly SeedClientOptions _options;
    private readonly IRandomSource _random;
    private readonly RandomSourceGenerator _stunRandom;
    private readonly NoiseKeyPair _localStatic;
    private readonly HandshakeClock _handshakeClock;
    private readonly Queue<SeedTransmit> _transmits = new();
    private readonly Queue<SeedClientEvent> _events = new();
    private readonly Dictionary<uint, NoiseInitiator> _initiations = [];
    private readonly Queue<uint> _initiationOrder = new();
    private readonly HashSet<uint> _seenIntroductions = [];
    private readonly Queue<uint> _seenIntroductionOrder = new();

    private int _seedIndex;
    private byte[] _seedStatic = [];
    private CookieJar _cookies = new([]);
    private SeedClientPhase _phase;
    private DateTimeOffset _stepDeadline;
    private StunBindingClient? _stun;
    private IPEndPoint? _stunMapped;
    private NoiseSession? _session;
    private NoiseSession? _previousSession;
    private TimeSpan _backoff;
    private DateTimeOffset? _nextInitiationAt;
    private DateTimeOffset? _nextRegisterAt;
    private DateTimeOffset _nextKeepaliveAt;
    private DateTimeOffset _lastHeardAt;
    private TimeSpan _keepaliveInterval;
    private IPEndPoint? _serverReflexive;
    private uint _nextRequestId;

    public SeedClient(SeedClientOptions options, IRandomSource random, DateTimeOffset now)
    {
        options.Validate();
        _options = options;
        _random = random;
        _stunRandom = new RandomSourceGenerator(random);
        _localStatic = NoiseStaticKey.From(options.Identity);
        _handshakeClock = options.HandshakeClock ?? new HandshakeClock();
        _nextRequestId = RandomUInt32();
        StartSeed(now);
    }

    public DropCounter<SeedClientDrop> Drops { get; } = new();

    public SeedEndpoint CurrentSeed => _options.Seeds[_seedIndex];

    public bool IsRegistered => _phase == SeedClientPhase.Registered;

    /// <summary>When the session in use with the current seed completed its handshake (each rekey makes a new one).</summary>
    public DateTimeOffset? SessionEstablishedAt => _session?.EstablishedAt;

    /// <summary>Our address as the current seed sees it, once registered.</summary>
    public IPEndPoint? ServerReflexive => _serverReflexive;

    public DateTimeOffset? NextDeadline => _phase switch
    {
        SeedClientPhase.Stun => Earliest(_stun?.NextDeadline, _stepDeadline),
        SeedClientPhase.Handshaking => Earliest(_nextInitiationAt, _stepDeadline),
        SeedClientPhase.Registering => Earliest(_nextRegisterAt, _stepDeadline),
        _ => Earliest(Earliest(Earliest(_nextInitiationAt, RekeyDue), Earliest(_nextKeepaliveAt, SilenceDeadline)), _relayGrantDueBy),
    };

    public SeedTransmit? PollTransmit() => _transmits.TryDequeue(out var transmit) ? transmit : null;

    public SeedClientEvent? PollEvent() => _events.TryDequeue(out var e) ? e : null;

    /// <summary>True for the indices of our handshakes and sessions, so the transport can route 0xE2/0xE3 packets here.</summary>
    public bool OwnsIndex(uint index) =>
        _initiations.ContainsKey(index) || _session?.LocalIndex == index || _previousSession?.LocalIndex == index;

    /// <summary>Asks the seed for up to <paramref name="max"/> random online peers; false when not registered.</summary>
    public bool RequestPeerList(byte max) => IsRegistered && Send(new SeedPeerListRequest(max));

    /// <summary>Asks the seed to introduce us to <paramref name="target"/>; the id to match the answer, or null when not registered.</summary>
    public uint? RequestConnect(PeerKey target)
    {
        var requestId = _nextRequestId++;
        return IsRegistered && Send(new SeedConnectRequest(requestId, target)) ? requestId : null;
    }

    public void HandleDatagram(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                HandleStun(now, source, datagram);
                return;
            case PacketKind.Pype when PypePacket.Classify(datagram) == PypePacketType.HandshakeResponse:
                HandleResponse(now, datagram);
                return;
            case PacketKind.Pype when PypePacket.Classify(datagram) == PypePacketType.TransportData:
                HandleTransport(now, datagram);
                return;
            case PacketKind.Pype when PypePacket.Classify(datagram) == PypePacketType.CookieReply:
                HandleCookieReply(now, datagram);
                return;
            default:
                Drops.Count(SeedClientDrop.NotForUs);
                return;
        }
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        switch (_phase)
        {
            case SeedClientPhase.Stun:
                _stun!.HandleTimeout(now);
                DrainStun(now);
                if (_phase == SeedClientPhase.Stun && now >= _stepDeadline)
                    FailOver(now, SeedLossReason.StunFailed);
                break;
            case SeedClientPhase.Handshaking:
                if (now >= _stepDeadline)
                    FailOver(now, SeedLossReason.HandshakeTimedOut);
                else if (now >= _nextInitiationAt)
                    SendInitiation(now);
                break;
            case SeedClientPhase.Registering:
                if (now >= _stepDeadline)
                    FailOver(now, SeedLossReason.RegistrationTimedOut);
                else if (now >= _nextRegisterAt)
                    SendRegister(now);
                break;
            case SeedClientPhase.Registered:
                if (now >= SilenceDeadline)
                {
                    FailOver(now, SeedLossReason.Silent);
                    break;
                }
                if (now >= _nextKeepaliveAt)
                {
                    Send(new LinkUpkeep(SessionMessageType.Keepalive, 0));
                    _nextKeepaliveAt = now + _keepaliveInterval;
                }
                if (now >= _relayGrantDueBy)
                    AskAgainForLostGrant(now);
                // Rekey before the seed stops accepting the old keys; the old session stays usable meanwhile.
                if (_nextInitiationAt is { } due ? now >= due : now >= RekeyDue)
                    SendInitiation(now);
                break;
        }
    }

    private DateTimeOffset SilenceDeadline => _lastHeardAt + _keepaliveInterval * _options.MissedKeepalivesBeforeLoss;

    private DateTimeOffset? RekeyDue => _nextInitiationAt is null && _session is { } session
        ? session.EstablishedAt + PypeNoise.RekeyAfterTime
        : null;

    private void StartSeed(DateTimeOffset now)
    {
        _seedStatic = IdentityKeyPair.ToX25519PublicKey(CurrentSeed.PublicKey.Span);
        _cookies = new CookieJar(_seedStatic);
        _phase = SeedClientPhase.Stun;
        _stepDeadline = now + _options.StepTimeout;
        _session?.Retire();
        _previousSession?.Retire();
        _session = _previousSession = null;
        _initiations.Clear();
        _initiationOrder.Clear();
        _nextInitiationAt = _nextRegisterAt = null;
        _stunMapped = _serverReflexive = null;
        ResetRelayGrantWait();
        _keepaliveInterval = _options.KeepaliveInterval;
        _stun = new StunBindingClient(now, CurrentSeed.EndPoint, _stunRandom);
        DrainStun(now);
    }

    private void FailOver(DateTimeOffset now, SeedLossReason reason)
    {
        _events.Enqueue(new SeedLostEvent(CurrentSeed, reason));
        _seedIndex = (_seedIndex + 1) % _options.Seeds.Count;
        StartSeed(now);
    }

    private void HandleStun(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        var parsed = StunMessageParser.Parse(datagram);
        if (_phase != SeedClientPhase.Stun || !source.Equals(CurrentSeed.EndPoint) || !parsed.IsSuccess
            || !_stun!.Handle(now, parsed.Message!))
        {
            Drops.Count(SeedClientDrop.UnexpectedStun);
            return;
        }
        DrainStun(now);
    }

    private void DrainStun(DateTimeOffset now)
    {
        if (_stun is null)
            return;
        while (_stun.PollTransmit() is { } transmit)
            _transmits.Enqueue(new SeedTransmit(transmit.Destination, transmit.Datagram.ToArray()));
        switch (_stun.PollEvent())
        {
            case StunMappedAddressDiscovered discovered:
                _stunMapped = discovered.MappedAddress;
                _stun = null;
                _phase = SeedClientPhase.Handshaking;
                _stepDeadline = now + _options.StepTimeout;
                _backoff = _options.HandshakeInitialBackoff;
                SendInitiation(now);
                break;
            case StunBindingFailed or StunBindingTimedOut:
                FailOver(now, SeedLossReason.StunFailed);
                break;
        }
    }

    private void SendInitiation(DateTimeOffset now)
    {
        uint index;
        do index = RandomUInt32();
        while (OwnsIndex(index));
        var initiator = new NoiseInitiator(_localStatic, _seedStatic, index, now, _random, _handshakeClock, _cookies.Current(now));
        // Earlier initiations stay answerable: a slow response to the first try is as good as any.
        _initiations[index] = initiator;
        _initiationOrder.Enqueue(index);
        while (_initiationOrder.Count > MaxOutstandingInitiations)
            _initiations.Remove(_initiationOrder.Dequeue());
        _transmits.Enqueue(new SeedTransmit(CurrentSeed.EndPoint, initiator.InitiationPacket));
        _nextInitiationAt = now + _backoff;
        _backoff = TimeSpan.FromTicks(Math.Min((_backoff * 2).Ticks, _options.HandshakeMaxBackoff.Ticks));
    }

    private void HandleResponse(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < HandshakeResponse.Length
            || !_initiations.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(datagram[HandshakeResponse.ReceiverIndexOffset..]), out var initiator))
        {
            Drops.Count(SeedClientDrop.UnknownIndex);
            return;
        }
        var completed = initiator.Complete(datagram, now);
        if (!completed.IsSuccess)
        {
            Drops.Count(SeedClientDrop.HandshakeRejected);
            return;
        }
        _initiations.Clear();
        _initiationOrder.Clear();
        _nextInitiationAt = null;
        _backoff = _options.HandshakeInitialBackoff;
        _previousSession?.Retire();
        _previousSession = _session;
        _session = completed.Value;
        _lastHeardAt = now;
        if (_phase == SeedClientPhase.Handshaking)
        {
            _phase = SeedClientPhase.Registering;
            _stepDeadline = now + _options.StepTimeout;
        }
        // A new session (first or rekeyed) carries a fresh presence, so introductions of us stay recent.
        _relayGrantRetries = 0;
        SendRegister(now);
    }

    /// <summary>
    /// The seed is under load and wants proof of our address: keep its cookie and try again at
    /// once with mac2 (the seed answered, so backing off would only delay us). At most one
    /// retry per initiation, so replies cannot make us send more than we would anyway.
    /// </summary>
    private void HandleCookieReply(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length != CookieReply.Length
            || !_initiations.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(datagram[CookieReply.ReceiverIndexOffset..]), out var initiator))
        {
            Drops.Count(SeedClientDrop.UnknownIndex);
            return;
        }
        if (!_cookies.TryTake(datagram, initiator, now))
        {
            Drops.Count(SeedClientDrop.CookieReplyRejected);
            return;
        }
        SendInitiation(now);
    }

    private void HandleTransport(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        var index = datagram.Length >= TransportData.HeaderLength
            ? BinaryPrimitives.ReadUInt32LittleEndian(datagram[TransportData.ReceiverIndexOffset..])
            : 0;
        var session = _session?.LocalIndex == index ? _session : _previousSession?.LocalIndex == index ? _previousSession : null;
        if (session is null)
        {
            Drops.Count(SeedClientDrop.UnknownIndex);
            return;
        }
        if (!session.RemoteStaticPublicKey.SequenceEqual(_seedStatic))
        {
            Drops.Count(SeedClientDrop.NotPinnedSeed);
            return;
        }
        var decrypted = session.Decrypt(datagram);
        if (!decrypted.IsSuccess)
        {
            Drops.Count(SeedClientDrop.TransportRejected);
            return;
        }
        _lastHeardAt = now;
        var message = SeedMessageCodec.Decode(decrypted.Value);
        if (!message.IsSuccess)
        {
            Drops.Count(message.Reason == SeedMessageError.UnknownType ? SeedClientDrop.MessageTypeUnknown : SeedClientDrop.MessageMalformed);
            return;
        }
        switch (message.Value)
        {
            case LinkUpkeep { Type: SessionMessageType.Ping } ping:
                Send(new LinkUpkeep(SessionMessageType.Pong, ping.Nonce));
                break;
            case LinkUpkeep:
                break;
            case SeedRegistered registered:
                HandleRegistered(now, registered);
                break;
            case SeedPeerList list:
                _events.Enqueue(new PeerListReceived(list.Peers));
                break;
            case SeedConnectResult result:
                _events.Enqueue(new ConnectResultReceived(result.RequestId, result.Status));
                break;
            case SeedIntroduction introduction:
                HandleIntroduction(now, introduction);
                break;
            case SeedRelayGrant grant:
                HandleRelayGrant(grant);
                break;
            default:
                Drops.Count(SeedClientDrop.MessageUnexpected);
                break;
        }
    }

    private bool Send(SeedMessage message)
    {
        if (_session is null)
            return false;
        var packet = _session.Encrypt(SeedMessageCodec.Encode(message));
        if (!packet.IsSuccess)
            return false;
        _transmits.Enqueue(new SeedTransmit(CurrentSeed.EndPoint, packet.Value));
        return true;
    }

    private uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        _random.Fill(bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private enum SeedClientPhase
    {
        Stun,
        Handshaking,
        Registering,
        Registered,
    }
}
