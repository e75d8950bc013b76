using System.Net;
using Pype.Core.Seed;
using Pype.Core.Stun;

namespace Pype.Core.Turn;

/// <summary>
/// The node's one TURN relay, sans-IO: which granted server it allocates on (a
/// <see cref="TurnServerRotation"/>), the <see cref="TurnClient"/> holding the allocation there,
/// when to try again after a failure, when fresh credentials replace the ones in use, when to ask
/// the seed for a new grant, and the peer addresses every new allocation must permit. Inputs are
/// <c>Handle…(now, …)</c>, <see cref="Permit"/>, <see cref="Send"/>, <see cref="Release"/>;
/// outputs are drained with <see cref="PollTransmit"/> and <see cref="PollEvent"/>; the owner
/// calls <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>.
/// </summary>
public sealed class TurnRelay(IRandomSource random, TurnClientOptions? clientOptions = null, TurnRotationOptions? rotationOptions = null)
{
    /// <summary>
    /// Requests give up after this long instead of RFC 8489's 39.5 s: the rotation decides what
    /// comes next (another server, or this one after a back-off), so a restarted server is found
    /// again within seconds of coming back.
    /// </summary>
    public static readonly TurnClientOptions DefaultClientOptions = TurnClientOptions.Default with { RequestTimeout = TimeSpan.FromSeconds(4) };

    /// <summary>Peer addresses remembered for a replacement client; older ones are forgotten beyond this.</summary>
    public const int RememberedPermissions = 256;

    private readonly TurnClientOptions _clientOptions = clientOptions ?? DefaultClientOptions;
    private readonly TurnServerRotation _rotation = new(rotationOptions);
    private readonly Queue<IPAddress> _permittedOrder = new();
    private readonly HashSet<IPAddress> _permitted = [];
    private readonly Queue<StunTransmit> _transmits = new();
    private readonly Queue<TurnRelayEvent> _events = new();
    private TurnClient? _client;
    private TurnCredentials? _credentials;
    private IPEndPoint? _published;
    private DateTimeOffset _renewAt;
    private TurnAttempt? _retry;
    private DateTimeOffset? _freshGrantCheckAt;

    /// <summary>The server of the current allocation (or attempt); null before the first grant.</summary>
    public IPEndPoint? Server => _client?.Server;

    public TurnClientState State => _client?.State ?? TurnClientState.Idle;

    public IPEndPoint? RelayedAddress => _client?.RelayedAddress;

    /// <summary>What the current client dropped (a new client starts from zero).</summary>
    public IReadOnlyDictionary<TurnDropReason, long> Drops =>
        _client?.Drops.Counts.ToDictionary(d => d.Key, d => d.Value) ?? new Dictionary<TurnDropReason, long>();

    /// <summary>Allocations made since start, on any server.</summary>
    public int Allocations { get; private set; }

    /// <summary>Allocations the server stopped holding (restart, expiry, no answer to a probe).</summary>
    public int AllocationsLost { get; private set; }

    public DateTimeOffset? NextDeadline => Earliest(Earliest(_client?.NextDeadline, _retry?.At), _freshGrantCheckAt);

    public StunTransmit? PollTransmit() => _transmits.TryDequeue(out var transmit) ? transmit : null;

    public TurnRelayEvent? PollEvent() => _events.TryDequeue(out var relayEvent) ? relayEvent : null;

    /// <summary>
    /// The seed grants the same servers and fresh credentials at every registration. A TURN server
    /// ties an allocation to the username that made it (coturn answers 441 Wrong Credentials to
    /// any other), and a REST username carries its expiry, so fresh credentials cannot be slipped
    /// into a running allocation: they are kept until half of the current credentials' lifetime
    /// is gone, and then a new allocation is made with them. A grant that no longer names the
    /// server in use, or none yet, also means a new allocation; a client that failed starts again
    /// at once with the fresh credentials.
    /// </summary>
    public void HandleGrant(DateTimeOffset now, SeedRelayGrant grant)
    {
        _credentials = grant.Credentials;
        var moved = _rotation.Grant(grant.Servers);
        if (_rotation.Current is { } server)
        {
            if (_client is { } current && !moved && current.Server.Equals(server))
            {
                if (current.State is TurnClientState.Failed or TurnClientState.Idle or TurnClientState.Stopped)
                {
                    // Starting again makes a new allocation, which may take the new username.
                    current.UpdateCredentials(grant.Credentials);
                    Adopt(grant, now);
                    _retry = null;
                    current.Start(now);
                    Settle(now);
                    return;
                }
                if (now < _renewAt)
                    return;
                _events.Enqueue(new TurnRelayEvent.RenewingCredentials(server));
            }
            Adopt(grant, now);
            StartClient(now, server);
        }
        Settle(now);
    }

    /// <summary>STUN or ChannelData from the server in use.</summary>
    public void HandleDatagram(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (_client is null)
            return;
        _client.HandleDatagram(now, source, datagram);
        Settle(now);
    }

    /// <summary>Relays a datagram to <paramref name="peer"/>; false (and counted by the client) without an allocation.</summary>
    public bool Send(DateTimeOffset now, IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        if (_client is null)
            return false;
        var sent = _client.Send(now, peer, payload);
        Settle(now);
        return sent;
    }

