using System.Buffers.Binary;
using System.Net;
using Pype.Core.Node;
using Pype.Core.Stun;
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

    private static byte[] Transport(uint receiverIndex)
    {
        var packet = new byte[TransportData.MinLength];
        packet[0] = (byte)PypePacketType.TransportData;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(TransportData.ReceiverIndexOffset), receiverIndex);
        return packet;
    }
}
