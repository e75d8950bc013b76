using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Pype.Core.Identity;

/// <summary>
/// SHA-256 of an identity's public key: the fixed-size name under which the address book and
/// the call list file a peer.
/// </summary>
/// <remarks>
/// The digest is held as four big-endian words rather than an array so that the synthesized
/// record equality and hash code compare contents, which makes the type a safe dictionary key.
/// </remarks>
public readonly record struct HashAddress : IComparable<HashAddress>
{
    public const int Length = 32;
    public const int HexLength = Length * 2;
    private const int ShortHexLength = 8;

    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    private HashAddress(ReadOnlySpan<byte> digest)
    {
        _word0 = BinaryPrimitives.ReadUInt64BigEndian(digest[..8]);
        _word1 = BinaryPrimitives.ReadUInt64BigEndian(digest[8..16]);
        _word2 = BinaryPrimitives.ReadUInt64BigEndian(digest[16..24]);
        _word3 = BinaryPrimitives.ReadUInt64BigEndian(digest[24..32]);
    }

    /// <summary>The first eight hex digits: enough for a person to tell peers apart on screen.</summary>
    public string Short => ToString()[..ShortHexLength];

    public static HashAddress FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != IdentityKeyPair.PublicKeyLength)
        {
            throw new ArgumentException(
                $"a public key has {IdentityKeyPair.PublicKeyLength} bytes, this one has {publicKey.Length}",
                nameof(publicKey));
        }

        Span<byte> digest = stackalloc byte[Length];
        SHA256.HashData(publicKey, digest);
        return new HashAddress(digest);
    }

    /// <summary>Rebuilds a hash address from its 32 digest bytes, e.g. as read off the wire.</summary>
    public static HashAddress FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Length)
        {
            throw new ArgumentException($"a hash address has {Length} bytes, this one has {digest.Length}", nameof(digest));
        }

        return new HashAddress(digest);
    }

    /// <summary>Accepts exactly 64 hex digits, in either case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out HashAddress address)
    {
        address = default;
        if (text is null || text.Length != HexLength)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[Length];
        var status = Convert.FromHexString(text, digest, out var charsConsumed, out var bytesWritten);
        if (status != OperationStatus.Done || charsConsumed != HexLength || bytesWritten != Length)
        {
            return false;
        }

        address = new HashAddress(digest);
        return true;
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination[..8], _word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..16], _word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..24], _word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..32], _word3);
    }

    /// <summary>Orders by the digest's bytes, so every node sorts (and breaks ties between) addresses alike.</summary>
    public int CompareTo(HashAddress other)
    {
        var order = _word0.CompareTo(other._word0);
        if (order == 0) order = _word1.CompareTo(other._word1);
        if (order == 0) order = _word2.CompareTo(other._word2);
        return order != 0 ? order : _word3.CompareTo(other._word3);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    public override string ToString()
    {
        Span<byte> digest = stackalloc byte[Length];
        CopyTo(digest);
        return Convert.ToHexStringLower(digest);
    }
}
