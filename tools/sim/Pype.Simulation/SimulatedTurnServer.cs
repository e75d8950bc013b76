using System.Globalization;
using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Turn;
using Pype.Core.Wire;

namespace Pype.Simulation;

/// <summary>
/// A TURN server on the <see cref="VirtualNetwork"/>, speaking RFC 8656 over UDP with Pype's own
/// codec, enough for the real <see cref="TurnClient"/>: long-term credentials (one user, or TURN
/// REST credentials checked against a shared secret as coturn's <c>use-auth-secret</c> checks the
/// ones a seed mints; a fixed nonce), Allocate, Refresh, CreatePermission, ChannelBind, Send and Data indications and
/// ChannelData. Each allocation is a public host at the relay address; it forwards only from
/// permitted addresses. Lifetimes run in virtual time; an expired allocation is removed when next touched.
/// </summary>
public sealed class SimulatedTurnServer
{
    public const string Realm = "pype.sim";
    private const string Nonce = "sim-nonce";

    private readonly VirtualNetwork _network;
    // The key a request's USERNAME names, or null when that user may not allocate (unknown, expired).
    private readonly Func<string, DateTimeOffset, StunIntegrityKey?> _keyFor;
    private readonly IPAddress _relayAddress;
    private readonly Dictionary<IPEndPoint, Allocation> _allocations = [];
    private int _nextRelayPort = 50_000;

    /// <summary>A server that knows one user.</summary>
    public SimulatedTurnServer(VirtualNetwork network, string endPoint, TurnCredentials credentials)
        : this(network, endPoint, OneUser(credentials))
    {
    }

    /// <summary>
    /// A server that shares <paramref name="sharedSecret"/> with the seeds: any "expiry:id" username
    /// whose password is the secret's HMAC of it, until that expiry (in virtual time).
    /// </summary>
    public SimulatedTurnServer(VirtualNetwork network, string endPoint, string sharedSecret)
        : this(network, endPoint, RestUsers(sharedSecret))
    {
    }

    private SimulatedTurnServer(VirtualNetwork network, string endPoint, Func<string, DateTimeOffset, StunIntegrityKey?> keyFor)
    {
        _network = network;
        _keyFor = keyFor;
        Host = network.AddHost("turn", endPoint);
        _relayAddress = Host.EndPoint.Address;
        Host.Receive = OnFromClient;
    }

    public SimulatedHost Host { get; }

    public IPEndPoint EndPoint => Host.EndPoint;

    public int Allocations => _allocations.Count;

    /// <summary>Requests refused for want of valid credentials (the first 401 of every client among them).</summary>
    public int Unauthenticated { get; private set; }

    private void OnFromClient(DateTimeOffset now, IPEndPoint client, byte[] datagram)
    {
        var allocation = Live(client, now);
        if (PacketClassifier.Classify(datagram) == PacketKind.TurnChannelData)
        {
            if (allocation is not null
                && ChannelData.TryParse(datagram, out var channel, out var payload) == ChannelDataError.None
                && allocation.Channels.TryGetValue(channel, out var peer) && allocation.Permitted.Contains(peer.Address))
                _network.Send(allocation.Relay, peer, payload.ToArray());
            return;
        }
        if (StunMessageParser.Parse(datagram).Message is not { } message)
            return;
        if (message.Type.Class == StunClass.Indication)
        {
            if (message.Type.Method == StunMethod.Send && allocation is not null
                && message.Message.Get<XorPeerAddressAttribute>() is { } to && message.Message.Get<DataAttribute>() is { } data
                && allocation.Permitted.Contains(to.EndPoint.Address))
                _network.Send(allocation.Relay, to.EndPoint, data.Value);
            return;
        }
        if (message.Type.Class != StunClass.Request)
            return;
        var key = message.Message.Get<UsernameAttribute>() is { } user ? _keyFor(user.Value, now) : null;
        if (key is null || !message.HasMessageIntegrity || !message.VerifyMessageIntegrity(key))
        {
            Unauthenticated++;
            Reply(client, Error(message, ErrorCodeAttribute.Unauthenticated, new RealmAttribute(Realm), new NonceAttribute(Nonce)));
            return;
        }
        Reply(client, Answer(now, client, allocation, message, key));
    }

    private static Func<string, DateTimeOffset, StunIntegrityKey?> OneUser(TurnCredentials credentials)
    {
        var key = StunIntegrityKey.LongTerm(credentials.Username, Realm, credentials.Password);
        return (username, _) => username == credentials.Username ? key : null;
    }

