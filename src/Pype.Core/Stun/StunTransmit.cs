using System.Net;

namespace Pype.Core.Stun;

/// <summary>A datagram a sans-IO STUN core wants sent.</summary>
public readonly record struct StunTransmit(IPEndPoint Destination, ReadOnlyMemory<byte> Datagram);
