using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Wire;

namespace Pype.Core.Turn;

public enum TurnClientState
{
    Idle,
    Allocating,
    Allocated,
    /// <summary>Stop sent a zero-lifetime Refresh and waits for its outcome.</summary>
    Stopping,
    Stopped,
    /// <summary>The allocation failed or was given up; see the last <see cref="TurnClientEvent.AllocationFailed"/>.</summary>
    Failed,
}

/// <summary>
/// A TURN client over UDP (RFC 8656) holding one allocation on one server, as a sans-IO state
/// machine: inputs are <see cref="Start"/>, <see cref="HandleDatagram"/>, <see cref="HandleTimeout"/>,
/// <see cref="Permit"/>, <see cref="Send"/> and <see cref="Stop"/>, each given the current time;
/// after each the owner drains <see cref="PollTransmit"/> and <see cref="PollEvent"/> and arms a
/// timer for <see cref="NextDeadline"/>. It refreshes the allocation, its permissions and its
/// channels by itself. Nothing the network delivers makes it throw: what it cannot use is
/// dropped and counted in <see cref="Drops"/>.
/// </summary>
public sealed partial class TurnClient
{
    private readonly IPEndPoint _server;
    private readonly IRandomSource _random;
    private readonly TurnClientOptions _options;
    private readonly TurnTransactions _transactions;
    private readonly TurnPeers _peers = new();
    private readonly Queue<StunTransmit> _transmits = new();
    private readonly Queue<TurnClientEvent> _events = new();

    private DateTimeOffset? _refreshAt;
    private DateTimeOffset? _expiresAt;
    private bool _refreshPending;
    private int _consecutiveRestarts;

    /// <summary>When the server last proved the allocation alive: a success response, or relayed data.</summary>
    private DateTimeOffset _lastHeardAt;

    /// <summary>When relayed data last went out; a probe is due only if that was no earlier than <see cref="_lastHeardAt"/>.</summary>
    private DateTimeOffset? _lastSentDataAt;

    public TurnClient(IPEndPoint server, TurnCredentials credentials, IRandomSource random, TurnClientOptions? options = null)
    {
        _server = Normalized(server);
        _random = random;
        _options = options ?? TurnClientOptions.Default;
        _transactions = new TurnTransactions(_server, random, _options, Drops);
        _transactions.SetCredentials(credentials);
    }

    public IPEndPoint Server => _server;
    public TurnClientState State { get; private set; }
    public IPEndPoint? RelayedAddress { get; private set; }
    public IPEndPoint? MappedAddress { get; private set; }
    public DropCounter<TurnDropReason> Drops { get; } = new();

    public DateTimeOffset? NextDeadline
    {
        get
        {
            var next = _transactions.NextDeadline;
            if (State != TurnClientState.Allocated)
                return next;
            next = TurnPeers.Earliest(next, _refreshPending ? null : _refreshAt);
            next = TurnPeers.Earliest(next, _refreshPending ? null : ProbeAt);
            next = TurnPeers.Earliest(next, _expiresAt);
            return TurnPeers.Earliest(next, _peers.NextDeadline());
        }
    }

    /// <summary>When a liveness probe falls due: data went out after the server was last heard, and the silence has lasted <see cref="TurnClientOptions.ProbeAfterSilence"/>.</summary>
    private DateTimeOffset? ProbeAt =>
        _options.ProbeAfterSilence is { } silence && _lastSentDataAt is { } sent && sent >= _lastHeardAt ? _lastHeardAt + silence : null;

    public StunTransmit? PollTransmit() => _transmits.TryDequeue(out var transmit) ? transmit : null;

    public TurnClientEvent? PollEvent() => _events.TryDequeue(out var turnEvent) ? turnEvent : null;

    /// <summary>Starts allocating; also the way to try again after <see cref="TurnClientState.Failed"/> or <see cref="TurnClientState.Stopped"/>. Ignored while running.</summary>
    public void Start(DateTimeOffset now)
    {
        if (State is not (TurnClientState.Idle or TurnClientState.Failed or TurnClientState.Stopped))
            return;
        // A fresh start may follow a credential failure, so it proves the credentials from scratch.
        _transactions.ForgetAuthentication();
        _consecutiveRestarts = 0;
        BeginAllocation(now);
        Flush();
    }

    /// <summary>New credentials (a TURN REST credential nearing its expiry) for every request from now on.</summary>
    public void UpdateCredentials(TurnCredentials credentials) => _transactions.SetCredentials(credentials);

    /// <summary>Releases the allocation with a zero-lifetime Refresh; <see cref="TurnClientEvent.Deallocated"/> follows its outcome.</summary>
    public void Stop(DateTimeOffset now)
    {
        if (State is TurnClientState.Stopping or TurnClientState.Stopped)
            return;
        _transactions.Clear();
        if (State == TurnClientState.Allocated)
        {
            State = TurnClientState.Stopping;
            _transactions.Send(now, TurnRequest.Deallocate());
        }
        else
        {
            // An Allocate still in flight may yet create an allocation; it expires on its own.
            State = TurnClientState.Stopped;
        }
        Flush();
    }

    /// <summary>Asks for (and keeps refreshing) a permission for the peer's IP address (RFC 8656 §9).</summary>
    public void Permit(DateTimeOffset now, IPAddress peer)
    {
        _peers.Permit(Normalized(peer));
        Reconcile(now);
        Flush();
    }

