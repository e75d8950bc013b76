using System.Buffers.Binary;
using Pype.Core.Connection;
using Pype.Core.Node;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Node;

public sealed class ReceiverIndexTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ReceiverIndexTable<string> _table = new(capacity: 4, idleExpiry: TimeSpan.FromMinutes(5));

    internal static byte[] TransportPacket(uint receiverIndex)
    {
        var packet = new byte[TransportData.MinLength];
        packet[0] = (byte)PypePacketType.TransportData;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(TransportData.ReceiverIndexOffset), receiverIndex);
        return packet;
    }

    private static byte[] ResponsePacket(uint senderIndex, uint receiverIndex)
    {
        var packet = new byte[HandshakeResponse.Length];
        packet[0] = (byte)PypePacketType.HandshakeResponse;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(HandshakeResponse.SenderIndexOffset), senderIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(HandshakeResponse.ReceiverIndexOffset), receiverIndex);
        return packet;
    }

    [Fact]
    public void A_transport_packet_reaches_the_owner_that_registered_its_index()
    {
        _table.Register(Now, 7, "link-a");
        _table.Register(Now, 8, "link-b");

        Assert.Equal(ReceiverIndexLookup.Routed, _table.Resolve(Now, TransportPacket(8), out var owner));
        Assert.Equal("link-b", owner);
    }

    [Fact]
    public void A_handshake_response_is_routed_by_its_receiver_index_not_its_sender_index()
    {
        _table.Register(Now, 7, "link-a");
        _table.Register(Now, 99, "link-b");

        Assert.Equal(ReceiverIndexLookup.Routed, _table.Resolve(Now, ResponsePacket(senderIndex: 99, receiverIndex: 7), out var owner));
        Assert.Equal("link-a", owner);
    }

    [Fact]
    public void A_packet_naming_an_unknown_index_is_dropped_and_counted()
    {
        _table.Register(Now, 7, "link-a");

        Assert.Equal(ReceiverIndexLookup.Dropped, _table.Resolve(Now, TransportPacket(8), out var owner));
        Assert.Null(owner);
        Assert.Equal(1, _table.Drops[ReceiverIndexDrop.UnknownIndex]);
    }

    [Fact]
    public void An_initiation_names_no_index_and_goes_to_the_handshake_gate()
    {
        Assert.Equal(ReceiverIndexLookup.Initiation, _table.Resolve(Now, [(byte)PypePacketType.HandshakeInitiation, 0, 0, 0], out _));
        Assert.Equal(0, _table.Drops.Total);
    }

    [Fact]
    public void Truncated_packets_are_dropped_as_malformed_whatever_index_they_start_to_name()
    {
        _table.Register(Now, 7, "link-a");

        Assert.Equal(ReceiverIndexLookup.Dropped, _table.Resolve(Now, TransportPacket(7)[..^1], out _));
        Assert.Equal(ReceiverIndexLookup.Dropped, _table.Resolve(Now, ResponsePacket(1, 7)[..20], out _));
        Assert.Equal(2, _table.Drops[ReceiverIndexDrop.Malformed]);
    }

    [Fact]
    public void A_route_no_packet_used_for_the_idle_expiry_is_forgotten_while_a_used_one_stays()
    {
        _table.Register(Now, 7, "idle");
        _table.Register(Now, 8, "busy");
        _table.Resolve(Now + TimeSpan.FromMinutes(4), TransportPacket(8), out _);

        _table.ExpireIdle(Now + TimeSpan.FromMinutes(5));

        Assert.False(_table.IsRouted(7));
        Assert.True(_table.IsRouted(8));
        Assert.Equal(ReceiverIndexLookup.Dropped, _table.Resolve(Now + TimeSpan.FromMinutes(5), TransportPacket(7), out _));
    }

    [Fact]
    public void A_full_table_refuses_a_new_route_and_counts_it_until_idle_routes_expire()
    {
        for (uint i = 0; i < 4; i++)
            Assert.True(_table.Register(Now, i, "link"));

        Assert.False(_table.Register(Now + TimeSpan.FromMinutes(1), 100, "late"));
        Assert.Equal(1, _table.Drops[ReceiverIndexDrop.TableFull]);

        Assert.True(_table.Register(Now + TimeSpan.FromMinutes(6), 100, "late"));
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public void Only_the_current_owner_releases_a_route_and_a_stopped_owner_loses_all_of_its_routes()
    {
        _table.Register(Now, 7, "old");
        _table.Register(Now, 7, "new");
        _table.Register(Now, 8, "new");

        _table.Release(7, "old");
        Assert.True(_table.IsRouted(7));

        _table.ReleaseOwner("new");
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void The_index_reader_finds_the_sender_index_a_handshake_of_ours_allocates()
    {
        Assert.True(LinkPacketRouting.TryReadSenderIndex(ResponsePacket(senderIndex: 42, receiverIndex: 7), out var index));
        Assert.Equal(42u, index);
        Assert.False(LinkPacketRouting.TryReadSenderIndex(TransportPacket(7), out _));
    }
}
