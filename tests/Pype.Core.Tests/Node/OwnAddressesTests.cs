using System.Net;
using Pype.Core.Node;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Node;

public sealed class OwnAddressesTests
{
    private static readonly Candidate Lan = new(CandidateKind.Host, IPEndPoint.Parse("192.168.1.20:4000"));
    private static readonly IPEndPoint Reflexive = IPEndPoint.Parse("203.0.113.7:61000");
    private static readonly IPEndPoint Allocation = IPEndPoint.Parse("198.51.100.9:50000");

    [Fact]
    public void Addresses_are_published_host_then_server_reflexive_then_relayed_whatever_order_they_came_in()
    {
        var own = new OwnAddresses([Lan]);
        Assert.Equal([Lan], own.Candidates);
        own.RelayedChanged(Allocation);
        Assert.True(own.RegisteredFrom("203.0.113.7:61000"));
        Assert.Equal(
            [Lan, new Candidate(CandidateKind.ServerReflexive, Reflexive), new Candidate(CandidateKind.Relayed, Allocation)],
            own.Candidates);

        own.RelayedChanged(null);
        Assert.Equal([Lan, new Candidate(CandidateKind.ServerReflexive, Reflexive)], own.Candidates);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not an address")]
    public void A_registration_that_names_no_address_keeps_the_last_one(string? answer)
    {
        var own = new OwnAddresses([Lan]);
        own.RegisteredFrom("203.0.113.7:61000");
        Assert.False(own.RegisteredFrom(answer));
        Assert.Equal(Reflexive, own.ServerReflexive);
    }

    [Fact]
    public void A_restarted_network_publishes_only_its_host_candidates_until_it_learns_again()
    {
        var own = new OwnAddresses([Lan]);
        own.RegisteredFrom("203.0.113.7:61000");
        own.RelayedChanged(Allocation);
        var rebound = new Candidate(CandidateKind.Host, IPEndPoint.Parse("192.168.1.20:4001"));

        own.Restart([rebound]);

        Assert.Equal([rebound], own.Candidates);
        Assert.Null(own.ServerReflexive);
        Assert.Null(own.Relayed);
    }
}
