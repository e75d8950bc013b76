using System.Net;
using Pype.Core.Connection;
using Pype.Core.Node;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Turn;

namespace Pype.Simulation;

/// <summary>
/// The node's TURN relay: the real <see cref="TurnRelay"/> (a <see cref="TurnClient"/> on the
/// granted server its rotation picks) run as RelayActor runs it, with the transport's part
/// (the server's STUN and ChannelData to the relay, via-relay sends and permissions to it, what
/// comes out of the allocation routed like a datagram from the peer) and the node guardian's
/// (grants from the seed link in, the relayed address out to the seed link, the gossip and the
/// peer list).
/// </summary>
public sealed partial class SimulatedNode
{
    /// <summary>The node's real relay; null without a seed, as only a seed hands out TURN servers.</summary>
    public TurnRelay? Relay { get; }

    /// <summary>Relay grants the seed link reported (one per registration that reached the seed and came back).</summary>
    public int RelayGrants { get; private set; }

    /// <summary>Every relayed address the relay reported, in order, with the virtual time it did (null: none any more).</summary>
    public List<(DateTimeOffset At, IPEndPoint? Relayed)> RelayedAddresses { get; } = [];

    /// <summary>The transport's relay handler: the relay once it allocates somewhere, as RegisterRelayHandler makes it.</summary>
    private TurnRelay? RelayHandler => _demux.RelayHandler as TurnRelay;

    /// <summary>RelayActor: one input, then its events (a new server registered with the transport before its Allocate goes out), then its datagrams.</summary>
    private void FeedRelay(TurnRelay relay, Action<DateTimeOffset> input)
    {
        input(_network.Now);
        while (relay.PollEvent() is { } relayEvent)
        {
            switch (relayEvent)
            {
                case TurnRelayEvent.DataReceived data:
                    RouteRelayed(data.Peer, data.Payload.ToArray());
                    break;
                case TurnRelayEvent.RelayedAddressChanged changed:
                    Post(() => OwnRelayChanged(changed.Relayed));
                    break;
                case TurnRelayEvent.FreshGrantWanted:
                    Post(() => FeedSeed(at => SeedClient.RequestRelayGrant(at)));
                    break;
                case TurnRelayEvent.AllocatingOn allocating:
                    _demux.SetRelay(relay, allocating.Server);
                    break;
                case TurnRelayEvent.Allocated or TurnRelayEvent.AllocationLost or TurnRelayEvent.AllocationFailed:
                    _network.Trace.Note(_network.Now, $"{Host.Name} relay {relayEvent.GetType().Name}");
                    break;
            }
        }
        while (relay.PollTransmit() is { } transmit)
            _network.Send(Host, transmit.Destination, transmit.Datagram.ToArray());
    }

    /// <summary>The transport's <c>RelayedInbound</c>: a Pype packet out of the allocation goes to its owner as if from the peer, marked as relayed.</summary>
    private void RouteRelayed(IPEndPoint peer, byte[] datagram)
    {
        switch (_demux.OwnerOfRelayed(_network.Now, datagram))
        {
            case NodeLink link:
                Post(() => FeedLink(link, (at, core) => core.HandleDatagram(at, peer, datagram, viaRelay: true)));
                break;
            case NodeEndpoint:
                Post(() => FeedEndpoint(at => Endpoint.HandleInitiation(at, peer, datagram, viaRelay: true)));
                break;
        }
    }

    /// <summary>The transport's <c>SendDatagram(…, ViaRelay: true)</c>: to the relay handler, or counted as a drop when there is none.</summary>
    private void SendViaRelay(IPEndPoint destination, byte[] datagram)
    {
        if (RelayHandler is { } relay)
            Post(() => FeedRelay(relay, at => relay.Send(at, destination, datagram)));
        else
            _demux.CountDrop("relay-send-without-relay");
    }

    /// <summary>ConnectionActor's <c>PermitRelayPeers</c> on an introduction: every address the peer's candidates name, forwarded by the transport to its relay handler, if any.</summary>
    private void PermitRelayPeers(IReadOnlyList<Candidate> candidates)
    {
        if (RelayHandler is not { } relay)
            return;
        IPAddress[] addresses = [.. candidates.Select(c => c.EndPoint.Address).Distinct()];
        Post(() => FeedRelay(relay, at => relay.Permit(at, addresses)));
    }

    /// <summary>The node guardian: the seed's grant goes to the relay.</summary>
    private void GrantRelay(RelayGrantReceived grant)
    {
        RelayGrants++;
        if (Relay is { } relay)
            Post(() => FeedRelay(relay, at => relay.HandleGrant(at, grant.Grant)));
    }

    /// <summary>
    /// The node guardian on a new relayed address: to the seed link (a fresh registration), into
    /// the gossiped record, and then to the peer list, so the seed holds it before the endpoint
    /// has relayed peers introduced again.
    /// </summary>
    private void OwnRelayChanged(IPEndPoint? relayed)
    {
        _own.RelayedChanged(relayed);
        RelayedAddresses.Add((_network.Now, relayed));
        _network.Trace.Note(_network.Now, $"{Host.Name} relayed address {relayed?.ToString() ?? "none"}");
        Post(() => FeedSeed(at => SeedClient.SetRelayedCandidate(at, relayed)));
        Post(() => FeedGossip(PublishOwnRecord));
        if (relayed is not null)
            Post(() => FeedEndpoint(at => Endpoint.HandleOwnRelayChanged(at)));
    }
}
