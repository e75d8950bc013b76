using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using static Pype.Core.Node.EndpointCommand;
using static Pype.Core.Node.EndpointEvent;

namespace Pype.Core.Node;

/// <summary>The links: introductions start them, their events move them, and session plaintexts go where their type says.</summary>
public sealed partial class NodeEndpoint
{
    /// <summary>What a link reports beyond its events: its path and round-trip time as they change.</summary>
    public void HandleLinkState(HashAddress peer, long generation, CandidateKind? pathKind, IPEndPoint? path, TimeSpan? rtt)
    {
        if (!TryGetLink(peer, generation, out var link))
            return;
        link.PathKind = pathKind ?? link.PathKind;
        link.Path = path ?? link.Path;
        link.Rtt = rtt ?? link.Rtt;
    }

    /// <summary>The link's owner stopped (it failed, or was stopped): forgotten, and its neighbour gone if it was connected.</summary>
    public void HandleLinkStopped(HashAddress peer, long generation)
    {
        if (!TryGetLink(peer, generation, out var link))
            return;
        if (link.State == PeerLinkState.Connected)
            _events.Enqueue(new NeighbourDown(peer));
        Forget(peer, link);
    }

    public void HandleLinkEvent(DateTimeOffset now, HashAddress peer, long generation, PeerLinkEvent linkEvent)
    {
        if (!TryGetLink(peer, generation, out var link))
            return;
        switch (linkEvent)
        {
            case PeerLinkEvent.Connected connected:
                link.State = PeerLinkState.Connected;
                link.PathKind = connected.Kind;
                link.Path = connected.Path;
                link.ConnectedAt = link.Since = now;
                _events.Enqueue(new NeighbourUp(peer));
                foreach (var payload in _heldSignals.Release(now, peer))
                    _commands.Enqueue(new SendToLink(peer, payload));
                _events.Enqueue(new LinkConnected(peer, connected.Kind, connected.Path, connected.Elapsed));
                break;
            case PeerLinkEvent.PathChanged changed:
                link.PathKind = changed.Kind;
                link.Path = changed.To;
                _events.Enqueue(new LinkPathChanged(peer, changed.Kind, changed.To));
                break;
            case PeerLinkEvent.Lost lost:
                link.State = PeerLinkState.Lost;
                _events.Enqueue(new NeighbourDown(peer));
                _events.Enqueue(new LinkLost(peer, lost.Silence));
                _commands.Enqueue(new StopLink(peer, link.Generation));
                break;
            case PeerLinkEvent.NoDirectPath none:
                link.State = PeerLinkState.NoDirectPath;
                _events.Enqueue(new LinkWithoutPath(peer, none.CandidatesTried, none.Elapsed));
                _commands.Enqueue(new StopLink(peer, link.Generation));
                // Its introductions may have been made a moment before either side's relay was
                // known to the seed (a connect can overtake the registration that names it): one
                // fresh introduction carries whatever relayed addresses both sides have now.
                var key = PeerKey.Parse(link.IdentityKey);
                if (_withoutPath.Add(now, key) && !IsIntroductionPending(key))
                    RequestIntroductionOf(key, requester: null);
                break;
            case PeerLinkEvent.DataReceived data:
                RouteSessionPayload(peer, link, data.Payload);
                break;
        }
    }

    /// <summary>
    /// Whether the call manager routes this peer's media straight to a media session. A peer it
    /// never routed keeps the old way (media up to the call manager); a withdrawn route drops the
    /// late packets of an ended call here.
    /// </summary>
    public void SetMediaRoute(HashAddress peer, bool routed) => _mediaRouted[peer] = routed;

    public void SendGossip(HashAddress peer, byte[] message) => SendIfConnected(peer, message, NodeEndpointDrop.GossipForUnconnectedPeer);

    public void SendMedia(HashAddress peer, byte[] packet) => SendIfConnected(peer, packet, NodeEndpointDrop.MediaForUnconnectedPeer);

    /// <summary>
    /// Call signalling goes over the session with the peer; without one, it waits here while the
    /// seed introduces the two (the caller reaching its callee, or a callee connecting back to a
    /// caller it found in the call list).
    /// </summary>
    public void SendCallSignal(DateTimeOffset now, HashAddress peer, byte[] peerIdentityKey, byte[] payload)
    {
        if (_links.TryGetValue(peer, out var link) && link.State == PeerLinkState.Connected)
        {
            _commands.Enqueue(new SendToLink(peer, payload));
            return;
        }
        for (var dropped = _heldSignals.Hold(now, peer, payload); dropped > 0; dropped--)
            Drops.Count(NodeEndpointDrop.CallSignalExpiredWaitingForSession);
        var punching = link is { State: PeerLinkState.Punching };
        var target = PeerKey.Parse(peerIdentityKey);
        if (punching || IsIntroductionPending(target))
            return;
        if (!_options.HasSeed || !IsRegistered)
            Drops.Count(NodeEndpointDrop.CallSignalWithoutSeed);
        else
            RequestIntroductionOf(target, requester: null);
    }

