using System.Net;
using Pype.Core.Node;
using Pype.Core.Seed;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Node;

/// <summary>An introduction names the addresses its asker chose: the node probes only those in ranges it allows.</summary>
public sealed class CandidateRangesTests
{
    [Theory]
    [InlineData("8.8.8.8", AddressScope.Public)]
    [InlineData("1.1.1.1", AddressScope.Public)]
    [InlineData("100.63.255.255", AddressScope.Public)]
    [InlineData("100.128.0.1", AddressScope.Public)]
    [InlineData("172.15.0.1", AddressScope.Public)]
    [InlineData("172.32.0.1", AddressScope.Public)]
    [InlineData("223.255.255.254", AddressScope.Public)]
    [InlineData("10.1.0.2", AddressScope.Private)]
    [InlineData("172.16.5.4", AddressScope.Private)]
    [InlineData("172.31.255.255", AddressScope.Private)]
    [InlineData("192.168.1.1", AddressScope.Private)]
    [InlineData("100.64.0.1", AddressScope.Private)]
    [InlineData("100.127.255.254", AddressScope.Private)]
    [InlineData("127.0.0.1", AddressScope.Lab)]
    [InlineData("127.255.0.9", AddressScope.Lab)]
    [InlineData("192.0.2.20", AddressScope.Lab)]
    [InlineData("198.51.100.66", AddressScope.Lab)]
    [InlineData("203.0.113.2", AddressScope.Lab)]
    [InlineData("198.18.0.1", AddressScope.Lab)]
    [InlineData("198.19.255.255", AddressScope.Lab)]
    [InlineData("0.0.0.0", AddressScope.Never)]
    [InlineData("0.1.2.3", AddressScope.Never)]
    [InlineData("169.254.169.254", AddressScope.Never)]
    [InlineData("192.0.0.170", AddressScope.Never)]
    [InlineData("192.88.99.1", AddressScope.Never)]
    [InlineData("224.0.0.251", AddressScope.Never)]
    [InlineData("239.255.255.250", AddressScope.Never)]
    [InlineData("240.0.0.1", AddressScope.Never)]
    [InlineData("255.255.255.255", AddressScope.Never)]
    [InlineData("2606:4700::1111", AddressScope.Public)]
    [InlineData("2a00:1450:4001:81b::200e", AddressScope.Public)]
    [InlineData("fd12:3456::1", AddressScope.Private)]
    [InlineData("fc00::1", AddressScope.Private)]
    [InlineData("::1", AddressScope.Lab)]
    [InlineData("2001:db8::5", AddressScope.Lab)]
    [InlineData("2001:2::1", AddressScope.Lab)]
    [InlineData("::", AddressScope.Never)]
    [InlineData("fe80::1", AddressScope.Never)]
    [InlineData("ff02::1", AddressScope.Never)]
    [InlineData("2001::1", AddressScope.Never)]
    [InlineData("2002:c000:0204::1", AddressScope.Never)]
    [InlineData("64:ff9b::808:808", AddressScope.Never)]
    [InlineData("100::1", AddressScope.Never)]
    [InlineData("::ffff:127.0.0.1", AddressScope.Lab)]
    [InlineData("::ffff:10.0.0.1", AddressScope.Private)]
    [InlineData("::ffff:8.8.4.4", AddressScope.Public)]
    [InlineData("::ffff:255.255.255.255", AddressScope.Never)]
    public void Each_address_falls_in_its_special_purpose_range(string address, AddressScope scope) =>
        Assert.Equal(scope, CandidateScope.Of(IPAddress.Parse(address)));

    [Theory]
    [InlineData(AddressScope.Public, true, true, true)]
    [InlineData(AddressScope.Private, false, true, true)]
    [InlineData(AddressScope.Lab, false, false, true)]
    [InlineData(AddressScope.Never, false, false, false)]
    public void Each_setting_allows_its_ranges_and_those_below(AddressScope scope, bool underPublic, bool underPrivate, bool underLab)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(scope switch
        {
            AddressScope.Public => "8.8.8.8",
            AddressScope.Private => "192.168.0.10",
            AddressScope.Lab => "127.0.0.1",
            _ => "255.255.255.255",
        }), 5000);
        Assert.Equal(underPublic, CandidateRanges.Public.Allows(endPoint));
        Assert.Equal(underPrivate, CandidateRanges.Private.Allows(endPoint));
        Assert.Equal(underLab, CandidateRanges.Lab.Allows(endPoint));
    }

    [Fact]
    public void Port_zero_is_never_probed() => Assert.False(CandidateRanges.Lab.Allows(IPEndPoint.Parse("8.8.8.8:0")));

    [Fact]
    public void An_introduction_aiming_at_loopback_broadcast_and_multicast_starts_a_link_only_to_its_public_candidate()
    {
        var node = new EndpointHarness(ranges: CandidateRanges.Private);
        node.Register();
        var link = node.Introduce(EndpointHarness.Peer(1), IPEndPoint.Parse("127.0.0.1:22"),
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("127.0.0.1:6379")),
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("255.255.255.255:9")),
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("224.0.0.251:5353")),
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("169.254.169.254:80")),
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("192.168.1.20:40000")),
            new Candidate(CandidateKind.ServerReflexive, IPEndPoint.Parse("8.8.8.8:40000")));

        Assert.Equal(["192.168.1.20:40000", "8.8.8.8:40000"], link.Candidates.Select(c => c.EndPoint.ToString()));
        Assert.Equal(5, node.Endpoint.Drops[NodeEndpointDrop.CandidateOutOfRange]);
    }

    [Fact]
    public void Without_private_ranges_a_LAN_candidate_is_dropped_too()
    {
        var node = new EndpointHarness(ranges: CandidateRanges.Public);
        node.Register();
        var link = node.Introduce(EndpointHarness.Peer(1), null,
            new Candidate(CandidateKind.Host, IPEndPoint.Parse("10.0.0.5:40000")),
            new Candidate(CandidateKind.ServerReflexive, IPEndPoint.Parse("8.8.8.8:40000")));

        Assert.Equal("8.8.8.8:40000", Assert.Single(link.Candidates).EndPoint.ToString());
        Assert.Equal(1, node.Endpoint.Drops[NodeEndpointDrop.CandidateOutOfRange]);
    }

    [Fact]
    public void An_introduction_with_no_candidate_in_range_starts_no_link_and_is_counted()
    {
        var node = new EndpointHarness(ranges: CandidateRanges.Private);
        node.Register();
        node.Endpoint.HandleSeedEvent(node.Now, new IntroductionReceived(
            SignedPresence.Create(EndpointHarness.Peer(1), node.Now, [new Candidate(CandidateKind.Host, IPEndPoint.Parse("127.0.0.1:5000"))]),
            IPEndPoint.Parse("0.0.0.0:5000")));

        Assert.Empty(node.Taken<EndpointCommand.StartLink>());
        Assert.Equal(0, node.Endpoint.PunchingCount + node.Endpoint.ConnectedCount);
        Assert.Equal(2, node.Endpoint.Drops[NodeEndpointDrop.CandidateOutOfRange]);
        Assert.Equal(1, node.Endpoint.Drops[NodeEndpointDrop.IntroductionWithoutUsableCandidate]);
    }
}
