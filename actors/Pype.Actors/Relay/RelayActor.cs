using System.Net;
using Akka.Actor;
using Akka.Event;
using Pype.Actors.Hosting;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Seed;
using Pype.Core.Turn;

namespace Pype.Actors.Relay;

/// <summary>
/// Shell around <see cref="TurnClient"/>: holds the node's one TURN allocation on the node's one
/// UDP socket, with the servers and credentials the seed granted. The transport hands it the
/// server's STUN and ChannelData, via-relay sends and permission requests; it hands back the
/// Pype packets that arrive relayed, and tells the node its relayed address. Allocation,
/// refreshes, permissions, channels and liveness live in the core, and so does the choice of
/// server and when to try again (<see cref="TurnServerRotation"/>).
/// </summary>
public sealed class RelayActor : SansIoShellActor
{
    /// <summary>
    /// Requests give up after this long instead of RFC 8489's 39.5 s: the rotation decides what
    /// comes next (another server, or this one after a back-off), so a restarted server is found
    /// again within seconds of coming back.
    /// </summary>
    private static readonly TurnClientOptions ClientOptions = TurnClientOptions.Default with { RequestTimeout = TimeSpan.FromSeconds(4) };

    /// <summary>Peer addresses remembered for a replacement client; older ones are forgotten beyond this.</summary>
    private const int RememberedPermissions = 256;

    /// <param name="Generation">The client it was scheduled for; a retry for a replaced client is stale.</param>
    private sealed record Retry(TurnAttempt Attempt, int Generation);

    private sealed record AskForFreshGrant
    {
        public static readonly AskForFreshGrant Instance = new();
    }

    private readonly IActorRef transport;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly Queue<IPAddress> permittedOrder = new();
    private readonly HashSet<IPAddress> permitted = [];
    private readonly TurnServerRotation rotation = new();
    private TurnClient? client;
    private int generation;
    private int allocations;
    private int allocationsLost;
    private TurnCredentials? credentials;
    private IPEndPoint? published;
    private DateTimeOffset renewAt;

    public RelayActor(IActorRef transport)
    {
        this.transport = transport;
        Receive<RelayGrantReceived>(g => Feed(now => OnGrant(now, g.Grant)));
        Receive<InboundDatagram>(d => { if (client is { } c) Feed(now => c.HandleDatagram(now, d.Source, d.Datagram)); });
        Receive<RelayOutbound>(o =>
        {
            if (client is { } c) Feed(now => c.Send(now, o.Destination, o.Datagram));
        });
        Receive<PermitRelayPeers>(p => Feed(now =>
        {
            foreach (var address in p.Addresses) Remember(address);
            if (client is { } c)
                foreach (var address in p.Addresses) c.Permit(now, address);
        }));
        Receive<Retry>(retry => Feed(now =>
        {
            if (retry.Generation != generation || client is not { State: TurnClientState.Failed or TurnClientState.Stopped } c) return;
            if (c.Server.Equals(retry.Attempt.Server)) c.Start(now);
            else StartClient(now, retry.Attempt.Server);
        }));
        Receive<AskForFreshGrant>(_ => Feed(_ => AskForFreshGrantWhenDue()));
        Receive<GetRelayView>(_ => Sender.Tell(new RelayView(
            client?.Server.ToString(), (client?.State ?? TurnClientState.Idle).ToString().ToLowerInvariant(), client?.RelayedAddress,
            client?.Drops.Counts.ToDictionary(d => d.Key.ToString(), d => d.Value) ?? new Dictionary<string, long>(), allocations, allocationsLost)));
    }

    public static Props Props(IActorRef transport) => Akka.Actor.Props.Create(() => new RelayActor(transport));

    protected override DateTimeOffset? NextDeadline => client?.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => client?.HandleTimeout(now);

