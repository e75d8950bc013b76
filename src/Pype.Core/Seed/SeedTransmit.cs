using System.Net;

namespace Pype.Core.Seed;

/// <summary>A datagram a seed-protocol core wants sent.</summary>
public readonly record struct SeedTransmit(IPEndPoint Destination, byte[] Datagram);
