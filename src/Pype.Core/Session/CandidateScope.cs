using System.Net;
using System.Net.Sockets;

namespace Pype.Core.Session;

/// <summary>Where an address can be reached from, as far as a candidate is concerned (RFC 6890's special-purpose registries).</summary>
public enum AddressScope
{
    /// <summary>Globally reachable unicast: always probed.</summary>
    Public,
    /// <summary>RFC 1918, shared (CGNAT) 100.64.0.0/10, unique-local fc00::/7: peers on one LAN behind one NAT.</summary>
    Private,
    /// <summary>Loopback, documentation (TEST-NET-1/2/3, 2001:db8::/32) and benchmarking (198.18.0.0/15, 2001:2::/48) ranges: tests and the NAT lab only.</summary>
    Lab,
    /// <summary>Never a peer: unspecified, "this network" 0/8, link-local, multicast, broadcast, 240/4, IETF protocol assignments and the other IPv6 special ranges.</summary>
    Never,
}

/// <summary>Which candidate addresses a node probes (setting <c>pype.node.candidate-ranges</c>).</summary>
public enum CandidateRanges
{
    /// <summary>Public addresses only.</summary>
    Public,
    /// <summary>Public and private (LAN) addresses: the default, so two nodes behind one NAT reach each other on their host candidates.</summary>
    Private,
    /// <summary>Also loopback, documentation and benchmarking ranges: tests on one machine and the NAT lab, never a real network.</summary>
    Lab,
}

/// <summary>
/// Classifies candidate addresses, so an introduction cannot aim a node's probes at its own
/// loopback, a broadcast address, a multicast group or (unless allowed) the node's LAN. Sans-IO.
/// </summary>
public static class CandidateScope
{
    public static AddressScope Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => OfV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => OfV6(address.GetAddressBytes()),
            _ => AddressScope.Never,
        };
    }

    /// <summary>Whether a node with <paramref name="ranges"/> probes <paramref name="endPoint"/>; port 0 never.</summary>
    public static bool Allows(this CandidateRanges ranges, IPEndPoint endPoint) =>
        endPoint.Port != 0 && Of(endPoint.Address) switch
        {
            AddressScope.Public => true,
            AddressScope.Private => ranges >= CandidateRanges.Private,
            AddressScope.Lab => ranges == CandidateRanges.Lab,
            _ => false,
        };

    private static AddressScope OfV4(byte[] b) => (b[0], b[1], b[2]) switch
    {
        (0, _, _) => AddressScope.Never,
        (10, _, _) => AddressScope.Private,
        (100, >= 64 and <= 127, _) => AddressScope.Private,
        (127, _, _) => AddressScope.Lab,
        (169, 254, _) => AddressScope.Never,
        (172, >= 16 and <= 31, _) => AddressScope.Private,
        (192, 0, 0) => AddressScope.Never,
        (192, 0, 2) => AddressScope.Lab,
        (192, 88, 99) => AddressScope.Never,
        (192, 168, _) => AddressScope.Private,
        (198, 18 or 19, _) => AddressScope.Lab,
        (198, 51, 100) => AddressScope.Lab,
        (203, 0, 113) => AddressScope.Lab,
        ( >= 224, _, _) => AddressScope.Never,
        _ => AddressScope.Public,
    };

    private static AddressScope OfV6(byte[] b)
    {
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0)
            return b[15] == 1 ? AddressScope.Lab : AddressScope.Never;
        if ((b[0] & 0xFE) == 0xFC)
            return AddressScope.Private;
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
            return AddressScope.Lab;
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x02 && b[4] == 0 && b[5] == 0)
            return AddressScope.Lab;
        // Within global unicast 2000::/3, 2001::/23 holds the IETF protocol assignments (Teredo,
        // ORCHIDs) and 2002::/16 is 6to4, whose relays forward to an IPv4 address of the sender's choosing.
        if (b[0] == 0x20 && ((b[1] == 0x01 && b[2] < 0x02) || b[1] == 0x02))
            return AddressScope.Never;
        return (b[0] & 0xE0) == 0x20 ? AddressScope.Public : AddressScope.Never;
    }
}