    protected override void PostStop()
    {
        // Releasing the allocation is a courtesy to the TURN server; it would expire by itself.
        if (client is { State: TurnClientState.Allocated } c)
        {
            c.Stop(Now);
            while (c.PollTransmit() is { } transmit)
                transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram.ToArray()));
        }
    }

    /// <summary>
    /// The seed grants the same servers and fresh credentials at every registration. A TURN server
    /// ties an allocation to the username that made it (coturn answers 441 Wrong Credentials to
    /// any other), and a REST username carries its expiry, so fresh credentials cannot be slipped
    /// into a running allocation: they are kept until half of the current credentials' lifetime
    /// is gone, and then a new allocation is made with them. A grant that no longer names the
    /// server in use, or none yet, also means a new allocation; a client that failed starts again
    /// at once with the fresh credentials.
    /// </summary>
    private void OnGrant(DateTimeOffset now, SeedRelayGrant grant)
    {
        credentials = grant.Credentials;
        var moved = rotation.Grant(grant.Servers);
        if (rotation.Current is not { } server) return;
        if (client is { } current && !moved && current.Server.Equals(server))
        {
            if (current.State is TurnClientState.Failed or TurnClientState.Idle or TurnClientState.Stopped)
            {
                // Starting again makes a new allocation, which may take the new username.
                current.UpdateCredentials(grant.Credentials);
                Adopt(grant, now);
                generation++;
                current.Start(now);
                return;
            }
            if (now < renewAt) return;
            log.Info("TURN credentials past half their lifetime: allocating anew on {0}", server);
        }
        Adopt(grant, now);
        StartClient(now, server);
    }

    /// <summary>A new allocation on <paramref name="server"/>, releasing the one held before.</summary>
    private void StartClient(DateTimeOffset now, IPEndPoint server)
    {
        if (client is { State: TurnClientState.Allocated } old) old.Stop(now);
        DrainOutputs();
        generation++;
        client = new TurnClient(server, credentials!, SystemRandomSource.Instance, ClientOptions);
        transport.Tell(new RegisterRelayHandler(Self, client.Server));
        client.Start(now);
        foreach (var address in permittedOrder) client.Permit(now, address);
        log.Info("Allocating a TURN relay on {0}", client.Server);
    }

    private void Adopt(SeedRelayGrant grant, DateTimeOffset now) =>
        renewAt = grant.Expires > now ? now + (grant.Expires - now) / 2 : now;

    protected override void DrainOutputs()
    {
        if (client is null) return;
        var reallocated = false;
        SendPending(client);
        while (client.PollEvent() is { } turnEvent)
        {
            switch (turnEvent)
            {
                case TurnClientEvent.DataReceived data:
                    transport.Tell(new RelayedInbound(data.Peer, data.Payload.ToArray()));
                    break;
                case TurnClientEvent.Allocated allocated:
                    rotation.Allocated();
                    allocations++;
                    log.Info("TURN relay allocated: {0}", allocated.Relayed);
                    reallocated = true;
                    break;
                case TurnClientEvent.AllocationLost { Failure.Kind: TurnFailureKind.TimedOut } lost when rotation.Servers.Count > 1:
                    // The server stopped answering altogether: another granted server is the better
                    // bet, so the client's own new Allocate to the silent one is called off.
                    allocationsLost++;
                    client.Stop(Now);
                    OnFailed(lost.Failure);
                    break;
                case TurnClientEvent.AllocationLost lost:
                    allocationsLost++;
                    log.Warning("TURN allocation lost ({0}); allocating again", lost.Failure);
                    break;
                case TurnClientEvent.AllocationFailed failed:
                    OnFailed(failed.Failure);
                    break;
            }
        }
        if (reallocated)
        {
            // A permission the old allocation's server refused (a restarted coturn says 400, not
            // 437) is forgotten by the client; the new allocation asks for every remembered one.
            foreach (var address in permittedOrder) client.Permit(Now, address);
            SendPending(client);
        }
        var relayed = client.State == TurnClientState.Allocated ? client.RelayedAddress : null;
        if (!Equals(relayed, published))
        {
            published = relayed;
            Context.Parent.Tell(new RelayedCandidateChanged(relayed));
        }
    }

    private void SendPending(TurnClient turn)
    {
        while (turn.PollTransmit() is { } transmit)
            transport.Tell(new SendDatagram(transmit.Destination, transmit.Datagram.ToArray()));
    }

    private void OnFailed(TurnFailure failure)
    {
        if (rotation.Failed(Now, failure) is not { } attempt)
        {
            log.Warning("TURN allocation on {0} failed: {1}; every granted server refused us, asking the seed for fresh credentials", client!.Server, failure);
            AskForFreshGrantWhenDue();
            return;
        }
        var wait = attempt.At - Now;
        log.Warning("TURN allocation on {0} failed: {1}; trying {2} in {3:0.#} s", client!.Server, failure, attempt.Server, wait.TotalSeconds);
        Timers.StartSingleTimer("retry", new Retry(attempt, generation), wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    /// <summary>Asks the node for a fresh grant now if the rotation wants one now, else checks again when it will.</summary>
    private void AskForFreshGrantWhenDue()
    {
        if (rotation.FreshGrantWantedAt is not { } due) return;
        if (due <= Now)
        {
            rotation.FreshGrantRequested(Now);
            Context.Parent.Tell(RelayGrantWanted.Instance);
            due = rotation.FreshGrantWantedAt ?? Now;
        }
        Timers.StartSingleTimer(nameof(AskForFreshGrant), AskForFreshGrant.Instance, due - Now);
    }

    private void Remember(IPAddress address)
    {
        if (!permitted.Add(address)) return;
        permittedOrder.Enqueue(address);
        if (permittedOrder.Count > RememberedPermissions) permitted.Remove(permittedOrder.Dequeue());
    }
}
