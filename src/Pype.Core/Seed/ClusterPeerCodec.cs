using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace Pype.Core.Seed;

/// <summary>
/// How seeds of one cluster tell each other about peers: a registry entry
/// (<see cref="ClusterPeer"/>) and a request to introduce a peer to one registered elsewhere.
/// </summary>
/// <remarks>
/// Entry, big-endian: version (u8 = 1) | presence length (u16) | presence | address length (u8,
/// 4 or 16) | address | port (u16) | member length (u8) | member (UTF-8).
/// Introduction: target public key (32) | entry (the peer to introduce, and the seed asking).
/// </remarks>
public static class ClusterPeerCodec
{
    private const byte Version = 1;

    public static byte[] Encode(ClusterPeer peer)
    {
        var presence = peer.Presence.Encode();
        var address = peer.Observed.Address.GetAddressBytes();
        var member = Encoding.UTF8.GetBytes(peer.Member);
        if (member.Length > byte.MaxValue) throw new ArgumentException("member address too long", nameof(peer));
        var bytes = new byte[1 + 2 + presence.Length + 1 + address.Length + 2 + 1 + member.Length];
        var at = 0;
        bytes[at++] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)presence.Length);
        at += 2;
        presence.CopyTo(bytes, at);
        at += presence.Length;
        bytes[at++] = (byte)address.Length;
        address.CopyTo(bytes, at);
        at += address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)peer.Observed.Port);
        at += 2;
        bytes[at++] = (byte)member.Length;
        member.CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>Never throws; the presence's signature is not checked here (the seed does that).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out ClusterPeer? peer)
    {
        peer = null;
        if (bytes.Length < 3 || bytes[0] != Version) return false;
        var presenceLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]);
        var at = 3;
        if (bytes.Length < at + presenceLength + 1 || !SignedPresence.TryDecode(bytes.Slice(at, presenceLength), out var presence)) return false;
        at += presenceLength;
        var addressLength = bytes[at++];
        if (addressLength is not (4 or 16) || bytes.Length < at + addressLength + 3) return false;
        var address = new IPAddress(bytes.Slice(at, addressLength));
        at += addressLength;
        var port = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
        at += 2;
        var memberLength = bytes[at++];
        if (bytes.Length != at + memberLength) return false;
        string member;
        try
        {
            member = new UTF8Encoding(false, true).GetString(bytes.Slice(at, memberLength));
        }
        catch (ArgumentException)
        {
            return false;
        }
        peer = new ClusterPeer(presence, new IPEndPoint(address, port), member);
        return true;
    }

    public static byte[] EncodeIntroduction(PeerKey target, ClusterPeer about) => [.. target.Span, .. Encode(about)];

    public static bool TryDecodeIntroduction(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PeerKey? target, [NotNullWhen(true)] out ClusterPeer? about)
    {
        target = null;
        about = null;
        if (bytes.Length < PeerKey.Length || !PeerKey.TryRead(bytes[..PeerKey.Length], out var key) || !TryDecode(bytes[PeerKey.Length..], out about)) return false;
        target = key;
        return true;
    }
}
