using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Node;

/// <summary>A <see cref="NodeEndpoint"/> in virtual time, with what its owner would hear drained into lists.</summary>
internal sealed class EndpointHarness
{
    public static readonly SeedEndpoint Seed = new(IPEndPoint.Parse("198.51.100.1:7000"), PeerKey.Of(IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray())));
    public static readonly IPEndPoint OwnReflexive = IPEndPoint.Parse("203.0.113.5:40000");

    /// <param name="ranges">The harness's addresses are documentation ones, so the lab's ranges by default.</param>
    public EndpointHarness(int overlayDegree = 4, bool hasSeed = true, CandidateRanges ranges = CandidateRanges.Lab)
    {
        Identity = Peer(0);
        Endpoint = new NodeEndpoint(Identity, new NodeEndpointOptions { OverlayDegree = overlayDegree, HasSeed = hasSeed, CandidateRanges = ranges }, Random, Now);
    }

    public SeededRandomSource Random { get; } = new(7);

    public DateTimeOffset Now { get; private set; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public IdentityKeyPair Identity { get; }

    public NodeEndpoint Endpoint { get; }

    public List<EndpointCommand> Commands { get; } = [];

    public List<EndpointEvent> Events { get; } = [];

    public static IdentityKeyPair Peer(int n) => IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(n + 100), .. new byte[28]]);

    public static HashAddress Hash(IdentityKeyPair identity) => HashAddress.FromPublicKey(identity.PublicKey.Span);

    public static PeerKey Key(IdentityKeyPair identity) => PeerKey.Of(identity);

    public void Drain()
    {
        while (Endpoint.PollCommand() is { } command)
            Commands.Add(command);
        while (Endpoint.PollEvent() is { } endpointEvent)
            Events.Add(endpointEvent);
    }

    public List<T> Taken<T>()
    {
        Drain();
        var taken = Commands.OfType<T>().Concat(Events.OfType<T>()).ToList();
        Commands.RemoveAll(c => c is T);
        Events.RemoveAll(e => e is T);
        return taken;
    }

    /// <summary>Moves virtual time on, running every deadline that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        var until = Now + by;
        while (Endpoint.NextDeadline is { } due && due <= until)
        {
            Now = due > Now ? due : Now;
            Endpoint.HandleTimeout(Now);
        }
        Now = until;
        Drain();
    }

    public void Register()
    {
        Endpoint.HandleSeedEvent(Now, new SeedRegisteredEvent(Seed, OwnReflexive));
        Drain();
    }

    public EndpointCommand.StartLink Introduce(IdentityKeyPair peer, IPEndPoint? observed = null, params Candidate[] candidates)
    {
        var presence = SignedPresence.Create(peer, Now, candidates.Length > 0 ? candidates : [new Candidate(CandidateKind.Host, IPEndPoint.Parse("192.0.2.20:5000"))]);
        Endpoint.HandleSeedEvent(Now, new IntroductionReceived(presence, observed));
        return Taken<EndpointCommand.StartLink>().Single();
    }

    public void LinkEvent(EndpointCommand.StartLink link, PeerLinkEvent linkEvent)
    {
        Endpoint.HandleLinkEvent(Now, link.Peer, link.Generation, linkEvent);
        Drain();
    }

    public EndpointCommand.StartLink Connected(IdentityKeyPair peer, CandidateKind kind = CandidateKind.Host)
    {
        var link = Introduce(peer);
        LinkEvent(link, new PeerLinkEvent.Connected(IPEndPoint.Parse("192.0.2.20:5000"), kind, TimeSpan.FromMilliseconds(30)));
        return link;
    }

    /// <summary>The seed link's answer to every introduction request so far: request ids from 1.</summary>
    public List<uint> AcknowledgeIntroductionRequests()
    {
        var ids = new List<uint>();
        foreach (var request in Taken<EndpointCommand.RequestIntroduction>())
        {
            var id = (uint)(ids.Count + 1 + _acknowledged);
            Endpoint.HandleIntroductionRequested(Now, id, request.Target, request.Requester, request.Attempt);
            ids.Add(id);
        }
        _acknowledged += ids.Count;
        Drain();
        return ids;
    }

    private int _acknowledged;

    public byte[] InitiationFrom(IdentityKeyPair peer, uint index) =>
        new NoiseInitiator(NoiseStaticKey.From(peer), IdentityKeyPair.ToX25519PublicKey(Identity.PublicKey.Span), index, Now, Random).InitiationPacket.ToArray();

    public static byte[] Payload(SessionMessageType type, params byte[] rest) => [(byte)type, .. rest];
}
