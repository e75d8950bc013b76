using System.Buffers.Binary;
using System.Net;
using Pype.Core.Node;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Node;

/// <summary>The socket demux the transport and the simulated node share, with plain objects as owners.</summary>
public sealed class DatagramDemuxTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Peer = IPEndPoint.Parse("192.0.2.2:5000");
    private static readonly IPEndPoint TurnServer = IPEndPoint.Parse("198.51.100.9:3478");

    private readonly DatagramDemux<object> _demux = new() { StunHandler = "seed link", HandshakeHandler = "endpoint" };

    [Fact]
    public void Stun_goes_to_the_seed_link_initiations_to_the_endpoint_and_indexed_packets_to_whoever_registered_the_index()
    {
        const string link = "link";
        _demux.Register(Now, 7, link);
        var stunResponse = StunBindingResponder.Respond(StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, StunTransactionId.FromHex("0102030405060708090a0b0c"))), Peer)!;

        Assert.Equal("seed link", _demux.OwnerOf(Now, Peer, stunResponse));
        Assert.Equal("endpoint", _demux.OwnerOf(Now, Peer, [(byte)PypePacketType.HandshakeInitiation, 0, 0, 0]));
        Assert.Equal(link, _demux.OwnerOf(Now, Peer, Transport(7)));
        Assert.Null(_demux.OwnerOf(Now, Peer, Transport(8)));
        Assert.Equal(1, _demux.Drops["unknown-index"]);

        _demux.ReleaseOwner(link);
        Assert.Null(_demux.OwnerOf(Now, Peer, Transport(7)));
    }

    [Fact]
    public void Without_a_relay_channel_data_is_dropped_and_with_one_only_the_turn_servers_reaches_it()
    {
        byte[] channelData = [0x40, 0x00, 0x00, 0x00];
        Assert.Null(_demux.OwnerOf(Now, TurnServer, channelData));

        _demux.SetRelay("relay", TurnServer);

        Assert.Equal("relay", _demux.OwnerOf(Now, TurnServer, channelData));
        Assert.Null(_demux.OwnerOf(Now, Peer, channelData));
        Assert.Equal(2, _demux.Drops["turn-channel-data-not-from-relay"]);
    }

    [Fact]
    public void A_stun_binding_request_is_answered_with_the_address_it_came_from_and_never_routed()
    {
        var request = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, StunTransactionId.FromHex("0102030405060708090a0b0c")));

        Assert.True(_demux.IsStunRequest(Peer, request, out var answer));
        var parsed = StunMessageParser.Parse(answer!).Message!;
        Assert.Equal(StunMessageType.BindingSuccess, parsed.Type);
        Assert.Equal(Peer, parsed.Message.Get<XorMappedAddressAttribute>()?.EndPoint);

        // A response is the seed link's, not the transport's to answer.
        Assert.False(_demux.IsStunRequest(Peer, answer!, out var none));
        Assert.Null(none);
        Assert.False(_demux.IsStunRequest(Peer, Transport(7), out _));
    }

    [Fact]
    public void A_malformed_stun_request_gets_no_answer_and_is_counted()
    {
        byte[] junk = [0x00, 0x01, 0x00, 0x08, 0x21, 0x12];
        Assert.True(_demux.IsStunRequest(Peer, junk, out var answer));
        Assert.Null(answer);
        Assert.Equal(1, _demux.Drops["stun-request-refused"]);
    }

    [Fact]
    public void A_forgotten_owner_loses_its_routes_and_every_handler_role_it_held()
    {
        const string seedLink = "seed link", relay = "relay";
        _demux.Register(Now, 7, seedLink);
        _demux.Register(Now, 8, "link");
        _demux.SetRelay(relay, TurnServer);

        _demux.Forget(seedLink);
        _demux.Forget(relay);

        Assert.Null(_demux.StunHandler);
        Assert.Null(_demux.RelayHandler);
        Assert.Equal("endpoint", _demux.HandshakeHandler);
        Assert.Null(_demux.OwnerOf(Now, Peer, Transport(7)));
        Assert.Equal("link", _demux.OwnerOf(Now, Peer, Transport(8)));
        // Without a relay the TURN server is no one special: its ChannelData is garbage again.
        Assert.Null(_demux.OwnerOf(Now, TurnServer, [0x40, 0x00, 0x00, 0x00]));
        Assert.Equal(1, _demux.Drops["turn-channel-data-not-from-relay"]);
    }

    private static byte[] Transport(uint receiverIndex)
    {
        var packet = new byte[TransportData.MinLength];
        packet[0] = (byte)PypePacketType.TransportData;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(TransportData.ReceiverIndexOffset), receiverIndex);
        return packet;
    }
}
