using Pype.Core.Node;
using Pype.Core.Replication;

namespace Pype.Simulation;

/// <summary>
/// The node's gossip: the real <see cref="GossipEngine"/> with its address-book and call-list
/// replicas, fed as GossipActor feeds it (neighbours and gossip from the endpoint's events, as
/// PeerListActor and the node guardian forward them; its sends back to the endpoint). No journal:
/// persistence is the actor's (the stores), so the replicas start empty, as on a first run.
/// </summary>
public sealed partial class SimulatedNode
{
    // The node guardian's record of its own addresses (host, what the seed saw, the relay's), which the gossip publishes.
    private readonly OwnAddresses _own;

    /// <summary>The node's real gossip engine, its replicas in <see cref="GossipEngine.AddressBook"/> and <see cref="GossipEngine.CallList"/>.</summary>
    public GossipEngine Gossip { get; }

    /// <summary>Everything the gossip engine told the rest of the node, in order.</summary>
    public List<GossipEvent> GossipEvents { get; } = [];

    /// <summary>The user's call, as CallManagerActor asks the gossip to place its entry in the call list.</summary>
    public LocalCallChange PlaceCall(ReadOnlySpan<byte> calleePublicKey, UInt128 callId, ReadOnlySpan<byte> offer)
    {
        LocalCallChange? change = null;
        var callee = calleePublicKey.ToArray();
        var offered = offer.ToArray();
        Deliver(() => FeedGossip(at => change = Gossip.PlaceCall(at, callee, callId, offered)));
        return change!;
    }

    /// <summary>GossipActor's start: the engine over empty replicas of the configured capacity, then its own record.</summary>
    private static GossipEngine StartGossip(Core.Identity.IdentityKeyPair identity, SimulationRandom random, DateTimeOffset now, GossipSettings settings) =>
        new(identity, random, now, GossipOptions.ForNode(settings.AntiEntropyInterval, settings.ItemsPerSecondPerLink),
            new AddressBookReplica(new AddressBookLimits { Capacity = settings.AddressBookCapacity }),
            new CallListReplica(new CallListLimits { Capacity = settings.CallListCapacity }));

    /// <summary>The node guardian's own candidates (host, then what the seed saw, then the relay's address) for the gossip to publish.</summary>
    private void PublishOwnRecord(DateTimeOffset now) =>
        Gossip.PublishOwnRecord(now, _own.Candidates, []);

    /// <summary>What the peer list tells the guardian that the guardian hands to the gossip.</summary>
    private void ForwardToGossip(EndpointEvent endpointEvent)
    {
        switch (endpointEvent)
        {
            case EndpointEvent.NeighbourUp up:
                Post(() => FeedGossip(at => Gossip.NeighbourAdded(at, up.Peer)));
                break;
            case EndpointEvent.NeighbourDown down:
                Post(() => FeedGossip(_ => Gossip.NeighbourRemoved(down.Peer)));
                break;
            case EndpointEvent.GossipArrived arrived:
                Post(() => FeedGossip(at => Gossip.HandleMessage(at, arrived.Peer, arrived.Payload)));
                break;
            // RegisteredAtSeed: the guardian republishes the record with the server-reflexive candidate.
            case EndpointEvent.SeedJoined joined when _own.RegisteredFrom(joined.ServerReflexive):
                Post(() => FeedGossip(PublishOwnRecord));
                break;
        }
    }

    /// <summary>GossipActor: one input, then its messages to the peer list (which sends them to the neighbour) and its events kept.</summary>
    private void FeedGossip(Action<DateTimeOffset> input)
    {
        input(_network.Now);
        while (Gossip.PollSend() is { } send)
            Post(() => FeedEndpoint(_ => Endpoint.SendGossip(send.Peer, send.Bytes)));
        while (Gossip.PollEvent() is { } gossipEvent)
        {
            GossipEvents.Add(gossipEvent);
            ForwardToCalls(gossipEvent);
        }
    }
}

/// <summary>The node's replication settings (pype.node.replication), its reference.conf defaults.</summary>
public sealed record GossipSettings
{
    public static GossipSettings Default { get; } = new();

    public int AddressBookCapacity { get; init; } = 100_000;

    public int CallListCapacity { get; init; } = 10_000;

    public TimeSpan AntiEntropyInterval { get; init; } = TimeSpan.FromSeconds(3);

    public int ItemsPerSecondPerLink { get; init; } = 200;
}
