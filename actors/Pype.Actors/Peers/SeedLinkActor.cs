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
public sealed class SeedLinkActor : SansIoShellActor
{
    private readonly SeedClientOptions options;
    private readonly IActorRef transport;
    private SeedClient client = null!;

    public SeedLinkActor(SeedClientOptions options, IActorRef transport)
    {
        this.options = options;
        this.transport = transport;
        Receive<InboundDatagram>(d => Feed(now => client.HandleDatagram(now, d.Source, d.Datagram)));
        Receive<SetRelayedCandidate>(r => Feed(now => client.SetRelayedCandidate(now, r.Relayed)));
        Receive<RequestRelayGrant>(_ => Feed(now => client.RequestRelayGrant(now)));
        Receive<RequestPeerList>(r => Feed(_ => client.RequestPeerList(r.Max)));
        Receive<RequestIntroduction>(r => Feed(_ => Sender.Tell(new ConnectRequestSent(client.RequestConnect(r.Target), r.Target, r.ReplyTo, r.Attempt))));
        Receive<GetSeedLinkView>(_ => Sender.Tell(new SeedLinkView(
            client.CurrentSeed.EndPoint.ToString(), client.IsRegistered, client.ServerReflexive?.ToString(),
            client.Drops.Counts.ToDictionary(d => d.Key.ToString(), d => d.Value))));
    }

    public static Props Props(SeedClientOptions options, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new SeedLinkActor(options, transport));

    protected override DateTimeOffset? NextDeadline => client.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => client.HandleTimeout(now);

    protected override void PreStart()
    {
        transport.Tell(new RegisterStunHandler(Self));
        Feed(now => client = new SeedClient(options, SystemRandomSource.Instance, now));
    }

    protected override void DrainOutputs()
    {
        while (client.PollTransmit() is { } transmit)
        {
            transport.RouteBeforeSending(transmit.Datagram, Self);
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram), Self);
        }
        while (client.PollEvent() is { } seedEvent)
            Context.Parent.Tell(new SeedLinkEventOccurred(seedEvent));
    }
}
