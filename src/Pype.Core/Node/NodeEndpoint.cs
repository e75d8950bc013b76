using System.Net;
using Pype.Core.Connection;
using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;
using static Pype.Core.Node.EndpointCommand;
using static Pype.Core.Node.EndpointEvent;

namespace Pype.Core.Node;

/// <summary>
/// The node's side of the overlay, sans IO: the table of peer links and its view of each (state,
/// path, RTT), the seed introductions asked for and their retries, call signalling held for
/// peers without a session, keeping the overlay at its degree, the handshake gate for
/// initiations, and where each session plaintext goes by its type. Feed it <c>Handle…</c> and
/// <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>; drain <see cref="PollCommand"/>
/// (what the links and the seed link should do) and <see cref="PollEvent"/> (what the node and
/// console should hear).
/// </summary>
public sealed partial class NodeEndpoint
{
    /// <summary>How often the overlay's degree is checked.</summary>
    public static readonly TimeSpan MaintainInterval = TimeSpan.FromSeconds(5);

    /// <summary>A connect request or its answer can be lost like any datagram: ask again every second…</summary>
    public static readonly TimeSpan IntroductionRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>…five times in all, before telling the user the seed did not answer.</summary>
    public const int IntroductionAttempts = 5;

    /// <summary>
    /// How long after our relayed address appears the seed is asked to introduce our punching peers
    /// again: by then the registration naming it has reached the seed (a connect sent with it could
    /// overtake it), and links whose introductions were made just before it have started.
    /// </summary>
    public static readonly TimeSpan OwnRelaySettleTime = TimeSpan.FromMilliseconds(250);

    /// <summary>The most peers one peer-list request asks the seed for.</summary>
    public const int MaxPeerListRequest = 32;

    private readonly IdentityKeyPair _identity;
    private readonly NodeEndpointOptions _options;
    private readonly IRandomSource _random;
    private readonly HandshakeGate _gate;
    private readonly Dictionary<HashAddress, Link> _links = [];
    private readonly Dictionary<string, HashAddress> _linksByStaticKey = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, PendingIntroduction> _pendingIntroductions = [];
    // Asked of the seed link, which has not yet said under which request id it sent them.
    private readonly HashSet<PeerKey> _introductionsAsked = [];
    private readonly Dictionary<HashAddress, bool> _mediaRouted = [];
    private readonly HeldCallSignals _heldSignals = new();
    private readonly RecentLinkFailures _withoutPath = new(PeerLinkOptions.DefaultPunchTimeout * 2);
    private readonly Queue<EndpointCommand> _commands = new();
    private readonly Queue<EndpointEvent> _events = new();
    private DateTimeOffset _nextMaintain;
    private DateTimeOffset? _reintroduceAt;
    private long _generation;

    public NodeEndpoint(IdentityKeyPair identity, NodeEndpointOptions options, IRandomSource random, DateTimeOffset now)
    {
        _identity = identity;
        _options = options;
        _random = random;
        LocalStatic = NoiseStaticKey.From(identity);
        // Only peers the seed introduced may complete a handshake with us: their X25519 keys are
        // known before their initiations arrive, which is also how an initiation finds its link.
        _gate = HandshakeGate.ForNode(new NoiseResponder(LocalStatic, staticKey => _linksByStaticKey.ContainsKey(Convert.ToHexStringLower(staticKey))));
        _nextMaintain = now + MaintainInterval;
    }

    public NoiseKeyPair LocalStatic { get; }

    public bool IsRegistered { get; private set; }

    public int OverlayDegree => _options.OverlayDegree;

    public DropCounter<NodeEndpointDrop> Drops { get; } = new();

    public DropCounter<HandshakeDrop> HandshakeDrops => _gate.Drops;

    public int ConnectedCount => _links.Values.Count(l => l.State == PeerLinkState.Connected);

    public int PunchingCount => _links.Values.Count(l => l.State == PeerLinkState.Punching);

    public int PendingIntroductionCount => _pendingIntroductions.Count;

    public DateTimeOffset? NextDeadline
    {
        get
        {
            var next = _reintroduceAt is { } due && due < _nextMaintain ? due : _nextMaintain;
            foreach (var pending in _pendingIntroductions.Values)
                if (pending.Due < next)
                    next = pending.Due;
            return next;
        }
    }

    public EndpointCommand? PollCommand() => _commands.TryDequeue(out var command) ? command : null;

    public EndpointEvent? PollEvent() => _events.TryDequeue(out var endpointEvent) ? endpointEvent : null;

    /// <summary>Every link, as the endpoint last heard of it.</summary>
    public IReadOnlyList<PeerLinkView> Peers() =>
        [.. _links.Select(l => new PeerLinkView(l.Key, l.Value.State, l.Value.PathKind, l.Value.Path, l.Value.Rtt, l.Value.ConnectedAt, l.Value.Since))];

