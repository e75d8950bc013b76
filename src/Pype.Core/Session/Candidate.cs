using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Pype.Core.Session;

/// <summary>How a candidate address was learned (ICE's candidate types, RFC 8445 §5.1.1).</summary>
public enum CandidateKind : byte
{
    /// <summary>An address of the node's own interface.</summary>
    Host = 1,
    /// <summary>The node's address as a server (the seed's STUN) sees it, outside its NAT.</summary>
    ServerReflexive = 2,
    /// <summary>The address a peer's packets actually came from, learned during punching.</summary>
    PeerReflexive = 3,
    /// <summary>An address on a TURN relay.</summary>
    Relayed = 4,
}

/// <summary>One address at which a peer may be reachable.</summary>
public sealed record Candidate(CandidateKind Kind, IPEndPoint EndPoint)
{
    public override string ToString() => $"{Kind switch
    {
        CandidateKind.Host => "host",
        CandidateKind.ServerReflexive => "srflx",
        CandidateKind.PeerReflexive => "prflx",
        CandidateKind.Relayed => "relay",
        _ => "?",
    }} {EndPoint}";
}

/// <summary>The candidates a node publishes in its own address-book record.</summary>
public static class OwnCandidates
{
    /// <summary>
    /// Host, server-reflexive, then relayed: the order peers try them in. The relayed one goes only
    /// where the wire has room, since the host candidates alone may fill it.
    /// </summary>
    public static IReadOnlyList<Candidate> For(IReadOnlyList<Candidate> host, IPEndPoint? serverReflexive, IPEndPoint? relayed)
    {
        List<Candidate> own = [.. host];
        if (serverReflexive is { } reflexive) own.Add(new(CandidateKind.ServerReflexive, reflexive));
        if (relayed is { } relayedAddress && own.Count < CandidateCodec.MaxCandidates) own.Add(new(CandidateKind.Relayed, relayedAddress));
        return own;
    }
}

/// <summary>
/// Wire form of a candidate list: count (u8) then per candidate kind (u8), family (u8: 4 or 6),
/// address (4 or 16 bytes), port (u16 big-endian).
/// </summary>
public static class CandidateCodec
{
    public const int MaxCandidates = 8;
    public const int MaxEncodedLength = 1 + MaxCandidates * (1 + 1 + 16 + 2);

    public static int EncodedLength(IReadOnlyList<Candidate> candidates) =>
        1 + candidates.Sum(c => 1 + 1 + (c.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4) + 2);

    /// <summary>Writes the list and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, IReadOnlyList<Candidate> candidates)
    {
        if (candidates.Count > MaxCandidates)
            throw new ArgumentException($"at most {MaxCandidates} candidates", nameof(candidates));
        destination[0] = (byte)candidates.Count;
        var offset = 1;
        foreach (var candidate in candidates)
        {
            var v6 = candidate.EndPoint.AddressFamily == AddressFamily.InterNetworkV6;
            destination[offset++] = (byte)candidate.Kind;
            destination[offset++] = v6 ? (byte)6 : (byte)4;
            candidate.EndPoint.Address.TryWriteBytes(destination[offset..], out var written);
            offset += written;
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)candidate.EndPoint.Port);
            offset += 2;
        }
        return offset;
    }

    /// <summary>Reads a list; false on any malformed field. Never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out IReadOnlyList<Candidate> candidates, out int consumed)
    {
        candidates = [];
        consumed = 0;
        if (source.IsEmpty || source[0] > MaxCandidates) return false;
        var count = source[0];
        var list = new List<Candidate>(count);
        var offset = 1;
        for (var i = 0; i < count; i++)
        {
            if (source.Length < offset + 2) return false;
            var kind = (CandidateKind)source[offset];
            if (!Enum.IsDefined(kind)) return false;
            var addressLength = source[offset + 1] switch { 4 => 4, 6 => 16, _ => 0 };
            if (addressLength == 0 || source.Length < offset + 2 + addressLength + 2) return false;
            var address = new IPAddress(source.Slice(offset + 2, addressLength));
            var port = BinaryPrimitives.ReadUInt16BigEndian(source[(offset + 2 + addressLength)..]);
            if (port == 0) return false;
            list.Add(new Candidate(kind, new IPEndPoint(address, port)));
            offset += 2 + addressLength + 2;
        }
        candidates = list;
        consumed = offset;
        return true;
    }
}