    /// <summary>
    /// Relays a payload to the peer: as ChannelData once a channel is bound, else in a Send
    /// indication (binding a channel for next time). Permits the peer if that was not done yet.
    /// False when there is no allocation or the payload is too large; the reason is counted.
    /// </summary>
    public bool Send(DateTimeOffset now, IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        if (State != TurnClientState.Allocated)
            return Refuse(TurnDropReason.NotAllocated);
        if (payload.Length > _options.MaxPayloadLength)
            return Refuse(TurnDropReason.PayloadTooLarge);

        peer = Normalized(peer);
        _peers.Permit(peer.Address);
        var channel = _peers.ChannelFor(peer);
        if (channel is null && _options.UseChannels)
            _peers.AssignChannel(peer);
        Reconcile(now);
        // Requests first: the server then installs the permission before it sees the data.
        Flush();

        _lastSentDataAt = now;
        if (channel is not null && channel.IsBound(now))
        {
            _transmits.Enqueue(new StunTransmit(_server, ChannelData.Encode(channel.Number, payload)));
            return true;
        }
        var indication = new StunMessage(
            new StunMessageType(StunClass.Indication, StunMethod.Send),
            NewIndicationId(),
            new XorPeerAddressAttribute(peer),
            new DataAttribute(payload));
        _transmits.Enqueue(new StunTransmit(_server, StunMessageEncoder.Encode(indication, StunMessageProtection.FingerprintOnly)));
        return true;
    }

    /// <summary>A datagram that arrived from <paramref name="source"/>; anything not from the server is dropped.</summary>
    public void HandleDatagram(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (!Normalized(source).Equals(_server))
            Drops.Count(TurnDropReason.NotFromServer);
        else
        {
            switch (PacketClassifier.Classify(datagram))
            {
                case PacketKind.Stun:
                    HandleStun(now, datagram);
                    break;
                case PacketKind.TurnChannelData:
                    HandleChannelData(now, datagram);
                    break;
                default:
                    Drops.Count(TurnDropReason.NotStunOrChannelData);
                    break;
            }
        }
        Reconcile(now);
        Flush();
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        foreach (var outcome in _transactions.HandleTimeout(now))
            OnOutcome(now, outcome);
        if (State == TurnClientState.Allocated && _expiresAt is { } expiry && now >= expiry)
            Lose(now, new TurnFailure(TurnFailureKind.TimedOut, null, "the allocation expired before a refresh succeeded"));
        Reconcile(now);
        Flush();
    }

    private void HandleStun(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        var parsed = StunMessageParser.Parse(datagram);
        if (!parsed.IsSuccess)
        {
            Drops.Count(TurnDropReason.StunMalformed);
            return;
        }
        var received = parsed.Message;
        switch (received.Type.Class)
        {
            case StunClass.SuccessResponse or StunClass.ErrorResponse:
                if (_transactions.HandleResponse(now, received) is { } outcome)
                {
                    // Only a success proves the allocation: a restarted coturn answers
                    // CreatePermission and ChannelBind with 400, not 437, for an allocation it lost.
                    if (outcome.Success is not null)
                        _lastHeardAt = now;
                    OnOutcome(now, outcome);
                }
                break;
            case StunClass.Indication when received.Type.Method == StunMethod.Data:
                HandleDataIndication(now, received);
                break;
            default:
                Drops.Count(TurnDropReason.UnexpectedStunMessage);
                break;
        }
    }

    private void HandleDataIndication(DateTimeOffset now, ReceivedStunMessage indication)
    {
        var message = indication.Message;
        var peer = message.Get<XorPeerAddressAttribute>()?.EndPoint;
        var data = message.Get<DataAttribute>();
        if (peer is null || data is null || message.UnknownComprehensionRequiredTypes().Count > 0
            || (indication.HasFingerprint && !indication.VerifyFingerprint()))
            Drops.Count(TurnDropReason.DataIndicationMalformed);
        else if (State != TurnClientState.Allocated)
            Drops.Count(TurnDropReason.NotAllocated);
        else if (!_peers.IsPermitted(Normalized(peer).Address))
            Drops.Count(TurnDropReason.DataFromUnpermittedPeer);
        else
        {
            _lastHeardAt = now;
            _events.Enqueue(new TurnClientEvent.DataReceived(Normalized(peer), data.Value, ViaChannel: false));
        }
    }

    private void HandleChannelData(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (ChannelData.TryParse(datagram, out var number, out var payload) != ChannelDataError.None)
            Drops.Count(TurnDropReason.ChannelDataMalformed);
        else if (State != TurnClientState.Allocated)
            Drops.Count(TurnDropReason.NotAllocated);
        // A channel whose ChannelBind is still unanswered counts: the server may have bound it and lost only our answer.
        else if (_peers.ChannelNumbered(number) is not { } channel)
            Drops.Count(TurnDropReason.UnknownChannel);
        else
        {
            _lastHeardAt = now;
            _events.Enqueue(new TurnClientEvent.DataReceived(channel.Peer, payload.ToArray(), ViaChannel: true));
        }
    }

    private void Flush() => _transactions.DrainTransmits(_transmits);

    private bool Refuse(TurnDropReason reason)
    {
        Drops.Count(reason);
        return false;
    }

    private StunTransactionId NewIndicationId()
    {
        Span<byte> id = stackalloc byte[StunTransactionId.Length];
        _random.Fill(id);
        return StunTransactionId.Read(id);
    }

    /// <summary>A dual-mode socket reports IPv4 addresses as ::ffff:a.b.c.d; the server speaks of a.b.c.d.</summary>
    private static IPEndPoint Normalized(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static IPAddress Normalized(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
