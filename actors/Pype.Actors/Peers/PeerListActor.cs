using System.Net;
using Akka.Actor;
using Pype.Actors.Node;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;

namespace Pype.Actors.Peers;

/// <summary>
/// Keeps the overlay at its target degree: asks the seed for peers and introductions, starts a
/// ConnectionActor per peer, answers handshake initiations (which name no index yet) and hands
/// each accepted one to its peer's ConnectionActor. Reports network events to the node.
/// </summary>
public sealed class PeerListActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan MaintainInterval = TimeSpan.FromSeconds(5);
    private const byte GossipFirstType = 0x20;
    private const byte GossipLastType = 0x2F;
    private const byte CallFirstType = 0x30;
    private const byte CallLastType = 0x3F;
    private const byte MediaFirstType = 0x40;
    private const byte MediaLastType = 0x4F;
    // A connect request or its answer can be lost like any datagram: ask again every second,
    // five times in all, before telling the user the seed did not answer.
    private static readonly TimeSpan IntroductionRetryInterval = TimeSpan.FromSeconds(1);
    private const int IntroductionAttempts = 5;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    private sealed record Maintain
    {
        public static readonly Maintain Instance = new();
    }

    private sealed record IntroductionTimedOut(uint RequestId);

    private sealed class Link(IActorRef actor, byte[] identityKey, DateTimeOffset since)
    {
        public IActorRef Actor { get; } = actor;
        public byte[] IdentityKey { get; } = identityKey;
        public PeerLinkState State { get; set; } = PeerLinkState.Punching;
        public CandidateKind? PathKind { get; set; }
        public DateTimeOffset Since { get; set; } = since;
    }

    private sealed record PendingIntroduction(PeerKey Target, IActorRef? ReplyTo, int Attempt);

    private readonly IdentityKeyPair identity;
    private readonly Configuration.NodeSettings settings;
    private readonly IActorRef transport;
    private readonly IActorRef? seedLink;
    private readonly NoiseKeyPair localStatic;
    private readonly NoiseResponder responder;
    private readonly HandshakeRateLimiter rateLimiter = new(10, 20, 4096);
    private readonly PeerLinkOptions linkOptions;
    private readonly Dictionary<HashAddress, Link> links = [];
    private readonly Dictionary<string, HashAddress> linksByStaticKey = [];
    private readonly Dictionary<uint, PendingIntroduction> pendingIntroductions = [];
    private readonly Dictionary<string, long> drops = [];
    private readonly HeldCallSignals heldSignals = new();
    private bool registered;
    private long linkGeneration;

    public PeerListActor(IdentityKeyPair identity, Configuration.NodeSettings settings, IActorRef transport, IActorRef? seedLink)
    {
        this.identity = identity;
        this.settings = settings;
        this.transport = transport;
        this.seedLink = seedLink;
        localStatic = NoiseStaticKey.From(identity);
        // Only peers the seed introduced may complete a handshake with us: their X25519 keys are
        // known before their initiations arrive, which is also how an initiation finds its link.
        responder = new NoiseResponder(localStatic, staticKey => linksByStaticKey.ContainsKey(Convert.ToHexStringLower(staticKey)));
        linkOptions = new PeerLinkOptions { KeepaliveInterval = settings.KeepaliveInterval, PunchTimeout = settings.PunchTimeout };

        Receive<InboundDatagram>(OnInitiation);
        Receive<SeedLinkEventOccurred>(e => OnSeedEvent(e.Event));
        Receive<LinkEventOccurred>(OnLinkEvent);
        Receive<ConnectToPeer>(OnConnectCommand);
        Receive<ConnectRequestSent>(OnIntroductionRequested);
        Receive<DisconnectPeer>(OnDisconnect);
        Receive<Replication.SendGossip>(send =>
        {
            if (links.TryGetValue(send.Peer, out var link) && link.State == PeerLinkState.Connected)
                link.Actor.Tell(new SendToPeer(send.Message));
            else CountDrop("gossip-for-unconnected-peer");
        });
        Receive<Calls.SendCallSignal>(OnSendCallSignal);
        Receive<Media.SendMediaPacket>(send =>
        {
            if (links.TryGetValue(send.Peer, out var link) && link.State == PeerLinkState.Connected)
                link.Actor.Tell(new SendToPeer(send.Payload));
            else CountDrop("media-for-unconnected-peer");
        });
        Receive<IntroductionTimedOut>(t =>
        {
            if (!pendingIntroductions.Remove(t.RequestId, out var pending)) return;
            if (pending.Attempt < IntroductionAttempts) RequestIntroduction(pending.Target, pending.ReplyTo, pending.Attempt + 1);
            else pending.ReplyTo?.Tell(new CommandFailed("connect", "the seed did not answer in time"));
        });
        Receive<Maintain>(_ => MaintainOverlay());
        Receive<OwnRelayChanged>(_ => OnOwnRelayChanged());
        ReceiveAsync<ListPeers>(async _ => Sender.Tell(new PeersView(await LinkViewsAsync())));
        Receive<GetPeerListStatus>(_ => Sender.Tell(new PeerListStatus(
            links.Values.Count(l => l.State == PeerLinkState.Connected),
            links.Values.Count(l => l.State == PeerLinkState.Punching),
            settings.OverlayDegree, new Dictionary<string, long>(drops))));
        Receive<Terminated>(t =>
        {
            foreach (var (hash, link) in links.Where(l => l.Value.Actor.Equals(t.ActorRef)).ToList())
            {
                if (link.State == PeerLinkState.Connected) Context.Parent.Tell(new Replication.NeighbourDown(hash));
                Forget(hash, link);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IdentityKeyPair identity, Configuration.NodeSettings settings, IActorRef transport, IActorRef? seedLink) =>
        Akka.Actor.Props.Create(() => new PeerListActor(identity, settings, transport, seedLink));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        transport.Tell(new RegisterHandshakeHandler(Self));
        Timers.StartPeriodicTimer("maintain", Maintain.Instance, MaintainInterval);
    }

    /// <summary>A connection actor that throws is stopped; a new introduction starts a fresh one.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void CountDrop(string reason, int count = 1)
    {
        if (count > 0) drops[reason] = drops.GetValueOrDefault(reason) + count;
    }

    private void OnInitiation(InboundDatagram datagram)
    {
        // Only a sender who knows our public key gets as far as the rate limiter (mac1): strangers cannot use up our contacts' budget.
        var screened = responder.Screen(datagram.Datagram);
        if (screened != HandshakeRejection.None)
        {
            CountDrop("initiation-" + screened.ToString().ToLowerInvariant());
            return;
        }
        if (!rateLimiter.TryTake(datagram.Source.Address, Now, out var tableFull))
        {
            CountDrop(tableFull ? "initiation-rate-table-full" : "initiation-rate-limited");
            return;
        }
        var outcome = responder.Respond(datagram.Datagram, RandomIndex(), Now, SystemRandomSource.Instance);
        if (!outcome.IsSuccess)
        {
            CountDrop("initiation-" + outcome.Reason.ToString().ToLowerInvariant());
            return;
        }
        var accepted = outcome.Value!;
        if (linksByStaticKey.TryGetValue(Convert.ToHexStringLower(accepted.Session.RemoteStaticPublicKey.ToArray()), out var peer) && links.TryGetValue(peer, out var link))
            link.Actor.Tell(new AcceptedHandshake(datagram.Source, accepted, datagram.ViaRelay));
        else CountDrop("initiation-from-unknown-peer");
    }

    private void OnSeedEvent(SeedClientEvent seedEvent)
    {
        switch (seedEvent)
        {
            case SeedRegisteredEvent r:
                var first = !registered;
                registered = true;
                Publish(new RegisteredAtSeed(r.Seed.EndPoint.ToString(), r.ServerReflexive.ToString()));
                if (first) MaintainOverlay();
                break;
            case SeedLostEvent lost:
                registered = false;
                Publish(new LostSeed(lost.Seed.EndPoint.ToString(), lost.Reason.ToString()));
                break;
            case PeerListReceived list:
                ConnectToNewPeers(list.Peers);
                break;
            case ConnectResultReceived result when pendingIntroductions.Remove(result.RequestId, out var pending):
                Timers.Cancel(("introduction", result.RequestId));
                var hash = HashAddress.FromPublicKey(pending.Target.Span).ToString();
                pending.ReplyTo?.Tell(result.Status == SeedConnectStatus.Introduced
                    ? new ConnectRequested(hash)
                    : new CommandFailed("connect", result.Status == SeedConnectStatus.Offline
                        ? $"{hash[..16]}… is not online at the seed"
                        : $"the seed refused the introduction ({result.Status})"));
                break;
            case IntroductionReceived introduction:
                OnIntroduction(introduction);
                break;
        }
    }

    private void OnIntroduction(IntroductionReceived introduction)
    {
        var key = introduction.Peer.PublicKey.ToArray();
        if (key.AsSpan().SequenceEqual(identity.PublicKey.Span))
        {
            CountDrop("introduction-to-self");
            return;
        }
        var hash = HashAddress.FromPublicKey(key);
        var candidates = introduction.Peer.Candidates.ToList();
        if (introduction.ObservedEndPoint is { } observed && candidates.All(c => !c.EndPoint.Equals(observed)))
            candidates.Add(new Candidate(CandidateKind.ServerReflexive, observed));
        if (links.TryGetValue(hash, out var existing))
        {
            // Connected already: the introduction brings fresh candidates (the peer's or our relay changed).
            if (existing.State == PeerLinkState.Connected) existing.Actor.Tell(new Reintroduce(candidates));
            if (existing.State is PeerLinkState.Connected or PeerLinkState.Punching) return;
            Context.Stop(existing.Actor);
            Forget(hash, existing);
        }
        if (!IdentityKeyPair.TryToX25519PublicKey(key, out var staticKey))
        {
            CountDrop("introduction-unusable-key");
            return;
        }
        var actor = Context.ActorOf(ConnectionActor.Props(localStatic, identity.PublicKey.ToArray(), key, linkOptions, transport),
            // A stopped link's name stays taken until it has terminated: number the generations.
            $"conn-{hash.Short}-{++linkGeneration}");
        Context.Watch(actor);
        links[hash] = new Link(actor, key, Now);
        linksByStaticKey[Convert.ToHexStringLower(staticKey)] = hash;
        actor.Tell(new StartPunching(candidates));
    }

    private void OnLinkEvent(LinkEventOccurred occurred)
    {
        if (!links.TryGetValue(occurred.Peer, out var link)) return;
        var hash = occurred.Peer.ToString();
        switch (occurred.Event)
        {
            case PeerLinkEvent.Connected connected:
                link.State = PeerLinkState.Connected;
                link.PathKind = connected.Kind;
                link.Since = Now;
                Context.Parent.Tell(new Replication.NeighbourUp(occurred.Peer));
                ReleaseHeldSignals(occurred.Peer, link);
                Publish(new PeerConnected(hash, PeerNames.Kind(connected.Kind), connected.Path.ToString(), connected.Elapsed.TotalMilliseconds));
                break;
            case PeerLinkEvent.PathChanged changed:
                link.PathKind = changed.Kind;
                Publish(new PeerPathChanged(hash, PeerNames.Kind(changed.Kind), changed.To.ToString()));
                break;
            case PeerLinkEvent.Lost lost:
                link.State = PeerLinkState.Lost;
                Context.Parent.Tell(new Replication.NeighbourDown(occurred.Peer));
                Publish(new PeerLost(hash, $"nothing heard for {lost.Silence.TotalSeconds:0} s"));
                Context.Stop(link.Actor);
                break;
            case PeerLinkEvent.DataReceived data when data.Payload is [>= GossipFirstType and <= GossipLastType, ..]:
                Context.Parent.Tell(new Replication.GossipReceived(occurred.Peer, data.Payload));
                break;
            case PeerLinkEvent.DataReceived data when data.Payload is [>= MediaFirstType and <= MediaLastType, ..]:
                Context.Parent.Tell(new Calls.MediaReceivedFromPeer(occurred.Peer, data.Payload));
                break;
            case PeerLinkEvent.DataReceived data when data.Payload is [>= CallFirstType and <= CallLastType, ..]:
                Context.Parent.Tell(new Calls.CallSignalReceived(occurred.Peer, link.IdentityKey, data.Payload));
                break;
            case PeerLinkEvent.DataReceived:
                CountDrop("data-of-unknown-type");
                break;
            case PeerLinkEvent.NoDirectPath none:
                link.State = PeerLinkState.NoDirectPath;
                Publish(new NoDirectPath(hash, none.CandidatesTried, none.Elapsed.TotalMilliseconds));
                Context.Stop(link.Actor);
                break;
        }
    }

    /// <summary>
    /// Call signalling goes over the session with the peer; without one, it waits here while the
    /// seed introduces the two (the caller reaching its callee, or a callee connecting back to a
    /// caller it found in the call list).
    /// </summary>
    private void OnSendCallSignal(Calls.SendCallSignal send)
    {
        if (links.TryGetValue(send.Peer, out var link) && link.State == PeerLinkState.Connected)
        {
            link.Actor.Tell(new SendToPeer(send.Payload));
            return;
        }
        CountDrop("call-signal-expired-waiting-for-session", heldSignals.Hold(Now, send.Peer, send.Payload));
        var punching = link is { State: PeerLinkState.Punching };
        var peerKey = PeerKey.Parse(send.PeerPublicKey);
        if (!punching && !pendingIntroductions.Values.Any(p => p.Target.Equals(peerKey)))
        {
            if (seedLink is null || !registered) CountDrop("call-signal-without-seed");
            else RequestIntroduction(peerKey, replyTo: null);
        }
    }

    private void ReleaseHeldSignals(HashAddress peer, Link link)
    {
        foreach (var payload in heldSignals.Release(Now, peer)) link.Actor.Tell(new SendToPeer(payload));
    }

    /// <summary>
    /// Our relayed address changed (a new allocation, after a TURN server restarted or failed over):
    /// a session running through a relay may have run through the old one, so the seed introduces
    /// those peers again, and both sides probe the fresh candidates (see <see cref="PeerLink.Reintroduce"/>).
    /// </summary>
    private void OnOwnRelayChanged()
    {
        foreach (var link in links.Values.Where(l => l is { State: PeerLinkState.Connected, PathKind: CandidateKind.Relayed }))
        {
            var key = PeerKey.Parse(link.IdentityKey);
            if (!pendingIntroductions.Values.Any(p => p.Target.Equals(key))) RequestIntroduction(key, replyTo: null);
        }
    }

    private void OnConnectCommand(ConnectToPeer connect)
    {
        if (PypeAddress.Parse(connect.Address) is not AddressParseResult.Ok { PublicKey: var key })
        {
            Sender.Tell(new CommandFailed("connect", ((AddressParseResult.Failed)PypeAddress.Parse(connect.Address)).Message));
            return;
        }
        if (key.AsSpan().SequenceEqual(identity.PublicKey.Span))
        {
            Sender.Tell(new CommandFailed("connect", "that is your own address"));
            return;
        }
        if (links.TryGetValue(HashAddress.FromPublicKey(key), out var existing) && existing.State == PeerLinkState.Connected)
        {
            Sender.Tell(new CommandFailed("connect", "already connected to that peer"));
            return;
        }
        RequestIntroduction(PeerKey.Parse(key), Sender);
    }

    private void OnDisconnect(DisconnectPeer disconnect)
    {
        var text = disconnect.Peer.Trim();
        var matches = PypeAddress.Parse(text) is AddressParseResult.Ok { PublicKey: var key }
            ? links.Where(l => l.Key == HashAddress.FromPublicKey(key)).ToList()
            : text.Length >= 8 && text.All(Uri.IsHexDigit)
                ? links.Where(l => l.Key.ToString().StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList()
                : [];
        if (matches.Count != 1)
        {
            Sender.Tell(new CommandFailed("disconnect", matches.Count == 0 ? $"no peer matches '{text}'" : $"'{text}' matches {matches.Count} peers; give more digits"));
            return;
        }
        var (hash, link) = matches[0];
        if (link.State == PeerLinkState.Connected) Context.Parent.Tell(new Replication.NeighbourDown(hash));
        Context.Unwatch(link.Actor);
        Context.Stop(link.Actor);
        Forget(hash, link);
        Sender.Tell(new PeerDisconnected(hash.ToString()));
    }

    private void RequestIntroduction(PeerKey target, IActorRef? replyTo, int attempt = 1)
    {
        if (seedLink is null || !registered)
        {
            replyTo?.Tell(new CommandFailed("connect", seedLink is null ? "no seed is configured (pype.node.seeds)" : "not registered at a seed yet"));
            return;
        }
        seedLink.Tell(new RequestIntroduction(target, replyTo, attempt));
    }

    private void OnIntroductionRequested(ConnectRequestSent sent)
    {
        if (sent.RequestId is not { } id)
        {
            sent.ReplyTo?.Tell(new CommandFailed("connect", "not registered at a seed yet"));
            return;
        }
        pendingIntroductions[id] = new PendingIntroduction(sent.Target, sent.ReplyTo, sent.Attempt);
        Timers.StartSingleTimer(("introduction", id), new IntroductionTimedOut(id), IntroductionRetryInterval);
    }

    private void MaintainOverlay()
    {
        if (seedLink is null || !registered || settings.OverlayDegree == 0) return;
        if (links.Values.Count(l => l.State is PeerLinkState.Connected or PeerLinkState.Punching) >= settings.OverlayDegree) return;
        seedLink.Tell(new RequestPeerList((byte)Math.Min(32, settings.OverlayDegree * 2)));
    }

    private void ConnectToNewPeers(IReadOnlyList<PeerKey> peers)
    {
        var deficit = settings.OverlayDegree - links.Values.Count(l => l.State is PeerLinkState.Connected or PeerLinkState.Punching) - pendingIntroductions.Count;
        foreach (var peer in peers)
        {
            if (deficit <= 0) break;
            if (peer.Span.SequenceEqual(identity.PublicKey.Span) || links.ContainsKey(HashAddress.FromPublicKey(peer.Span))) continue;
            if (pendingIntroductions.Values.Any(p => p.Target.Equals(peer))) continue;
            RequestIntroduction(peer, replyTo: null);
            deficit--;
        }
    }

    private void Forget(HashAddress hash, Link link)
    {
        links.Remove(hash);
        if (IdentityKeyPair.TryToX25519PublicKey(link.IdentityKey, out var staticKey))
            linksByStaticKey.Remove(Convert.ToHexStringLower(staticKey));
    }

    private async Task<IReadOnlyList<PeerView>> LinkViewsAsync()
    {
        var views = new List<PeerView>();
        foreach (var (hash, link) in links)
        {
            try
            {
                var view = await link.Actor.Ask<LinkView>(GetLinkView.Instance, AskTimeout);
                views.Add(new PeerView(hash.ToString(), PeerNames.State(view.State), view.PathKind is { } kind ? PeerNames.Kind(kind) : null,
                    view.ActivePath?.ToString(), view.Rtt?.TotalMilliseconds, view.ConnectedAt is { } at ? Now - at : null));
            }
            catch (AskTimeoutException)
            {
                views.Add(new PeerView(hash.ToString(), PeerNames.State(link.State), null, null, null, null));
            }
        }
        return views;
    }

    private void Publish(NodeReply nodeEvent) => Context.Parent.Tell(nodeEvent);

    private uint RandomIndex()
    {
        Span<byte> bytes = stackalloc byte[4];
        SystemRandomSource.Instance.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }
}