    /// <summary>Permits the addresses on the current allocation and remembers them for every later one.</summary>
    public void Permit(DateTimeOffset now, IEnumerable<IPAddress> addresses)
    {
        var list = addresses.ToList();
        foreach (var address in list)
            Remember(address);
        if (_client is null)
            return;
        foreach (var address in list)
            _client.Permit(now, address);
        Settle(now);
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        if (_client?.NextDeadline <= now)
            _client.HandleTimeout(now);
        if (_retry is { } retry && now >= retry.At)
        {
            _retry = null;
            if (_client is { State: TurnClientState.Failed or TurnClientState.Stopped } client)
            {
                if (client.Server.Equals(retry.Server))
                    client.Start(now);
                else
                    StartClient(now, retry.Server);
            }
        }
        if (_freshGrantCheckAt <= now)
        {
            _freshGrantCheckAt = null;
            AskForFreshGrantWhenDue(now);
        }
        Settle(now);
    }

    /// <summary>Releases the allocation (a courtesy to the server: it would expire by itself); the owner sends what follows.</summary>
    public void Release(DateTimeOffset now)
    {
        if (_client is not { State: TurnClientState.Allocated } client)
            return;
        client.Stop(now);
        Collect(client);
    }

    /// <summary>A new allocation on <paramref name="server"/>, releasing the one held before.</summary>
    private void StartClient(DateTimeOffset now, IPEndPoint server)
    {
        if (_client is { State: TurnClientState.Allocated } old)
            old.Stop(now);
        Settle(now);
        _retry = null;
        _client = new TurnClient(server, _credentials!, random, _clientOptions);
        _events.Enqueue(new TurnRelayEvent.AllocatingOn(_client.Server));
        _client.Start(now);
        foreach (var address in _permittedOrder)
            _client.Permit(now, address);
    }

    private void Adopt(SeedRelayGrant grant, DateTimeOffset now) =>
        _renewAt = grant.Expires > now ? now + (grant.Expires - now) / 2 : now;

    /// <summary>Acts on what the client reported: counts, the rotation's next attempt, permissions for a new allocation, a changed relayed address.</summary>
    private void Settle(DateTimeOffset now)
    {
        if (_client is not { } client)
            return;
        var reallocated = false;
        Collect(client);
        while (client.PollEvent() is { } turnEvent)
        {
            switch (turnEvent)
            {
                case TurnClientEvent.DataReceived data:
                    _events.Enqueue(new TurnRelayEvent.DataReceived(data.Peer, data.Payload));
                    break;
                case TurnClientEvent.Allocated allocated:
                    _rotation.Allocated();
                    Allocations++;
                    _events.Enqueue(new TurnRelayEvent.Allocated(allocated.Relayed));
                    reallocated = true;
                    break;
                case TurnClientEvent.AllocationLost { Failure.Kind: TurnFailureKind.TimedOut } lost when _rotation.Servers.Count > 1:
                    // The server stopped answering altogether: another granted server is the better
                    // bet, so the client's own new Allocate to the silent one is called off.
                    AllocationsLost++;
                    client.Stop(now);
                    OnFailed(now, client.Server, lost.Failure);
                    break;
                case TurnClientEvent.AllocationLost lost:
                    AllocationsLost++;
                    _events.Enqueue(new TurnRelayEvent.AllocationLost(lost.Failure));
                    break;
                case TurnClientEvent.AllocationFailed failed:
                    OnFailed(now, client.Server, failed.Failure);
                    break;
            }
        }
        if (reallocated)
        {
            // A permission the old allocation's server refused (a restarted coturn says 400, not
            // 437) is forgotten by the client; the new allocation asks for every remembered one.
            foreach (var address in _permittedOrder)
                client.Permit(now, address);
        }
        Collect(client);
        var relayed = client.State == TurnClientState.Allocated ? client.RelayedAddress : null;
        if (!Equals(relayed, _published))
        {
            _published = relayed;
            _events.Enqueue(new TurnRelayEvent.RelayedAddressChanged(relayed));
        }
    }

    private void OnFailed(DateTimeOffset now, IPEndPoint server, TurnFailure failure)
    {
        var next = _rotation.Failed(now, failure);
        _events.Enqueue(new TurnRelayEvent.AllocationFailed(server, failure, next));
        if (next is null)
            AskForFreshGrantWhenDue(now);
        else
            _retry = next;
    }

    /// <summary>Asks for a fresh grant now if the rotation wants one now, else checks again when it will.</summary>
    private void AskForFreshGrantWhenDue(DateTimeOffset now)
    {
        if (_rotation.FreshGrantWantedAt is not { } due)
            return;
        if (due <= now)
        {
            _rotation.FreshGrantRequested(now);
            _events.Enqueue(new TurnRelayEvent.FreshGrantWanted());
            due = _rotation.FreshGrantWantedAt ?? now;
        }
        _freshGrantCheckAt = due;
    }

    private void Collect(TurnClient client)
    {
        while (client.PollTransmit() is { } transmit)
            _transmits.Enqueue(transmit);
    }

    private void Remember(IPAddress address)
    {
        if (!_permitted.Add(address))
            return;
        _permittedOrder.Enqueue(address);
        if (_permittedOrder.Count > RememberedPermissions)
            _permitted.Remove(_permittedOrder.Dequeue());
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