    private void HandleIntroduction(DateTimeOffset now, IntroductionReceived introduction)
    {
        var key = introduction.Peer.PublicKey.ToArray();
        if (key.AsSpan().SequenceEqual(_identity.PublicKey.Span))
        {
            Drops.Count(NodeEndpointDrop.IntroductionToSelf);
            return;
        }
        var peer = HashAddress.FromPublicKey(key);
        var candidates = introduction.Peer.Candidates.ToList();
        if (introduction.ObservedEndPoint is { } observed && candidates.All(c => !c.EndPoint.Equals(observed)))
            candidates.Add(new Candidate(CandidateKind.ServerReflexive, observed));
        // The asker chose these addresses: nothing goes to one this node must not probe.
        var outOfRange = candidates.RemoveAll(candidate => !_options.CandidateRanges.Allows(candidate.EndPoint));
        for (var dropped = 0; dropped < outOfRange; dropped++)
            Drops.Count(NodeEndpointDrop.CandidateOutOfRange);
        if (candidates.Count == 0)
        {
            Drops.Count(NodeEndpointDrop.IntroductionWithoutUsableCandidate);
            return;
        }
        if (_links.TryGetValue(peer, out var existing))
        {
            // The introduction brings fresh candidates (the peer's or our relay appeared or changed):
            // a connected link probes them, a punching one adds them to its rounds.
            if (existing.State is PeerLinkState.Connected or PeerLinkState.Punching)
                _commands.Enqueue(new ReintroduceLink(peer, candidates));
            if (existing.State is PeerLinkState.Connected or PeerLinkState.Punching)
                return;
            _commands.Enqueue(new StopLink(peer, existing.Generation));
            Forget(peer, existing);
        }
        if (!IdentityKeyPair.TryToX25519PublicKey(key, out var staticKey))
        {
            Drops.Count(NodeEndpointDrop.IntroductionUnusableKey);
            return;
        }
        var wanted = IsIntroductionPending(PeerKey.Parse(key));
        if (!AdmitLink(peer, wanted))
            return;
        var link = new Link(key, Convert.ToHexStringLower(staticKey), ++_generation, now) { Wanted = wanted };
        _links[peer] = link;
        _linksByStaticKey[link.StaticKeyHex] = peer;
        _commands.Enqueue(new StartLink(peer, key, candidates, link.Generation));
    }

    private void RouteSessionPayload(HashAddress peer, Link link, byte[] payload)
    {
        switch (SessionMessageRanges.KindOf(payload))
        {
            case SessionPayloadKind.Gossip:
                _events.Enqueue(new GossipArrived(peer, payload));
                break;
            case SessionPayloadKind.Call:
                _events.Enqueue(new CallSignalArrived(peer, link.IdentityKey, payload));
                break;
            case SessionPayloadKind.Media when _mediaRouted.GetValueOrDefault(peer, true) is false:
                Drops.Count(NodeEndpointDrop.MediaWithoutRoute);
                break;
            case SessionPayloadKind.Media:
                _events.Enqueue(new MediaArrived(peer, payload));
                break;
            default:
                Drops.Count(NodeEndpointDrop.DataOfUnknownType);
                break;
        }
    }

    private void SendIfConnected(HashAddress peer, byte[] payload, NodeEndpointDrop otherwise)
    {
        if (_links.TryGetValue(peer, out var link) && link.State == PeerLinkState.Connected)
            _commands.Enqueue(new SendToLink(peer, payload));
        else
            Drops.Count(otherwise);
    }

    private void StopAndForget(HashAddress peer)
    {
        var link = _links[peer];
        if (link.State == PeerLinkState.Connected)
            _events.Enqueue(new NeighbourDown(peer));
        _commands.Enqueue(new StopLink(peer, link.Generation));
        Forget(peer, link);
    }

    private bool TryGetLink(HashAddress peer, long generation, out Link link) =>
        _links.TryGetValue(peer, out link!) && link.Generation == generation;

    private void Forget(HashAddress peer, Link link)
    {
        _links.Remove(peer);
        _linksByStaticKey.Remove(link.StaticKeyHex);
    }
}
