using Pype.Core.Seed;

namespace Pype.Actors.Seed;

/// <summary>The seed server tells the cluster actor: this peer is now registered here (or its candidates changed).</summary>
public sealed record ShareInCluster(SignedPresence Presence, System.Net.IPEndPoint Observed);

/// <summary>The seed server tells the cluster actor: this peer left this seed.</summary>
public sealed record WithdrawFromCluster(PeerKey Peer);

/// <summary>The seed server asks another member to introduce a peer of its own.</summary>
public sealed record IntroduceInCluster(ClusterIntroductionNeeded Needed);

/// <summary>The cluster actor tells the seed server what other members hold now.</summary>
public sealed record ClusterRegistryChanged(IReadOnlyList<ClusterPeer> Seen, IReadOnlyList<PeerKey> Gone);

/// <summary>Another member asks this seed to introduce a peer (the encoded <see cref="ClusterPeerCodec"/> introduction).</summary>
public sealed record ClusterIntroductionArrived(byte[] Payload);

/// <summary>
/// What travels between members through distributed pub-sub: an encoded introduction, base64 so
/// the default serializer carries it as a plain string.
/// </summary>
public sealed record SeedClusterIntroduction(string Payload);

public sealed record GetSeedClusterStatus
{
    public static readonly GetSeedClusterStatus Instance = new();
}

public sealed record SeedClusterStatus(string Self, IReadOnlyList<string> Members, int SharedPeers, int PeersElsewhere, long IntroductionsForwarded);