    /// <summary>The endpoint's and the gate's drops by name (initiations prefixed <c>initiation-</c>), for status output.</summary>
    public IReadOnlyDictionary<string, long> DropsByName()
    {
        var named = new Dictionary<string, long>();
        Drops.AddTo(named);
        _gate.Drops.AddTo(named, reason => "initiation-" + DropNames.Kebab(reason));
        return named;
    }

    public void HandleTimeout(DateTimeOffset now)
    {
        foreach (var (id, pending) in _pendingIntroductions.Where(p => p.Value.Due <= now).ToList())
        {
            _pendingIntroductions.Remove(id);
            if (pending.Attempt < IntroductionAttempts)
                RequestIntroductionOf(pending.Target, pending.Requester, pending.Attempt + 1);
            else if (pending.Requester is { } requester)
                _events.Enqueue(new ConnectFailed(requester, "the seed did not answer in time"));
        }
        if (now >= _reintroduceAt)
            ReintroduceForOwnRelay(now);
        if (now >= _nextMaintain)
        {
            _nextMaintain = now + MaintainInterval;
            MaintainOverlay();
        }
    }

    /// <summary>A handshake initiation (0xE1) from the socket: gated, answered, and handed to its peer's link.</summary>
    public void HandleInitiation(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram, bool viaRelay)
    {
        var accepted = _gate.Admit(now, source, datagram, () => RandomIndex(), _random, out var cookieReply);
        if (cookieReply is not null)
            _commands.Enqueue(new SendCookieReply(source, cookieReply, viaRelay));
        if (!accepted.IsSuccess)
            return;
        var staticKey = Convert.ToHexStringLower([.. accepted.Value.Session.RemoteStaticPublicKey]);
        if (_linksByStaticKey.TryGetValue(staticKey, out var peer) && _links.ContainsKey(peer))
            _commands.Enqueue(new AcceptHandshake(peer, accepted.Value, source, viaRelay));
        else
            Drops.Count(NodeEndpointDrop.InitiationFromUnknownPeer);
    }

    /// <summary>The seed link asked the seed for an introduction (or could not: no request id).</summary>
    public void HandleIntroductionRequested(DateTimeOffset now, uint? requestId, PeerKey target, object? requester, int attempt)
    {
        _introductionsAsked.Remove(target);
        if (requestId is not { } id)
        {
            if (requester is not null)
                _events.Enqueue(new ConnectFailed(requester, "not registered at a seed yet"));
            return;
        }
        _pendingIntroductions[id] = new PendingIntroduction(target, requester, attempt, now + IntroductionRetryInterval);
    }

    public void HandleSeedEvent(DateTimeOffset now, SeedClientEvent seedEvent)
    {
        switch (seedEvent)
        {
            case SeedRegisteredEvent registered:
                var first = !IsRegistered;
                IsRegistered = true;
                _events.Enqueue(new SeedJoined(registered.Seed.EndPoint.ToString(), registered.ServerReflexive.ToString()));
                if (first)
                    MaintainOverlay();
                break;
            case SeedLostEvent lost:
                IsRegistered = false;
                _events.Enqueue(new SeedLeft(lost.Seed.EndPoint.ToString(), lost.Reason.ToString()));
                break;
            case PeerListReceived list:
                ConnectToNewPeers(list.Peers);
                break;
            case ConnectResultReceived result when _pendingIntroductions.Remove(result.RequestId, out var pending):
                if (pending.Requester is not { } requester)
                    break;
                var hash = HashAddress.FromPublicKey(pending.Target.Span);
                _events.Enqueue(result.Status switch
                {
                    SeedConnectStatus.Introduced => new ConnectAnswered(requester, hash),
                    SeedConnectStatus.Offline => new ConnectFailed(requester, $"{hash.ToString()[..16]}… is not online at the seed"),
                    _ => new ConnectFailed(requester, $"the seed refused the introduction ({result.Status})"),
                });
                break;
            case IntroductionReceived introduction:
                HandleIntroduction(now, introduction);
                break;
        }
    }

    /// <summary>
    /// Our relayed address appeared or changed. A session running through a relay may have run
    /// through the old one; a link still punching (or one that found no path a moment ago) was
    /// introduced without it, as the overlay forms before most allocations complete. After
    /// <see cref="OwnRelaySettleTime"/> the seed introduces those peers again, so both sides probe
    /// the fresh candidates (<see cref="PeerLink.Reintroduce"/>) or, for a link already given up,
    /// start a new one.
    /// </summary>
    public void HandleOwnRelayChanged(DateTimeOffset now) => _reintroduceAt ??= now + OwnRelaySettleTime;

