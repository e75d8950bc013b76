using System.Buffers.Binary;
using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Node;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Seed;

/// <summary>
/// The seed side of the seed protocol for all peers at once, as a sans-IO state machine: answers
/// Noise handshakes from anyone (rate-limited per source address), keeps the registry of online
/// peers, hands out peer lists and introduces peers to each other. Feed it
/// <see cref="HandleDatagram"/> (0xE1 and 0xE3 packets) and <see cref="HandleTimeout"/> at
/// <see cref="NextDeadline"/>; drain <see cref="PollTransmit"/> and <see cref="PollEvent"/>.
/// </summary>
public sealed partial class SeedServer
{
    private readonly SeedServerOptions _options;
    private readonly IRandomSource _random;
    private readonly HandshakeGate _gate;
    private readonly SeedRegistry _registry = new();
    private readonly Dictionary<uint, PendingIntroduction> _introductions = [];
    private readonly Dictionary<PeerKey, int> _pendingByAsker = [];
    private readonly Dictionary<PeerKey, int> _pendingByRecipient = [];

    // Deadlines are checked lazily: an entry may be earlier than the real deadline (the peer spoke
    // since), and is then pushed back, so each session or introduction has about one entry.
    private readonly PriorityQueue<uint, DateTimeOffset> _silenceChecks = new();
    private readonly PriorityQueue<uint, DateTimeOffset> _introductionResends = new();

    private readonly Queue<SeedTransmit> _transmits = new();
    private readonly Queue<SeedServerEvent> _events = new();

    public SeedServer(IdentityKeyPair identity, SeedServerOptions options, IRandomSource random)
    {
        options.Validate();
        _options = options;
        _random = random;
        // Anyone may talk to a seed; authentication here means "holds the key it registers".
        _gate = new HandshakeGate(
            new NoiseResponder(NoiseStaticKey.From(identity), isPeerAllowed: _ => true),
            options.HandshakesPerSecondPerAddress, options.HandshakeBurstPerAddress, options.MaxRateLimitedAddresses,
            options.HandshakesPerSecondBeforeCookies);
    }

    public DropCounter<SeedServerDrop> Drops { get; } = new();

    public long IntroductionsAbandoned { get; private set; }

    /// <summary>TURN credentials handed out (one per accepted registration when relays are configured).</summary>
    public long RelayCredentialsIssued { get; private set; }


    public int RegisteredPeerCount => _registry.Count;

    public int PendingIntroductionCount => _introductions.Count;

