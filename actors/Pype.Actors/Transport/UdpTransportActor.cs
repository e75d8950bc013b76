using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace Pype.Actors.Transport;

/// <summary>
/// Owns one UDP socket: a plain Socket with its own receive loop (Akka.IO UDP's small buffers
/// and single outstanding receive do not suit media). Answers STUN Binding requests itself,
/// hands every other datagram to the owner its <see cref="DatagramRouter"/> names, and counts
/// what it drops.
/// Supervision: its guardian (node or seed) resumes it on any failure, never restarts it, since a
/// restart would close the socket (PostStop) and start over on one already closed. The receive
/// loop is a thread, outside supervision: a socket error other than an ICMP-caused one ends it
/// with a warning and the node hears no more. Owners and handlers are watched and forgotten when
/// they stop; a restarted one keeps its ActorRef and its routes, a new one registers anew.
/// </summary>
public sealed class UdpTransportActor : ReceiveActor
{
    public const int ReceiveBufferSize = 2048;
    private static readonly TimeSpan RouteExpiryCheck = TimeSpan.FromMinutes(1);

    private sealed record ExpireRoutes
    {
        public static readonly ExpireRoutes Instance = new();
    }

    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly DatagramRouter router = new();
    private readonly Socket socket;
    private readonly CancellationTokenSource stopping = new();
    private long datagramsIn, datagramsOut, stunAnswered;
    private ICancelable? expiry;

    /// <param name="boundSocket">Bound by the host before start-up, so a port in use stops
    /// start-up with a clear error; this actor owns and closes it.</param>
    public UdpTransportActor(Socket boundSocket)
    {
        socket = boundSocket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;

        Receive<SendDatagram>(send =>
        {
            if (!send.ViaRelay) Send(send.Destination, send.Datagram);
            else if (router.RelayHandler is { } relay) relay.Tell(new RelayOutbound(send.Destination, send.Datagram));
            else router.CountDrop("relay-send-without-relay");
        });
        Receive<RegisterRelayHandler>(r => { router.SetRelay(r.Handler, r.Server); Context.Watch(r.Handler); });
        Receive<PermitRelayPeers>(p => router.RelayHandler?.Forward(p));
        Receive<RelayedInbound>(r => router.OwnerOfRelayed(r.Datagram)?.Tell(new InboundDatagram(r.Source, r.Datagram, DateTimeOffset.UtcNow, ViaRelay: true)));
        Receive<RegisterHandshakeHandler>(r => { router.HandshakeHandler = r.Handler; Context.Watch(r.Handler); });
        Receive<RegisterStunHandler>(r => { router.StunHandler = r.Handler; Context.Watch(r.Handler); });
        Receive<RouteIndex>(r => { router.Register(r.Index, r.Owner); Context.Watch(r.Owner); });
        Receive<ReleaseIndices>(r => router.Release(r.Indices, Sender));
        Receive<Terminated>(t => router.Forget(t.ActorRef));
        Receive<ExpireRoutes>(_ => router.ExpireIdle());
        Receive<GetTransportStatus>(_ => Sender.Tell(new TransportStatus(
            LocalEndPoint, Interlocked.Read(ref datagramsIn), Interlocked.Read(ref datagramsOut),
            Interlocked.Read(ref stunAnswered), router.RoutedIndices, router.Drops)));
    }

    public IPEndPoint LocalEndPoint { get; }

    public static Props Props(Socket boundSocket) => Akka.Actor.Props.Create(() => new UdpTransportActor(boundSocket));

    protected override void PreStart()
    {
        var loop = new Thread(() => ReceiveLoop(stopping.Token)) { IsBackground = true, Name = $"udp {LocalEndPoint}" };
        loop.Start();
        expiry = Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(RouteExpiryCheck, RouteExpiryCheck, Self, ExpireRoutes.Instance, Self);
    }

    protected override void PostStop()
    {
        expiry?.Cancel();
        stopping.Cancel();
        socket.Dispose();
    }

    public static Socket Bind(IPEndPoint bindTo)
    {
        var socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            socket.Bind(bindTo);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Send(IPEndPoint destination, byte[] datagram)
    {
        try
        {
            socket.SendTo(datagram, destination);
            Interlocked.Increment(ref datagramsOut);
        }
        catch (SocketException ex)
        {
            router.CountDrop("send-" + ex.SocketErrorCode.ToString().ToLowerInvariant());
        }
    }

    private void ReceiveLoop(CancellationToken token)
    {
        var buffer = new byte[ReceiveBufferSize];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!token.IsCancellationRequested)
        {
            int length;
            EndPoint from = any;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
            {
                router.CountDrop("receive-" + ex.SocketErrorCode.ToString().ToLowerInvariant());
                continue;
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                if (!token.IsCancellationRequested) log.Warning("UDP receive loop on {0} ended: {1}", LocalEndPoint, ex.Message);
                return;
            }
            Interlocked.Increment(ref datagramsIn);
            Dispatch((IPEndPoint)from, buffer.AsSpan(0, length));
        }
    }

    private void Dispatch(IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (!router.IsStunRequest(source, datagram, out var answer))
            router.OwnerOf(source, datagram)?.Tell(new InboundDatagram(source, datagram.ToArray(), DateTimeOffset.UtcNow));
        else if (answer is not null)
        {
            Send(source, answer);
            Interlocked.Increment(ref stunAnswered);
        }
    }
}
