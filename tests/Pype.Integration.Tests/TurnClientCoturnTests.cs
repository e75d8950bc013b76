using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pype.Core;
using Pype.Core.Turn;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>
/// The sans-IO <see cref="TurnClient"/> against a real coturn on loopback: a small loop here moves
/// datagrams and ticks between a UDP socket and the client, as the node's actor will later.
/// </summary>
public class TurnClientCoturnTests
{
    private const string Secret = "S";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A real coturn, the client's socket, and a peer socket the relay can reach.</summary>
    private sealed record RelayWithPeer(Coturn Coturn, UdpClient Socket, UdpClient Peer, IPEndPoint PeerEndPoint, ClientLoop Loop) : IDisposable
    {
        public static RelayWithPeer Start()
        {
            var coturn = Coturn.Start();
            var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)) { Client = { ReceiveTimeout = (int)StepTimeout.TotalMilliseconds } };
            var credentials = TurnRestCredentials.Create(Secret, DateTimeOffset.UtcNow.AddHours(1), "pype-test");
            var loop = new ClientLoop(new TurnClient(coturn.EndPoint, credentials, SystemRandomSource.Instance), socket, coturn);
            return new RelayWithPeer(coturn, socket, peer, (IPEndPoint)peer.Client.LocalEndPoint!, loop);
        }

        public void Dispose()
        {
            Peer.Dispose();
            Socket.Dispose();
            Coturn.Dispose();
        }
    }

    [Fact]
    public void Allocates_with_rest_credentials_and_relays_both_ways_by_indication_and_by_channel()
    {
        using var relay = RelayWithPeer.Start();
        var (coturn, socket, peer, peerEndPoint, loop) = relay;

        loop.Client.Start(DateTimeOffset.UtcNow);
        var allocated = loop.WaitFor<TurnClientEvent.Allocated>();
        Assert.Equal(IPAddress.Loopback, allocated.Relayed.Address);
        Assert.InRange(allocated.Relayed.Port, coturn.MinRelayPort, coturn.MaxRelayPort);
        Assert.Equal(socket.Client.LocalEndPoint, allocated.Mapped);

        loop.Client.Permit(DateTimeOffset.UtcNow, peerEndPoint.Address);
        loop.WaitFor<TurnClientEvent.PermissionCreated>();

        // The peer speaks first: no channel exists yet, so coturn wraps it in a Data indication.
        peer.Send("from peer, by indication"u8, allocated.Relayed);
        var byIndication = loop.WaitFor<TurnClientEvent.DataReceived>();
        Assert.Equal((peerEndPoint, false, "from peer, by indication"), (byIndication.Peer, byIndication.ViaChannel, Text(byIndication.Payload)));

        // Our first Send goes out as a Send indication and asks for a channel at the same time.
        Assert.True(loop.Client.Send(DateTimeOffset.UtcNow, peerEndPoint, "to peer, by indication"u8));
        loop.Flush();
        Assert.Equal("to peer, by indication", ReceiveFromRelay(peer, allocated.Relayed));
        var bound = loop.WaitFor<TurnClientEvent.ChannelBound>();
        Assert.Equal(peerEndPoint, bound.Peer);

        Assert.True(loop.Client.Send(DateTimeOffset.UtcNow, peerEndPoint, "to peer, by channel"u8));
        var sent = loop.Flush();
        Assert.Equal(ChannelData.HeaderLength + "to peer, by channel".Length, Assert.Single(sent).Length);
        Assert.Equal("to peer, by channel", ReceiveFromRelay(peer, allocated.Relayed));

        peer.Send("from peer, by channel"u8, allocated.Relayed);
        var byChannel = loop.WaitFor<TurnClientEvent.DataReceived>();
        Assert.Equal((peerEndPoint, true, "from peer, by channel"), (byChannel.Peer, byChannel.ViaChannel, Text(byChannel.Payload)));

        loop.Client.Stop(DateTimeOffset.UtcNow);
        loop.WaitFor<TurnClientEvent.Deallocated>();
        Assert.Equal(0, loop.Client.Drops.Total);
    }

    [Fact]
    public void Credentials_signed_with_the_wrong_secret_fail_after_one_authenticated_attempt()
    {
        using var coturn = Coturn.Start();
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var credentials = TurnRestCredentials.Create("not the secret", DateTimeOffset.UtcNow.AddHours(1), "pype-test");
        var loop = new ClientLoop(new TurnClient(coturn.EndPoint, credentials, SystemRandomSource.Instance), socket, coturn);

        loop.Client.Start(DateTimeOffset.UtcNow);
        var failed = loop.WaitFor<TurnClientEvent.AllocationFailed>();
        Assert.Equal(TurnFailureKind.Unauthenticated, failed.Failure.Kind);
    }

    [Fact]
    public void A_coturn_killed_and_started_again_is_noticed_by_the_probe_and_the_client_allocates_anew_with_its_permission()
    {
        using var relay = RelayWithPeer.Start();
        var (coturn, socket, peer, peerEndPoint, loop) = relay;
        loop.Client.Start(DateTimeOffset.UtcNow);
        var first = loop.WaitFor<TurnClientEvent.Allocated>();
        loop.Client.Permit(DateTimeOffset.UtcNow, peerEndPoint.Address);
        loop.WaitFor<TurnClientEvent.PermissionCreated>();

        coturn.Restart();
        // Data into the new process goes nowhere; the silence draws the probe, and coturn answers
        // it with a new nonce, then 437: the allocation is gone.
        Assert.True(loop.Client.Send(DateTimeOffset.UtcNow, peerEndPoint, "into the void"u8));
        var lost = loop.WaitFor<TurnClientEvent.AllocationLost>();
        Assert.Equal(TurnFailureKind.AllocationMismatch, lost.Failure.Kind);
        var second = loop.WaitFor<TurnClientEvent.Allocated>();
        loop.WaitFor<TurnClientEvent.PermissionCreated>();

        Assert.True(loop.Client.Send(DateTimeOffset.UtcNow, peerEndPoint, "through the new allocation"u8));
        loop.Flush();
        Assert.Equal("through the new allocation", ReceiveFromRelay(peer, second.Relayed));
        Assert.Equal(first.Mapped, second.Mapped);
    }

    private static string Text(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);

    private static string ReceiveFromRelay(UdpClient peer, IPEndPoint relayed)
    {
        IPEndPoint? from = null;
        var bytes = peer.Receive(ref from);
        Assert.Equal(relayed, from);
        return Encoding.UTF8.GetString(bytes);
    }
}
