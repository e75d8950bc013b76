using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Media;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;

namespace Pype.Actors.Peers;

/// <summary>
/// Shell around one <see cref="PeerLink"/>: feeds it datagrams, accepted handshakes and ticks,
/// sends what it produces through the transport, and reports its events and path/RTT changes to
/// the parent. Punching, glare, keep-alive and loss detection live in the core. It routes the
/// transport's packets for its link's indices to itself (and releases them once the link no longer
/// owns them), and hands media plaintexts straight to the media session set by <see cref="RouteMedia"/>.
/// Supervision: a child of the PeerListActor, which stops it on any failure; the transport and the
/// peer list both watch it, dropping its routes and its link, and a new introduction starts a fresh one.
/// </summary>
public sealed class ConnectionActor : SansIoShellActor
{
    private readonly PeerLink link;
    private readonly HashAddress peer;
    private readonly IActorRef transport;
    private readonly LinkIndexRoutes routedIndices = new();
    private IActorRef? mediaSession;
    private LinkStateChanged? reported;

    public ConnectionActor(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport, IActorRef? routedMediaSession = null)
    {
        this.transport = transport;
        mediaSession = routedMediaSession;
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
        Receive<AcceptedHandshake>(accepted =>
        {
            // The endpoint allocated this index when it answered; the response below names it.
            Route(accepted.Acceptance.Session.LocalIndex);
            Feed(now => link.HandleAcceptedHandshake(now, accepted.Source, accepted.Acceptance, accepted.ViaRelay));
        });
        Receive<InboundDatagram>(d => Feed(now => link.HandleDatagram(now, d.Source, d.Datagram, d.ViaRelay)));
        Receive<SendToPeer>(send => Feed(now => link.Send(now, send.Payload)));
        Receive<RouteMedia>(route => mediaSession = route.Session);
    }

    public static Props Props(NoiseKeyPair localStatic, byte[] localIdentityKey, byte[] remoteIdentityKey, PeerLinkOptions options, IActorRef transport, IActorRef? mediaSession = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(localStatic, localIdentityKey, remoteIdentityKey, options, transport, mediaSession));

    protected override DateTimeOffset? NextDeadline => link.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => link.HandleTimeout(now);

    protected override void DrainOutputs()
    {
        while (link.PollTransmit() is { } transmit)
        {
            // A handshake we initiate carries the index the link allocated for it: route it to us before it leaves.
            if (routedIndices.AddSent(transmit.Datagram, out var index)) transport.Tell(new RouteIndex(index, Self));
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram, transmit.ViaRelay), Self);
        }
        while (link.PollEvent() is { } linkEvent)
        {
            if (linkEvent is PeerLinkEvent.DataReceived data && mediaSession is { } session && SessionMessageRanges.KindOf(data.Payload) == SessionPayloadKind.Media)
                session.Tell(new MediaPacketReceived(data.Payload));
            else Context.Parent.Tell(new LinkEventOccurred(peer, linkEvent));
        }
        var retired = routedIndices.Retire(link);
        if (retired.Count > 0) transport.Tell(new ReleaseIndices(retired));
        var state = new LinkStateChanged(peer, link.ActivePathKind, link.ActivePath, link.Rtt);
        if (state == reported) return;
        reported = state;
        Context.Parent.Tell(state);
    }

    private void Route(uint index)
    {
        if (routedIndices.Add(index)) transport.Tell(new RouteIndex(index, Self));
    }
}
