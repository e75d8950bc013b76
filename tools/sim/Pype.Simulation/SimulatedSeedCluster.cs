using Pype.Core.Seed;

namespace Pype.Simulation;

/// <summary>
/// What SeedClusterActor carries between seeds over Akka Cluster, played on the virtual clock
/// after a fixed <see cref="CarryDelay"/> (not Akka's own gossip timing): the registry of which
/// seed holds which peer (an entry written and withdrawn only by the seed holding the peer, seen
/// by every other member) and introductions for a peer another member holds. Everything passes
/// through <see cref="ClusterPeerCodec"/>, so each seed server checks it as it would in the cluster.
/// </summary>
public sealed class SimulatedSeedCluster(VirtualNetwork network, TimeSpan carryDelay)
{
    private readonly List<SeedServerHost> _members = [];
    private readonly Dictionary<PeerKey, string> _holder = [];

    public TimeSpan CarryDelay { get; } = carryDelay;

    public long IntroductionsCarried { get; private set; }

    public void Join(SeedServerHost seed)
    {
        _members.Add(seed);
        seed.EventRaised = e => OnEvent(seed, e);
    }

    private static string MemberName(SeedServerHost seed) => seed.EndPoint.ToString();

    private void OnEvent(SeedServerHost seed, SeedServerEvent seedEvent)
    {
        var member = MemberName(seed);
        switch (seedEvent)
        {
            case PresenceShared shared:
                var entry = ClusterPeerCodec.Encode(new ClusterPeer(shared.Presence, shared.Observed, member));
                _holder[shared.Presence.PublicKey] = member;
                foreach (var other in _members.Where(m => m != seed))
                {
                    Carry(other, $"cluster {member} holds {shared.Presence.PublicKey}", now =>
                    {
                        if (ClusterPeerCodec.TryDecode(entry, out var peer))
                            other.Server.ClusterPeerSeen(now, peer);
                        else
                            other.Server.ClusterMessageMalformed();
                    });
                }
                break;
            // Only the holder's own entry goes: the peer may have moved to another seed since.
            case PeerForgotten forgotten when _holder.GetValueOrDefault(forgotten.Peer) == member:
                _holder.Remove(forgotten.Peer);
                foreach (var other in _members.Where(m => m != seed))
                    Carry(other, $"cluster {member} lost {forgotten.Peer}", _ => other.Server.ClusterPeerGone(forgotten.Peer));
                break;
            case ClusterIntroductionNeeded needed:
                // Published to a member that is not there, an introduction reaches nobody.
                if (_members.Find(m => MemberName(m) == needed.Member) is not { } target)
                    break;
                var message = ClusterPeerCodec.EncodeIntroduction(needed.Target, new ClusterPeer(needed.About, needed.Observed, member));
                IntroductionsCarried++;
                Carry(target, $"cluster {member} introduces {needed.About.PublicKey} to {needed.Target}", now =>
                {
                    if (ClusterPeerCodec.TryDecodeIntroduction(message, out var recipient, out var about))
                        target.Server.IntroduceFromCluster(now, recipient, about.Presence, about.Observed);
                    else
                        target.Server.ClusterMessageMalformed();
                });
                break;
        }
    }

    /// <summary>The member's seed server gets the message as its actor would, then sends what it queued; a seed that is down hears nothing.</summary>
    private void Carry(SeedServerHost to, string note, Action<DateTimeOffset> deliver) =>
        network.Schedule(network.Now + CarryDelay, () =>
        {
            if (!to.IsUp)
                return;
            network.Trace.Note(network.Now, note);
            deliver(network.Now);
            to.Flush();
        });
}
