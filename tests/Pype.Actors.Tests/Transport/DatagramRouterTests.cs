using System.Buffers.Binary;
using System.Net;
using Akka.TestKit.Xunit2;
using Pype.Actors.Transport;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Actors.Tests.Transport;

public sealed class DatagramRouterTests : TestKit
{
    private static readonly IPEndPoint Peer = IPEndPoint.Parse("192.0.2.2:5000");
    private static readonly IPEndPoint TurnServer = IPEndPoint.Parse("198.51.100.9:3478");
    private DateTimeOffset now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly DatagramRouter router;

    public DatagramRouterTests() => router = new DatagramRouter(() => now);

    private static byte[] Transport(uint receiverIndex)
    {
        var packet = new byte[TransportData.MinLength];
        packet[0] = (byte)PypePacketType.TransportData;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(TransportData.ReceiverIndexOffset), receiverIndex);
        return packet;
    }

    [Fact]
    public void A_pype_packet_reaches_the_actor_that_registered_its_index_and_an_initiation_the_handshake_handler()
    {
        var link = CreateTestProbe();
        var handshakes = CreateTestProbe();
        router.HandshakeHandler = handshakes;
        router.Register(11, link);

        Assert.Equal(link.Ref, router.OwnerOf(Peer, Transport(11)));
        Assert.Equal(handshakes.Ref, router.OwnerOf(Peer, [(byte)PypePacketType.HandshakeInitiation, 0, 0, 0]));
        Assert.Equal(link.Ref, router.OwnerOfRelayed(Transport(11)));
    }

    [Fact]
    public void Sending_routes_nothing_and_an_unknown_index_is_dropped_and_counted()
    {
        Assert.Null(router.OwnerOf(Peer, Transport(12)));
        Assert.Null(router.OwnerOf(Peer, Transport(12)[..10]));

        Assert.Equal(1, router.Drops["unknown-index"]);
        Assert.Equal(1, router.Drops["malformed-pype-packet"]);
        Assert.Equal(0, router.RoutedIndices);
    }

    [Fact]
    public void A_route_idle_for_the_expiry_is_forgotten_and_a_stopped_owners_routes_go_at_once()
    {
        var idle = CreateTestProbe();
        var stopped = CreateTestProbe();
        router.Register(1, idle);
        router.Register(2, stopped);
        router.Register(3, stopped);

        router.Forget(stopped);
        now += TimeSpan.FromMinutes(5);
        router.ExpireIdle();

        Assert.Equal(0, router.RoutedIndices);
        Assert.Null(router.OwnerOf(Peer, Transport(1)));
    }

    [Fact]
    public void A_release_by_another_actor_leaves_the_route_alone()
    {
        var owner = CreateTestProbe();
        router.Register(5, owner);

        router.Release([5], CreateTestProbe());
        Assert.Equal(owner.Ref, router.OwnerOf(Peer, Transport(5)));

        router.Release([5], owner);
        Assert.Null(router.OwnerOf(Peer, Transport(5)));
    }

    [Fact]
    public void Channel_data_belongs_to_the_relay_handler_only_when_it_comes_from_the_turn_server()
    {
        var relay = CreateTestProbe();
        router.SetRelay(relay, TurnServer);
        byte[] channelData = [0x40, 0x00, 0x00, 0x00];

        Assert.Equal(relay.Ref, router.OwnerOf(TurnServer, channelData));
        Assert.Null(router.OwnerOf(Peer, channelData));
        Assert.Equal(1, router.Drops["turn-channel-data-not-from-relay"]);
    }
}
