using System.Net;

namespace Pype.Simulation;

/// <summary>A host with one UDP socket, on the internet or on the LAN behind a NAT.</summary>
public sealed class SimulatedHost(string name, IPEndPoint endPoint, SimulatedNat? nat)
{
    public string Name { get; } = name;

    /// <summary>The socket's own address: a LAN address behind a NAT, a public one otherwise.</summary>
    public IPEndPoint EndPoint { get; } = endPoint;

    public SimulatedNat? Nat { get; } = nat;

    /// <summary>A vanished host neither sends nor receives (crash, cable pulled).</summary>
    public bool Vanished { get; set; }

    /// <summary>Called with the arrival time, the source as this host sees it, and the datagram.</summary>
    public Action<DateTimeOffset, IPEndPoint, byte[]>? Receive { get; set; }

    public override string ToString() => $"{Name} {EndPoint}";
}

/// <summary>
/// Something with deadlines of its own (a sans-IO core and the code around it): the network
/// wakes it at <see cref="NextDeadline"/>, after delivering every datagram due at that instant.
/// </summary>
public interface ISimulatedAgent
{
    DateTimeOffset? NextDeadline { get; }

    void HandleTimeout(DateTimeOffset now);
}
