using System.Net;
using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;

namespace Pype.Actors.Peers;

/// <summary>
/// Shell around one <see cref="PeerLink"/>: feeds it datagrams, accepted handshakes and ticks,
/// sends what it produces through the transport, and reports its events to the parent.
/// Punching, glare, keep-alive and loss detection live in the core.
/// </summary>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly PeerLink link;
    private readonly HashAddress peer;
    private readonly IActorRef transport;
    private readonly Dictionary<IPEndPoint, CandidateKind> candidateKinds = [];
    private DeadlineTimer deadline = null!;
    private CandidateKind? pathKind;

    public ConnectionActor(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport)
    {
        this.transport = transport;
        peer = HashAddress.FromPublicKey(remoteIdentityKey);
        link = new PeerLink(localStatic, localIdentityKey, remoteIdentityKey, SystemRandomSource.Instance, options);

        Receive<StartPunching>(start =>
        {
            foreach (var candidate in start.Candidates) candidateKinds.TryAdd(candidate.EndPoint, candidate.Kind);
            link.Start(Now, start.Candidates);
            Flush();
        });
        Receive<AcceptedHandshake>(accepted => { link.HandleAcceptedHandshake(Now, accepted.Source, accepted.Acceptance); Flush(); });
        Receive<InboundDatagram>(d => { link.HandleDatagram(Now, d.Source, d.Datagram); Flush(); });
        Receive<SendToPeer>(send => { link.Send(Now, send.Payload); Flush(); });
        Receive<Tick>(_ => { link.HandleTimeout(Now); Flush(); });
        Receive<GetLinkView>(_ => Sender.Tell(new LinkView(peer, link.State, pathKind, link.ActivePath, link.Rtt, link.ConnectedAt, link.Drops.Total)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(localStatic, localIdentityKey, remoteIdentityKey, options, transport));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart() => deadline = new DeadlineTimer(Timers, Tick.Instance);

    private void Flush()
    {
        while (link.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram), Self);
        while (link.PollEvent() is { } linkEvent)
        {
            pathKind = linkEvent switch
            {
                PeerLinkEvent.Connected connected => connected.Kind,
                PeerLinkEvent.PathChanged changed => candidateKinds.GetValueOrDefault(changed.To, CandidateKind.PeerReflexive),
                _ => pathKind,
            };
            Context.Parent.Tell(new LinkEventOccurred(peer, linkEvent));
        }
        deadline.Arm(link.NextDeadline, Now);
    }
}
