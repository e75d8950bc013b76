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
public sealed class ConnectionActor : SansIoShellActor
{
    private readonly PeerLink link;
    private readonly HashAddress peer;
    private readonly IActorRef transport;

    public ConnectionActor(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport)
    {
        this.transport = transport;
        peer = HashAddress.FromPublicKey(remoteIdentityKey);
        link = new PeerLink(localStatic, localIdentityKey, remoteIdentityKey, SystemRandomSource.Instance, options);

        Receive<StartPunching>(start =>
        {
            // The peer's packets reach our relay only from addresses it permits: every address the introduction names.
            transport.Tell(new PermitRelayPeers([.. start.Candidates.Select(c => c.EndPoint.Address).Distinct()]));
            Feed(now => link.Start(now, start.Candidates));
        });
        Receive<Reintroduce>(again =>
        {
            transport.Tell(new PermitRelayPeers([.. again.Candidates.Select(c => c.EndPoint.Address).Distinct()]));
            Feed(now => link.Reintroduce(now, again.Candidates));
        });
        Receive<AcceptedHandshake>(accepted => Feed(now => link.HandleAcceptedHandshake(now, accepted.Source, accepted.Acceptance, accepted.ViaRelay)));
        Receive<InboundDatagram>(d => Feed(now => link.HandleDatagram(now, d.Source, d.Datagram, d.ViaRelay)));
        Receive<SendToPeer>(send => Feed(now => link.Send(now, send.Payload)));
        Receive<GetLinkView>(_ => Sender.Tell(new LinkView(peer, link.State, link.ActivePathKind, link.ActivePath, link.Rtt, link.ConnectedAt, link.Drops.Total)));
    }

    public static Props Props(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(localStatic, localIdentityKey, remoteIdentityKey, options, transport));

    protected override DateTimeOffset? NextDeadline => link.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => link.HandleTimeout(now);

    protected override void DrainOutputs()
    {
        while (link.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram, transmit.ViaRelay), Self);
        while (link.PollEvent() is { } linkEvent)
            Context.Parent.Tell(new LinkEventOccurred(peer, linkEvent));
    }
}