    private static Func<string, DateTimeOffset, StunIntegrityKey?> RestUsers(string sharedSecret) => (username, now) =>
    {
        var separator = username.IndexOf(TurnRestCredentials.Separator, StringComparison.Ordinal);
        if (separator <= 0 || !long.TryParse(username.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || now.ToUnixTimeSeconds() >= expiry)
            return null;
        return StunIntegrityKey.LongTerm(username, Realm, TurnRestCredentials.PasswordFor(sharedSecret, username));
    };

    private byte[] Answer(DateTimeOffset now, IPEndPoint client, Allocation? allocation, ReceivedStunMessage request, StunIntegrityKey key)
    {
        var requested = request.Message.Get<LifetimeAttribute>()?.Lifetime;
        switch (request.Type.Method)
        {
            case StunMethod.Allocate when allocation is null:
                var relay = _network.AddHost($"turn-relay-{_nextRelayPort}", new IPEndPoint(_relayAddress, _nextRelayPort++));
                allocation = new Allocation(client, relay) { CreatedBy = request.TransactionId };
                relay.Receive = (at, source, datagram) => OnFromPeer(at, allocation, source, datagram);
                _allocations.Add(client, allocation);
                allocation.ExpiresAt = now + Clamp(requested);
                return Success(request, key, new XorRelayedAddressAttribute(relay.EndPoint), new XorMappedAddressAttribute(client), Lifetime(allocation, now));
            // A retransmission whose success was lost gets the success again (RFC 8656 §7.2), as coturn does.
            case StunMethod.Allocate when request.TransactionId == allocation.CreatedBy:
                return Success(request, key, new XorRelayedAddressAttribute(allocation.Relay.EndPoint), new XorMappedAddressAttribute(client), Lifetime(allocation, now));
            case StunMethod.Allocate:
                return Error(request, 437);
            case StunMethod.Refresh when allocation is not null:
                if (requested == TimeSpan.Zero)
                {
                    Remove(allocation);
                    return Success(request, key, new LifetimeAttribute(0));
                }
                allocation.ExpiresAt = now + Clamp(requested);
                return Success(request, key, Lifetime(allocation, now));
            case StunMethod.CreatePermission when allocation is not null:
                foreach (var peer in request.Message.Attributes.OfType<XorPeerAddressAttribute>())
                    allocation.Permitted.Add(peer.EndPoint.Address);
                return Success(request, key);
            case StunMethod.ChannelBind when allocation is not null
                && request.Message.Get<ChannelNumberAttribute>() is { } number && request.Message.Get<XorPeerAddressAttribute>() is { } bound:
                allocation.Channels[number.Number] = bound.EndPoint;
                allocation.Permitted.Add(bound.EndPoint.Address);
                return Success(request, key);
            default:
                return Error(request, allocation is null ? 437 : 400);
        }
    }

    private void OnFromPeer(DateTimeOffset now, Allocation allocation, IPEndPoint source, byte[] datagram)
    {
        if (Live(allocation.Client, now) != allocation || !allocation.Permitted.Contains(source.Address))
            return;
        var channel = allocation.Channels.FirstOrDefault(c => c.Value.Equals(source)).Key;
        var toClient = channel != 0
            ? ChannelData.Encode(channel, datagram)
            : StunMessageEncoder.Encode(new StunMessage(
                new StunMessageType(StunClass.Indication, StunMethod.Data), NewTransactionId(), new XorPeerAddressAttribute(source), new DataAttribute(datagram)));
        _network.Send(Host, allocation.Client, toClient);
    }

    private Allocation? Live(IPEndPoint client, DateTimeOffset now)
    {
        if (_allocations.GetValueOrDefault(client) is not { } allocation)
            return null;
        if (now < allocation.ExpiresAt)
            return allocation;
        Remove(allocation);
        return null;
    }

    private void Remove(Allocation allocation)
    {
        _allocations.Remove(allocation.Client);
        allocation.Relay.Vanished = true;
    }

    private static TimeSpan Clamp(TimeSpan? requested) =>
        requested is { } lifetime ? TimeSpan.FromSeconds(Math.Clamp(lifetime.TotalSeconds, 600, 3600)) : TimeSpan.FromSeconds(600);

    private static LifetimeAttribute Lifetime(Allocation allocation, DateTimeOffset now) => new((uint)(allocation.ExpiresAt - now).TotalSeconds);

    private void Reply(IPEndPoint client, byte[] answer) => _network.Send(Host, client, answer);

    private static byte[] Success(ReceivedStunMessage request, StunIntegrityKey key, params StunAttribute[] attributes) =>
        StunMessageEncoder.Encode(
            new StunMessage(new StunMessageType(StunClass.SuccessResponse, request.Type.Method), request.TransactionId, attributes),
            StunMessageProtection.WithIntegrity(key));

    private static byte[] Error(ReceivedStunMessage request, int code, params StunAttribute[] attributes) =>
        StunMessageEncoder.Encode(
            new StunMessage(
                new StunMessageType(StunClass.ErrorResponse, request.Type.Method),
                request.TransactionId,
                [new ErrorCodeAttribute(code, $"error {code}"), .. attributes]),
            StunMessageProtection.FingerprintOnly);

    private StunTransactionId NewTransactionId()
    {
        var bytes = new byte[12];
        _network.Random.NextBytes(bytes);
        return StunTransactionId.Read(bytes);
    }

    private sealed class Allocation(IPEndPoint client, SimulatedHost relay)
    {
        public IPEndPoint Client { get; } = client;
        public SimulatedHost Relay { get; } = relay;
        public DateTimeOffset ExpiresAt { get; set; }
        public StunTransactionId CreatedBy { get; init; }
        public HashSet<IPAddress> Permitted { get; } = [];
        public Dictionary<ushort, IPEndPoint> Channels { get; } = [];
    }
}
