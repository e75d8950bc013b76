using Akka.Actor;
using Akka.Event;
using Pype.Actors.Hosting;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Seed;
using Pype.Core.Turn;

namespace Pype.Actors.Relay;

/// <summary>
/// Shell around <see cref="TurnRelay"/>, the node's one TURN allocation on the node's one UDP
/// socket with the servers and credentials the seed granted. The transport hands it the server's
/// STUN and ChannelData, via-relay sends and permission requests; it hands back the Pype packets
/// that arrive relayed, and tells the node (its parent) its relayed address and when fresh
/// credentials are wanted. Server choice, retries, credential renewal, remembered permissions,
/// allocation, refreshes, channels and liveness all live in the core.
/// </summary>
/// <remarks>
/// Supervision: a child of the NodeGuardian, which restarts it after an exception (none is
/// expected: the core drops and counts what it cannot use). The restart releases the allocation
/// (PostStop) and starts empty, idle until the seed's next grant, which comes with the next
/// registration; until then what the transport hands it is ignored. A stop (key rotation,
/// shutdown) releases the allocation too, and the transport, which watches it, counts via-relay
/// sends as <c>relay-send-without-relay</c>.
/// </remarks>
public sealed class RelayActor : SansIoShellActor
{
    private readonly IActorRef transport;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly TurnRelay relay = new(SystemRandomSource.Instance);

    public RelayActor(IActorRef transport)
    {
        this.transport = transport;
        Receive<RelayGrantReceived>(g => Feed(now => relay.HandleGrant(now, g.Grant)));
        Receive<InboundDatagram>(d => Feed(now => relay.HandleDatagram(now, d.Source, d.Datagram)));
        Receive<RelayOutbound>(o => Feed(now => relay.Send(now, o.Destination, o.Datagram)));
        Receive<PermitRelayPeers>(p => Feed(now => relay.Permit(now, p.Addresses)));
        Receive<GetRelayView>(_ => Sender.Tell(new RelayView(
            relay.Server?.ToString(), relay.State.ToString().ToLowerInvariant(), relay.RelayedAddress,
            relay.Drops.ToDictionary(d => d.Key.ToString(), d => d.Value), relay.Allocations, relay.AllocationsLost)));
    }

    public static Props Props(IActorRef transport) => Akka.Actor.Props.Create(() => new RelayActor(transport));

    protected override DateTimeOffset? NextDeadline => relay.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => relay.HandleTimeout(now);

    protected override void PostStop()
    {
        relay.Release(Now);
        SendPending();
    }

    protected override void DrainOutputs()
    {
        // Events first: a new server is registered with the transport before its Allocate goes out.
        while (relay.PollEvent() is { } relayEvent)
        {
            switch (relayEvent)
            {
                case TurnRelayEvent.DataReceived data:
                    transport.Tell(new RelayedInbound(data.Peer, data.Payload.ToArray()));
                    break;
                case TurnRelayEvent.RelayedAddressChanged changed:
                    Context.Parent.Tell(new RelayedCandidateChanged(changed.Relayed));
                    break;
                case TurnRelayEvent.FreshGrantWanted:
                    Context.Parent.Tell(RelayGrantWanted.Instance);
                    break;
                case TurnRelayEvent.AllocatingOn allocating:
                    transport.Tell(new RegisterRelayHandler(Self, allocating.Server));
                    log.Info("Allocating a TURN relay on {0}", allocating.Server);
                    break;
                case TurnRelayEvent.Allocated allocated:
                    log.Info("TURN relay allocated: {0}", allocated.Relayed);
                    break;
                case TurnRelayEvent.AllocationLost lost:
                    log.Warning("TURN allocation lost ({0}); allocating again", lost.Failure);
                    break;
                case TurnRelayEvent.AllocationFailed { Next: null } failed:
                    log.Warning("TURN allocation on {0} failed: {1}; every granted server refused us, asking the seed for fresh credentials", failed.Server, failed.Failure);
                    break;
                case TurnRelayEvent.AllocationFailed { Next: { } next } failed:
                    log.Warning("TURN allocation on {0} failed: {1}; trying {2} in {3:0.#} s", failed.Server, failed.Failure, next.Server, Math.Max(0, (next.At - Now).TotalSeconds));
                    break;
                case TurnRelayEvent.RenewingCredentials renewing:
                    log.Info("TURN credentials past half their lifetime: allocating anew on {0}", renewing.Server);
                    break;
            }
        }
        SendPending();
    }

    private void SendPending()
    {
        while (relay.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram.ToArray()));
    }
}