    public bool IsOnline(PeerKey peer) => _registry.TryGet(peer, out _);

    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = _silenceChecks.TryPeek(out _, out var silence) ? silence : null;
            if (_introductionResends.TryPeek(out _, out var resend) && (next is null || resend < next))
                next = resend;
            return next;
        }
    }

    public SeedTransmit? PollTransmit() => _transmits.TryDequeue(out var transmit) ? transmit : null;

    public SeedServerEvent? PollEvent() => _events.TryDequeue(out var e) ? e : null;

    public void HandleDatagram(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        switch (PypePacket.Classify(datagram))
        {
            case PypePacketType.HandshakeInitiation:
                HandleInitiation(now, source, datagram);
                break;
            case PypePacketType.TransportData:
                HandleTransport(now, source, datagram);
                break;
            case PypePacketType.HandshakeResponse or PypePacketType.CookieReply:
                Drops.Count(SeedServerDrop.UnexpectedPacketType);
                break;
            default:
                Drops.Count(SeedServerDrop.NotAPypePacket);
                break;
        }
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        while (_silenceChecks.TryPeek(out var index, out var due) && due <= now)
        {
            _silenceChecks.Dequeue();
            if (!_sessionsByIndex.TryGetValue(index, out var session))
                continue;
            var forgetAt = session.Established ? session.LastSeen + _options.ForgetAfter : session.CreatedAt + _options.HalfOpenTimeout;
            if (forgetAt > now)
                _silenceChecks.Enqueue(index, forgetAt);
            else
                Forget(session);
        }
        while (_introductionResends.TryPeek(out var id, out var due) && due <= now)
        {
            _introductionResends.Dequeue();
            if (_introductions.TryGetValue(id, out var pending))
                Resend(now, pending);
        }
    }

    private void HandleTransport(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < TransportData.HeaderLength)
        {
            Drops.Count(SeedServerDrop.TransportMalformed);
            return;
        }
        var receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(datagram[TransportData.ReceiverIndexOffset..]);
        if (!_sessionsByIndex.TryGetValue(receiverIndex, out var session))
        {
            Drops.Count(SeedServerDrop.UnknownIndex);
            return;
        }
        if (session.Noise.IsExpired(now))
        {
            Drops.Count(SeedServerDrop.SessionExpired);
            return;
        }
        var decrypted = session.Noise.Decrypt(datagram);
        if (!decrypted.IsSuccess)
        {
            Drops.Count(decrypted.Reason switch
            {
                DropReason.Replayed => SeedServerDrop.TransportReplayed,
                DropReason.AuthenticationFailed => SeedServerDrop.TransportAuthenticationFailed,
                _ => SeedServerDrop.TransportMalformed,
            });
            return;
        }

        if (!session.Established && !Establish(session))
            return;
        session.EndPoint = source;
        Touch(session, now);
        var message = SeedMessageCodec.Decode(decrypted.Value);
        if (!message.IsSuccess)
        {
            Drops.Count(message.Reason == SeedMessageError.UnknownType ? SeedServerDrop.MessageTypeUnknown : SeedServerDrop.MessageMalformed);
            return;
        }
        switch (message.Value)
        {
            case LinkUpkeep { Type: SessionMessageType.Keepalive }:
                // Answered so the node can tell a live seed from a dead one, and its NAT keeps the mapping.
                Send(session, new LinkUpkeep(SessionMessageType.Keepalive, 0));
                break;
            case LinkUpkeep { Type: SessionMessageType.Ping } ping:
                Send(session, new LinkUpkeep(SessionMessageType.Pong, ping.Nonce));
                break;
            case LinkUpkeep:
                break;
            case SeedRegister register:
                HandleRegister(now, session, register.Presence);
                break;
            case SeedPeerListRequest request:
                HandlePeerListRequest(now, session, request);
                break;
            case SeedConnectRequest connect:
                HandleConnect(now, session, connect);
                break;
            case SeedIntroductionAck ack:
                HandleIntroductionAck(session, ack.IntroductionId);
                break;
            default:
                Drops.Count(SeedServerDrop.MessageUnexpected);
                break;
        }
    }

    private void HandlePeerListRequest(DateTimeOffset now, SeedPeerSession session, SeedPeerListRequest request)
    {
        if (session.Registration is not { } asker)
        {
            Drops.Count(SeedServerDrop.PeerListUnregistered);
            return;
        }
        if (session.LastPeerListAt is { } last && now - last < _options.PeerListInterval)
        {
            Drops.Count(SeedServerDrop.PeerListTooSoon);
            return;
        }
        session.LastPeerListAt = now;
        var sample = _registry.Sample(Math.Min((int)request.Max, SeedMessageCodec.MaxPeersInList), asker, _random);
        Send(session, new SeedPeerList([.. sample.Select(peer => peer.Key)]));
    }

    private void HandleRegister(DateTimeOffset now, SeedPeerSession session, SignedPresence presence)
    {
        if (!IdentityKeyPair.TryToX25519PublicKey(presence.PublicKey.Span, out var presenceStatic)
            || Convert.ToHexString(presenceStatic) != session.StaticKey)
        {
            Drops.Count(SeedServerDrop.PresenceKeyMismatch);
            return;
        }
        switch (presence.Verify(now, _options.PresenceMaxAge, _options.PresenceMaxFutureSkew))
        {
            case PresenceVerdict.BadSignature:
                Drops.Count(SeedServerDrop.PresenceBadSignature);
                return;
            case PresenceVerdict.Stale:
                Drops.Count(SeedServerDrop.PresenceStale);
                return;
            case PresenceVerdict.FromTheFuture:
                Drops.Count(SeedServerDrop.PresenceFromTheFuture);
                return;
        }

        if (session.Registration is { } existing && existing.Key.Equals(presence.PublicKey))
        {
            var moved = !existing.Presence.Candidates.SequenceEqual(presence.Candidates);
            existing.Presence = presence;
            if (moved) _events.Enqueue(new PresenceShared(presence, session.EndPoint));
        }
        else
        {
            // Ed25519 keys P and −P share one X25519 key, so a session may switch between the two.
            if (session.Registration is { } other)
                _registry.Remove(other);
            if (_registry.Count >= _options.MaxRegisteredPeers)
            {
                session.Registration = null;
                QueueAsStranger(session);
                Drops.Count(SeedServerDrop.RegistryFull);
                return;
            }
            var registration = new RegisteredPeer(presence.PublicKey, presence, session);
            _registry.Add(registration);
            session.Registration = registration;
            // Registered, it is no longer a stranger that a newcomer may push out.
            Unqueue(session);
            _events.Enqueue(new PeerRegistered(presence.PublicKey, session.EndPoint));
            _events.Enqueue(new PresenceShared(presence, session.EndPoint));
        }
        Send(session, new SeedRegistered((ushort)_options.KeepaliveInterval.TotalSeconds, session.EndPoint,
            _options.Relay is null ? (byte)0 : SeedRegistered.RelayGrantFollowsFlag));
        GrantRelay(now, session, presence.PublicKey);
    }

    /// <summary>
    /// Every registration (the first, its retransmissions and each rekey's) gets credentials that
    /// are fresh for a whole lifetime, which is how a node renews them long before they expire,
    /// and how a node whose grant was lost gets another: SeedRegistered says one follows.
    /// </summary>
    private void GrantRelay(DateTimeOffset now, SeedPeerSession session, PeerKey peer)
    {
        if (_options.Relay is not { } relay)
            return;
        var expires = now + relay.CredentialLifetime;
        // The node's short hash in the username lets the TURN operator tell allocations apart in its logs.
        var credentials = Turn.TurnRestCredentials.Create(relay.SharedSecret, expires, HashAddress.FromPublicKey(peer.Span).Short);
        Send(session, new SeedRelayGrant(relay.Servers, credentials, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds())));
        RelayCredentialsIssued++;
    }

    private void HandleConnect(DateTimeOffset now, SeedPeerSession session, SeedConnectRequest connect)
    {
        if (session.Registration is not { } asker)
        {
            Send(session, new SeedConnectResult(connect.RequestId, SeedConnectStatus.NotRegistered));
            return;
        }
        var local = _registry.TryGet(connect.Target, out var target);
        var remote = !local && _clusterPeers.TryGetValue(connect.Target, out _);
        if (connect.Target.Equals(asker.Key) || (!local && !remote))
        {
            Send(session, new SeedConnectResult(connect.RequestId, SeedConnectStatus.Offline));
            return;
        }
        if (!(session.ConnectBudget ??= new TokenBucket(_options.ConnectsPerSecond, _options.ConnectBurst, now)).TryTake(now))
        {
            Drops.Count(SeedServerDrop.ConnectRateLimited);
            return;
        }
        if (!HasRoomForIntroductions(now, asker.Key, remote ? 1 : 2, remote ? null : target))
            return;
        if (remote)
        {
            IntroduceAcrossCluster(now, asker, _clusterPeers[connect.Target]);
        }
        else
        {
            // Both sides at once, so both start probing at about the same moment and their NATs open.
            Introduce(now, asker.Key, target.Presence, target.Session.EndPoint, asker.Key);
            Introduce(now, target.Key, asker.Presence, asker.Session.EndPoint, asker.Key);
        }
        Send(session, new SeedConnectResult(connect.RequestId, SeedConnectStatus.Introduced));
        _events.Enqueue(new IntroductionMade(asker.Key, connect.Target));
    }

    private void Send(SeedPeerSession session, SeedMessage message) => SendPlaintext(session, SeedMessageCodec.Encode(message));

    private void SendPlaintext(SeedPeerSession session, byte[] plaintext)
    {
        var packet = session.Noise.Encrypt(plaintext);
        if (packet.IsSuccess)
            _transmits.Enqueue(new SeedTransmit(session.EndPoint, packet.Value));
    }

    private uint NewSessionIndex()
    {
        uint index;
        do index = RandomUInt32();
        while (_sessionsByIndex.ContainsKey(index));
        return index;
    }

    private uint NewIntroductionId()
    {
        uint id;
        do id = RandomUInt32();
        while (_introductions.ContainsKey(id));
        return id;
    }

    private uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        _random.Fill(bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }
}
