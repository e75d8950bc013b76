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
    private readonly Queue<DateTimeOffset> recentIntroductions = new();
    private long introductionsMade;

    public SeedServerActor(IdentityKeyPair identity, SeedServerOptions options, IActorRef transport)
    {
        this.transport = transport;
        server = new SeedServer(identity, options, SystemRandomSource.Instance);
        Receive<InboundDatagram>(d => Feed(now => server.HandleDatagram(now, d.Source, d.Datagram)));
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
                server.RelayCredentialsIssued));
        });
    }

    public static readonly TimeSpan IntroductionRateWindow = TimeSpan.FromSeconds(10);

    public static Props Props(IdentityKeyPair identity, SeedServerOptions options, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new SeedServerActor(identity, options, transport));

    protected override DateTimeOffset? NextDeadline => server.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => server.HandleTimeout(now);

    protected override void PreStart() => transport.Tell(new RegisterHandshakeHandler(Self));

    protected override void DrainOutputs()
    {
        while (server.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram), Self);
        while (server.PollEvent() is { } seedEvent)
        {
            if (seedEvent is IntroductionMade)
            {
                introductionsMade++;
                recentIntroductions.Enqueue(Now);
            }
        }
        ForgetOldIntroductions();
    }

    private void ForgetOldIntroductions()
    {
        while (recentIntroductions.TryPeek(out var at) && Now - at > IntroductionRateWindow) recentIntroductions.Dequeue();
    }
}
