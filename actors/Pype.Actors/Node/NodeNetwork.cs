using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Actors.Transport;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;

namespace Pype.Actors.Node;

/// <summary>
/// The <see cref="NodeGuardian"/>'s network actors for one identity: gossip, seed link, relay, peer
/// list and calls, every one bound to the identity's key. A key rotation stops the set and starts
/// the next under new names, since the old ones may still be stopping when the new ones start;
/// the guardian drops what the old set still sends by checking the sender against these.
/// The parts every identity shares (transport, replicas, contacts, handshake clock) are given once.
/// </summary>
internal sealed class NodeNetwork(PypeSettings settings, IActorRef transport, IActorRef addressBook, IActorRef callList, IActorRef contacts, HandshakeClock handshakeClock)
{
    private int generation;

    public IActorRef Gossip { get; private set; } = ActorRefs.Nobody;

    public IActorRef Peers { get; private set; } = ActorRefs.Nobody;

    public IActorRef Calls { get; private set; } = ActorRefs.Nobody;

    /// <summary>Null without seeds configured.</summary>
    public IActorRef? SeedLink { get; private set; }

    /// <summary>Only a seed hands out TURN servers, so without a seed link there is nothing to allocate on.</summary>
    public IActorRef? Relay { get; private set; }

    /// <summary>Starts the set for <paramref name="identity"/>, publishing <paramref name="hostCandidates"/> and handing them to the seed.</summary>
    public void Start(IActorContext context, IdentityKeyPair identity, IReadOnlyList<Candidate> hostCandidates)
    {
        var suffix = generation++ == 0 ? "" : $"-{generation - 1}";
        Gossip = context.ActorOf(GossipActor.Props(identity, settings.Node.Replication, hostCandidates, addressBook, callList, contacts), "gossip" + suffix);
        SeedLink = settings.Node.Seeds.Count == 0 ? null : context.ActorOf(SeedLinkActor.Props(new SeedClientOptions
        {
            Identity = identity,
            Seeds = settings.Node.Seeds,
            HostCandidates = hostCandidates,
            KeepaliveInterval = settings.Node.KeepaliveInterval,
            HandshakeClock = handshakeClock,
        }, transport), "seedlink" + suffix);
        Relay = SeedLink is null ? null : context.ActorOf(Pype.Actors.Relay.RelayActor.Props(transport), "relay" + suffix);
        Peers = context.ActorOf(PeerListActor.Props(identity, settings.Node, transport, SeedLink, handshakeClock), "peers" + suffix);
        Calls = context.ActorOf(Pype.Actors.Calls.CallManagerActor.Props(identity, settings.Node.Calls, settings.Media, Peers, Gossip), "calls" + suffix);
    }

    public void Stop(IActorContext context)
    {
        foreach (var child in new[] { SeedLink, Relay, Calls, Peers, Gossip })
            if (child is not null) context.Stop(child);
    }
}
