using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Pype.Core.Session;

namespace Pype.Actors.Transport;

/// <summary>The node's host candidates: the addresses of its own interfaces at the bound port.</summary>
public static class HostCandidates
{
    /// <summary>
    /// A socket bound to one address has that one candidate. A wildcard socket has every up,
    /// non-loopback IPv4 address of the machine (loopback only when nothing else exists, so two
    /// nodes on one machine still find each other).
    /// </summary>
    public static IReadOnlyList<Candidate> For(IPEndPoint bound)
    {
        if (!bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any))
            return [new Candidate(CandidateKind.Host, bound)];
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Distinct()
            .ToList();
        var external = addresses.Where(a => !IPAddress.IsLoopback(a)).ToList();
        var chosen = external.Count > 0 ? external : addresses.Where(IPAddress.IsLoopback).ToList();
        return chosen.Take(CandidateCodec.MaxCandidates - 2)
            .Select(a => new Candidate(CandidateKind.Host, new IPEndPoint(a, bound.Port)))
            .ToList();
    }
}
