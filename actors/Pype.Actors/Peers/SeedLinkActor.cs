using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Seed;

namespace Pype.Actors.Peers;

/// <summary>
/// Shell around <see cref="SeedClient"/>: the node's encrypted session with its pinned seed
/// (STUN, registration, keep-alive, peer lists, introductions, fail-over). Receives the STUN
/// responses of the node's socket and the Pype packets addressed to its indices.
/// </summary>
public sealed class SeedLinkActor : ReceiveActor, IWithTimers
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly SeedClientOptions options;
    private readonly IActorRef transport;
    private SeedClient client = null!;
    private DeadlineTimer deadline = null!;

    public SeedLinkActor(SeedClientOptions options, IActorRef transport)
    {
        this.options = options;
        this.transport = transport;
        Receive<InboundDatagram>(d => { client.HandleDatagram(Now, d.Source, d.Datagram); Flush(); });
        Receive<Tick>(_ => { client.HandleTimeout(Now); Flush(); });
        Receive<RequestPeerList>(r => { client.RequestPeerList(r.Max); Flush(); });
        Receive<RequestIntroduction>(r =>
        {
            Sender.Tell(new ConnectRequestSent(client.RequestConnect(r.Target), r.Target, r.ReplyTo));
            Flush();
        });
        Receive<GetSeedLinkView>(_ => Sender.Tell(new SeedLinkView(
            client.CurrentSeed.EndPoint.ToString(), client.IsRegistered, client.ServerReflexive?.ToString(),
            client.Drops.Counts.ToDictionary(d => d.Key.ToString(), d => d.Value))));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SeedClientOptions options, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new SeedLinkActor(options, transport));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        deadline = new DeadlineTimer(Timers, Tick.Instance);
        client = new SeedClient(options, SystemRandomSource.Instance, Now);
        transport.Tell(new RegisterStunHandler(Self));
        Flush();
    }

    private void Flush()
    {
        while (client.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram), Self);
        while (client.PollEvent() is { } seedEvent)
            Context.Parent.Tell(new SeedLinkEventOccurred(seedEvent));
        deadline.Arm(client.NextDeadline, Now);
    }
}
