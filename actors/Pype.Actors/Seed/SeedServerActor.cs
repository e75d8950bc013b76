using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Seed;

namespace Pype.Actors.Seed;

/// <summary>
/// Shell around <see cref="SeedServer"/>: hands it the seed socket's Pype datagrams and its
/// deadline ticks, sends what it produces. Registry, introductions and rate limits live in the core.
/// </summary>
public sealed class SeedServerActor : SansIoShellActor
{
    private readonly SeedServer server;
    private readonly IActorRef transport;
    private readonly IActorRef? cluster;
    private readonly Queue<DateTimeOffset> recentIntroductions = new();
    private long introductionsMade;

    public SeedServerActor(IdentityKeyPair identity, SeedServerOptions options, IActorRef transport, IActorRef? cluster)
    {
        this.transport = transport;
        this.cluster = cluster;
        server = new SeedServer(identity, options, SystemRandomSource.Instance);
        Receive<InboundDatagram>(d => Feed(now => server.HandleDatagram(now, d.Source, d.Datagram)));
        Receive<ClusterRegistryChanged>(changed => Feed(now =>
        {
            foreach (var peer in changed.Seen) server.ClusterPeerSeen(now, peer);
            foreach (var peer in changed.Gone) server.ClusterPeerGone(peer);
        }));
        Receive<ClusterIntroductionArrived>(arrived => Feed(now =>
        {
            if (ClusterPeerCodec.TryDecodeIntroduction(arrived.Payload, out var target, out var about))
                server.IntroduceFromCluster(now, target, about.Presence, about.Observed);
            else server.ClusterMessageMalformed();
        }));
        Receive<GetSeedServerStatus>(_ =>
        {
            ForgetOldIntroductions();
            Sender.Tell(new SeedServerStatus(
                server.RegisteredPeerCount,
                server.SessionCount,
                server.PendingIntroductionCount,
                introductionsMade,
                recentIntroductions.Count / IntroductionRateWindow.TotalSeconds,
                server.IntroductionsAbandoned,
                server.Drops.Counts.ToDictionary(d => d.Key.ToString(), d => d.Value),
                server.RelayCredentialsIssued)
            {
                PeersElsewhereInCluster = server.ClusterPeerCount,
                IntroductionsFromCluster = server.ClusterIntroductionsReceived,
                HalfOpenSessions = server.HalfOpenSessionCount,
                HalfOpenEvictions = server.HalfOpenEvictions,
                StrangerSessionEvictions = server.StrangerEvictions,
                HandshakeDiffieHellmanRuns = server.HandshakeDiffieHellmanRuns,
                RateLimitedAddresses = server.RateLimitedAddressCount,
            });
        });
    }

    public static readonly TimeSpan IntroductionRateWindow = TimeSpan.FromSeconds(10);

    public static Props Props(IdentityKeyPair identity, SeedServerOptions options, IActorRef transport, IActorRef? cluster = null) =>
        Akka.Actor.Props.Create(() => new SeedServerActor(identity, options, transport, cluster));

    protected override DateTimeOffset? NextDeadline => server.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => server.HandleTimeout(now);

    protected override void PreStart()
    {
        transport.Tell(new RegisterHandshakeHandler(Self));
        cluster?.Tell(Self);
    }

    protected override void DrainOutputs()
    {
        while (server.PollTransmit() is { } transmit)
        {
            transport.RouteBeforeSending(transmit.Datagram, Self);
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram), Self);
        }
        while (server.PollEvent() is { } seedEvent)
        {
            switch (seedEvent)
            {
                case IntroductionMade:
                    introductionsMade++;
                    recentIntroductions.Enqueue(Now);
                    break;
                case PresenceShared shared:
                    cluster?.Tell(new ShareInCluster(shared.Presence, shared.Observed));
                    break;
                case PeerForgotten forgotten:
                    cluster?.Tell(new WithdrawFromCluster(forgotten.Peer));
                    break;
                case ClusterIntroductionNeeded needed:
                    cluster?.Tell(new IntroduceInCluster(needed));
                    break;
            }
        }
        ForgetOldIntroductions();
    }

    private void ForgetOldIntroductions()
    {
        while (recentIntroductions.TryPeek(out var at) && Now - at > IntroductionRateWindow) recentIntroductions.Dequeue();
    }
}