    private void ReintroduceForOwnRelay(DateTimeOffset now)
    {
        _reintroduceAt = null;
        var again = _links.Values
            .Where(l => l.State == PeerLinkState.Punching || l is { State: PeerLinkState.Connected, PathKind: CandidateKind.Relayed })
            .Select(l => PeerKey.Parse(l.IdentityKey))
            .Concat(_withoutPath.Recent(now).Where(k => !_links.ContainsKey(HashAddress.FromPublicKey(k.Span))))
            .ToList();
        foreach (var key in again)
        {
            if (!IsIntroductionPending(key))
                RequestIntroductionOf(key, requester: null);
        }
    }

    /// <summary>The user's <c>connect</c>: null when the introduction is under way (answered by an event), else why not.</summary>
    public string? Connect(string address, object requester)
    {
        if (PypeAddress.Parse(address) is not AddressParseResult.Ok { PublicKey: var key })
            return ((AddressParseResult.Failed)PypeAddress.Parse(address)).Message;
        if (key.AsSpan().SequenceEqual(_identity.PublicKey.Span))
            return "that is your own address";
        if (_links.TryGetValue(HashAddress.FromPublicKey(key), out var existing) && existing.State == PeerLinkState.Connected)
            return "already connected to that peer";
        if (!_options.HasSeed)
            return "no seed is configured (pype.node.seeds)";
        if (!IsRegistered)
            return "not registered at a seed yet";
        RequestIntroductionOf(PeerKey.Parse(key), requester);
        return null;
    }

    /// <summary>The user's <c>disconnect</c> by address or by at least eight hex digits of the hash.</summary>
    public bool TryDisconnect(string peer, out HashAddress disconnected, out string failure)
    {
        var text = peer.Trim();
        var choice = PypeAddress.Parse(text) is AddressParseResult.Ok { PublicKey: var key }
            ? HexPrefix.Choose(_links.Keys, h => h.ToString(), HashAddress.FromPublicKey(key).ToString())
            : text.Length >= 8 && text.All(Uri.IsHexDigit)
                ? HexPrefix.Choose(_links.Keys, h => h.ToString(), text)
                : default;
        disconnected = default;
        failure = choice.Matching == 0 ? $"no peer matches '{text}'" : $"'{text}' matches {choice.Matching} peers; give more digits";
        if (!choice.IsUnique)
            return false;
        disconnected = choice.Chosen;
        StopAndForget(disconnected);
        failure = "";
        return true;
    }

    private void MaintainOverlay()
    {
        if (!_options.HasSeed || !IsRegistered || _options.OverlayDegree == 0)
            return;
        if (ActiveLinkCount() >= _options.OverlayDegree)
            return;
        _commands.Enqueue(new RequestPeerList((byte)Math.Min(MaxPeerListRequest, _options.OverlayDegree * 2)));
    }

    private void ConnectToNewPeers(IReadOnlyList<PeerKey> peers)
    {
        var deficit = _options.OverlayDegree - ActiveLinkCount() - _pendingIntroductions.Count - _introductionsAsked.Count;
        foreach (var peer in peers)
        {
            if (deficit <= 0)
                break;
            if (peer.Span.SequenceEqual(_identity.PublicKey.Span) || _links.ContainsKey(HashAddress.FromPublicKey(peer.Span)) || IsIntroductionPending(peer))
                continue;
            RequestIntroductionOf(peer, requester: null);
            deficit--;
        }
    }

    private int ActiveLinkCount() => _links.Values.Count(l => l.State is PeerLinkState.Connected or PeerLinkState.Punching);

    private bool IsIntroductionPending(PeerKey target) =>
        _introductionsAsked.Contains(target) || _pendingIntroductions.Values.Any(p => p.Target.Equals(target));

    private void RequestIntroductionOf(PeerKey target, object? requester, int attempt = 1)
    {
        if (!_options.HasSeed || !IsRegistered)
        {
            if (requester is not null)
                _events.Enqueue(new ConnectFailed(requester, !_options.HasSeed ? "no seed is configured (pype.node.seeds)" : "not registered at a seed yet"));
            return;
        }
        _introductionsAsked.Add(target);
        _commands.Enqueue(new RequestIntroduction(target, requester, attempt));
    }

    private uint RandomIndex()
    {
        Span<byte> bytes = stackalloc byte[4];
        _random.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }

    private sealed class Link(byte[] identityKey, string staticKeyHex, long generation, DateTimeOffset since)
    {
        public byte[] IdentityKey { get; } = identityKey;

        public string StaticKeyHex { get; } = staticKeyHex;

        public long Generation { get; } = generation;

        public PeerLinkState State { get; set; } = PeerLinkState.Punching;

        /// <summary>This node asked the seed for it (its overlay, a call), rather than being introduced at the peer's request.</summary>
        public bool Wanted { get; init; }

        public CandidateKind? PathKind { get; set; }

        public IPEndPoint? Path { get; set; }

        public TimeSpan? Rtt { get; set; }

        public DateTimeOffset? ConnectedAt { get; set; }

        public DateTimeOffset Since { get; set; } = since;
    }

    private sealed record PendingIntroduction(PeerKey Target, object? Requester, int Attempt, DateTimeOffset Due);
}
