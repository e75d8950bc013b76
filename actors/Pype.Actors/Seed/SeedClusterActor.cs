using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.DistributedData;
using Akka.Event;
using Pype.Core.Seed;

namespace Pype.Actors.Seed;

/// <summary>
/// One seed's membership in the seed cluster. The registry of online peers is a replicated
/// LWW map (peer key → encoded <see cref="ClusterPeer"/>, written only by the seed the peer is
/// registered at); its changes reach the local seed server as peers held elsewhere. Introductions
/// for a peer held by another member travel on that member's pub-sub topic. Members that leave or
/// are downed lose their entries. Nothing a member sends is trusted: the seed server re-checks
/// every presence's signature.
/// </summary>
public sealed class SeedClusterActor : ReceiveActor
{
    private static readonly LWWDictionaryKey<string, string> RegistryKey = new("pype-seed-registry");
    private const string TopicPrefix = "pype-seed-introductions-";

    private readonly Cluster cluster = Cluster.Get(Context.System);
    private readonly IActorRef replicator = DistributedData.Get(Context.System).Replicator;
    private readonly IActorRef mediator = DistributedPubSub.Get(Context.System).Mediator;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly string self;
    private readonly HashSet<string> members = [];
    /// <summary>The member each known registry entry belongs to, decoded once per change.</summary>
    private readonly Dictionary<string, string> memberOf = [];
    private IReadOnlyDictionary<string, string> known = new Dictionary<string, string>();
    private IActorRef server = ActorRefs.Nobody;
    private int shared;
    private long forwarded;

    public SeedClusterActor()
    {
        self = cluster.SelfAddress.ToString();
        Receive<IActorRef>(seedServer =>
        {
            // A restarted seed server starts empty: hand it everything other members hold.
            server = seedServer;
            var elsewhere = known.Values.Select(entry => ClusterPeerCodec.TryDecode(Decode(entry), out var peer) ? peer : null)
                .OfType<ClusterPeer>().Where(peer => peer.Member != self).ToList();
            if (elsewhere.Count > 0) server.Tell(new ClusterRegistryChanged(elsewhere, []));
        });
        Receive<ShareInCluster>(share =>
        {
            var entry = Convert.ToBase64String(ClusterPeerCodec.Encode(new ClusterPeer(share.Presence, share.Observed, self)));
            var key = Convert.ToHexStringLower(share.Presence.PublicKey.Span);
            replicator.Tell(Dsl.Update(RegistryKey, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
                registry => registry.SetItem(cluster, key, entry)));
        });
        Receive<WithdrawFromCluster>(withdraw =>
        {
            var key = Convert.ToHexStringLower(withdraw.Peer.Span);
            // Only our own entry: the peer may have moved to another seed since.
            replicator.Tell(Dsl.Update(RegistryKey, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
                registry => registry.TryGetValue(key, out var entry) && MemberOf(entry) == self ? registry.Remove(cluster, key) : registry));
        });
        Receive<IntroduceInCluster>(introduce =>
        {
            var payload = ClusterPeerCodec.EncodeIntroduction(introduce.Needed.Target, new ClusterPeer(introduce.Needed.About, introduce.Needed.Observed, self));
            mediator.Tell(new Publish(TopicPrefix + introduce.Needed.Member, new SeedClusterIntroduction(Convert.ToBase64String(payload))));
            forwarded++;
        });
        Receive<SeedClusterIntroduction>(arrived =>
        {
            var bytes = new byte[arrived.Payload.Length];
            server.Tell(Convert.TryFromBase64String(arrived.Payload, bytes, out var length)
                ? new ClusterIntroductionArrived(bytes[..length])
                : new ClusterIntroductionArrived([]));
        });
        Receive<Changed>(changed => changed.Key.Equals(RegistryKey), changed => OnRegistryChanged(changed.Get(RegistryKey)));
        Receive<ClusterEvent.MemberUp>(up => members.Add(up.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(removed => Forget(removed.Member.Address.ToString()));
        Receive<ClusterEvent.MemberExited>(exited => Forget(exited.Member.Address.ToString()));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up)) members.Add(member.Address.ToString());
        });
        Receive<SubscribeAck>(_ => { });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(failure => log.Warning("Seed registry update failed: {0}", failure));
        Receive<GetSeedClusterStatus>(_ => Sender.Tell(new SeedClusterStatus(self, members.Order(StringComparer.Ordinal).ToList(), shared, known.Count - shared, forwarded)));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new SeedClusterActor());

    protected override void PreStart()
    {
        cluster.Subscribe(Self, ClusterEvent.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        replicator.Tell(Dsl.Subscribe(RegistryKey, Self));
        mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Subscribe(TopicPrefix + self, Self));
    }

    protected override void PostStop() => cluster.Unsubscribe(Self);

    /// <summary>A member that left or was downed takes its peers with it: they re-register at a seed that is up.</summary>
    private void Forget(string member)
    {
        members.Remove(member);
        if (!cluster.SelfMember.Status.Equals(MemberStatus.Up)) return;
        replicator.Tell(Dsl.Update(RegistryKey, LWWDictionary<string, string>.Empty, WriteLocal.Instance, registry =>
        {
            foreach (var (key, entry) in registry.Entries.Where(e => MemberOf(e.Value) == member).ToList())
                registry = registry.Remove(cluster, key);
            return registry;
        }));
    }

    private void OnRegistryChanged(LWWDictionary<string, string> registry)
    {
        // Only entries that changed are decoded: with thousands of peers, decoding the whole map on
        // every change costs more than everything else the seed does.
        var now = registry.Entries;
        var seen = new List<ClusterPeer>();
        var gone = new List<PeerKey>();
        foreach (var (key, entry) in now)
        {
            if (known.TryGetValue(key, out var before) && before == entry) continue;
            if (!ClusterPeerCodec.TryDecode(Decode(entry), out var peer))
            {
                log.Warning("Seed registry entry for {0} does not decode; ignored", key);
                continue;
            }
            memberOf[key] = peer.Member;
            if (peer.Member != self) seen.Add(peer);
        }
        foreach (var (key, _) in known)
        {
            if (now.ContainsKey(key)) continue;
            if (memberOf.Remove(key, out var member) && member != self && PeerKey.TryRead(Convert.FromHexString(key), out var peer)) gone.Add(peer);
        }
        known = now.ToDictionary(e => e.Key, e => e.Value);
        shared = memberOf.Values.Count(member => member == self);
        if (seen.Count > 0 || gone.Count > 0) server.Tell(new ClusterRegistryChanged(seen, gone));
    }

    private static string? MemberOf(string entry) => ClusterPeerCodec.TryDecode(Decode(entry), out var peer) ? peer.Member : null;

    private static byte[] Decode(string entry)
    {
        var bytes = new byte[entry.Length];
        return Convert.TryFromBase64String(entry, bytes, out var length) ? bytes[..length] : [];
    }
}
