using System.Net;
using Pype.Core.Connection;
using Pype.Core.Session;

namespace Pype.Core.Tests.Connection.Simulation;

/// <summary>Where a simulated peer sits: on the internet, or behind a NAT of some behaviour.</summary>
public enum Placement
{
    Public,
    Eim,
    Symmetric,
    FullCone,
    AddressRestricted,
}

/// <summary>
/// Alice and Bob in the natlab topology (hostA 10.1.0.2 behind natA 198.51.100.2, hostB 10.2.0.2
/// behind natB 203.0.113.2, a seed at 198.51.100.66), or both behind natA. Each learns its
/// server-reflexive address by sending to the seed, then the seed introduces them at one moment.
/// Both peers are agents of the one <see cref="VirtualNetwork"/>, woken at their links' deadlines.
/// </summary>
internal sealed class LinkScenario
{
    private static readonly IPEndPoint SeedEndPoint = IPEndPoint.Parse("198.51.100.66:3478");

    private readonly SimulatedHost _seed;
    private IPEndPoint? _lastSeenBySeed;

    private LinkScenario(Placement alice, Placement bob, bool sameNat, int seed, double loss, TimeSpan latency, PeerLinkOptions options)
    {
        Network = new VirtualNetwork(seed) { Internet = new LinkConditions { Delay = latency } };
        _seed = Network.AddHost("seed", SeedEndPoint.ToString());
        _seed.Receive = (_, source, _) => _lastSeenBySeed = source;
        var aliceNat = NatFor(alice, "198.51.100.2");
        Alice = new SimulatedPeer("alice", Network.AddHost("hostA", aliceNat is null ? "198.51.100.10:51820" : "10.1.0.2:51820", aliceNat), Network, seed * 2 + 1);
        var bobNat = sameNat ? aliceNat : NatFor(bob, "203.0.113.2");
        var bobAddress = sameNat ? "10.1.0.3:51820" : bobNat is null ? "203.0.113.10:51820" : "10.2.0.2:51820";
        Bob = new SimulatedPeer("bob", Network.AddHost("hostB", bobAddress, bobNat), Network, seed * 2 + 2);
        Alice.CreateLink(Bob, options);
        Bob.CreateLink(Alice, options);
        LearnCandidates(Alice);
        LearnCandidates(Bob);
        Network.Internet = Network.Internet with { Loss = loss };
    }

    public VirtualNetwork Network { get; }

    public SimulatedPeer Alice { get; }

    public SimulatedPeer Bob { get; }

    public DateTimeOffset IntroducedAt { get; private set; }

    public DateTimeOffset Now => Network.Now;

    public static LinkScenario Between(
        Placement alice, Placement bob, int seed = 1, double loss = 0, TimeSpan? latency = null, PeerLinkOptions? options = null) =>
        new(alice, bob, sameNat: false, seed, loss, latency ?? TimeSpan.FromMilliseconds(10), options ?? PeerLinkOptions.Default);

    public static LinkScenario BehindOneNat(int seed = 1) =>
        new(Placement.Eim, Placement.Eim, sameNat: true, seed, 0, TimeSpan.FromMilliseconds(10), PeerLinkOptions.Default);

    /// <summary>The seed hands each peer the other's key and candidates at the same moment; both start punching.</summary>
    public LinkScenario Introduce()
    {
        IntroducedAt = Now;
        Alice.Start(Now, Bob.Candidates);
        Bob.Start(Now, Alice.Candidates);
        return this;
    }

    /// <summary>The seed introduces the two again, with the candidates each holds now.</summary>
    public LinkScenario Reintroduce()
    {
        Alice.Reintroduce(Now, Bob.Candidates);
        Bob.Reintroduce(Now, Alice.Candidates);
        return this;
    }

    public LinkScenario IntroduceAndConnect(TimeSpan? within = null)
    {
        Introduce();
        RunUntil(() => BothConnected, within ?? PeerLinkOptions.DefaultPunchTimeout);
        if (!BothConnected)
            throw new InvalidOperationException($"not connected: alice {Alice.RequiredLink.State}, bob {Bob.RequiredLink.State}");
        return this;
    }

    public bool BothConnected => Alice.Link?.State == PeerLinkState.Connected && Bob.Link?.State == PeerLinkState.Connected;

    public void RunFor(TimeSpan duration) => RunUntil(() => false, duration);

    /// <summary>Advances until <paramref name="done"/> holds or <paramref name="limit"/> of virtual time has passed.</summary>
    public void RunUntil(Func<bool> done, TimeSpan limit) => Network.RunUntil(done, limit);

    private SimulatedNat? NatFor(Placement placement, string publicAddress) => placement switch
    {
        Placement.Eim => Network.AddNat(NatBehaviour.EndpointIndependent, publicAddress),
        Placement.Symmetric => Network.AddNat(NatBehaviour.Symmetric, publicAddress),
        Placement.FullCone => Network.AddNat(NatBehaviour.FullCone, publicAddress),
        Placement.AddressRestricted => Network.AddNat(NatBehaviour.AddressRestrictedCone, publicAddress),
        _ => null,
    };

    /// <summary>Host candidate from the socket, server-reflexive from what the seed sees (a STUN Binding, in short).</summary>
    private void LearnCandidates(SimulatedPeer peer)
    {
        _lastSeenBySeed = null;
        Network.Send(peer.Host, SeedEndPoint, [0]);
        RunUntil(() => _lastSeenBySeed is not null, TimeSpan.FromSeconds(1));
        peer.Candidates.Add(new Candidate(CandidateKind.Host, peer.Host.EndPoint));
        peer.Candidates.Add(new Candidate(CandidateKind.ServerReflexive, _lastSeenBySeed!));
    }
}
