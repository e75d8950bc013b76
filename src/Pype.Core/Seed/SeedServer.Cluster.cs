using System.Net;

namespace Pype.Core.Seed;

/// <summary>A peer registered at another seed of the cluster, as that seed shared it.</summary>
public sealed record ClusterPeer(SignedPresence Presence, IPEndPoint Observed, string Member);

/// <summary>
/// The seed-cluster side of <see cref="SeedServer"/>: peers registered at other seeds (learned from
/// the cluster's replicated registry) can be introduced to peers registered here, and other seeds
/// can ask this one to introduce a peer to one of its own. Everything that arrives from the
/// cluster is checked as if it came from a peer: a forged or damaged entry is dropped and counted.
/// </summary>
public sealed partial class SeedServer
{
    /// <summary>Presences from the cluster are days old by the time a quiet peer is asked for: only the signature counts.</summary>
    private static readonly TimeSpan ClusterPresenceMaxAge = TimeSpan.FromDays(3650);

    private readonly Dictionary<PeerKey, ClusterPeer> _clusterPeers = [];

    /// <summary>Peers this seed knows are registered elsewhere in the cluster.</summary>
    public int ClusterPeerCount => _clusterPeers.Count;

    public long ClusterIntroductionsReceived { get; private set; }

    /// <summary>Another seed holds this peer. False (and counted) when its presence is not validly signed.</summary>
    public bool ClusterPeerSeen(DateTimeOffset now, ClusterPeer peer)
    {
        if (peer.Presence.Verify(now, ClusterPresenceMaxAge, ClusterPresenceMaxAge) != PresenceVerdict.Valid)
        {
            Drops.Count(SeedServerDrop.ClusterPresenceInvalid);
            return false;
        }
        _clusterPeers[peer.Presence.PublicKey] = peer;
        return true;
    }

    public void ClusterPeerGone(PeerKey peer) => _clusterPeers.Remove(peer);

    /// <summary>A message from another member did not decode: counted, nothing else.</summary>
    public void ClusterMessageMalformed() => Drops.Count(SeedServerDrop.ClusterMessageMalformed);

    /// <summary>
    /// Another seed's peer asked for <paramref name="recipient"/>, who is registered here: introduce
    /// <paramref name="about"/> to it. False (and counted) when the presence is forged or the
    /// recipient is not here (any more).
    /// </summary>
    public bool IntroduceFromCluster(DateTimeOffset now, PeerKey recipient, SignedPresence about, IPEndPoint observed)
    {
        if (about.Verify(now, ClusterPresenceMaxAge, ClusterPresenceMaxAge) != PresenceVerdict.Valid)
        {
            Drops.Count(SeedServerDrop.ClusterPresenceInvalid);
            return false;
        }
        if (!_registry.TryGet(recipient, out var target))
        {
            Drops.Count(SeedServerDrop.ClusterIntroductionForUnknownPeer);
            return false;
        }
        if (!HasRoomForIntroductions(now, about.PublicKey, 1, target))
            return false;
        ClusterIntroductionsReceived++;
        Introduce(now, recipient, about, observed, about.PublicKey);
        return true;
    }

    private void IntroduceAcrossCluster(DateTimeOffset now, RegisteredPeer asker, ClusterPeer target)
    {
        Introduce(now, asker.Key, target.Presence, target.Observed, asker.Key);
        _events.Enqueue(new ClusterIntroductionNeeded(target.Member, target.Presence.PublicKey, asker.Presence, asker.Session.EndPoint));
    }
}
