using System.Diagnostics.CodeAnalysis;
using Pype.Core.Identity;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Replication;

/// <summary>
/// Wire form of an <see cref="AddressBookRecord"/>, version 1, big-endian:
/// version (u8 = 1) | public key (32) | hash address (32) | sequence (u64) |
/// expiry (u64, Unix ms) | candidates (<see cref="CandidateCodec"/>) | metadata length (u8) |
/// metadata | Ed25519 signature (64) over "pype address-book record v1" ‖ every byte before it.
/// </summary>
public static class AddressBookRecordCodec
{
    public const byte FormatVersion = 1;
    public const int MaxMetadataLength = byte.MaxValue;
    private const int FixedLength = 1 + IdentityKeyPair.PublicKeyLength + HashAddress.Length + 8 + 8 + 1 + IdentityKeyPair.SignatureLength;

    /// <summary>The longest record the format can express (562 bytes).</summary>
    public const int MaxEncodedLength = FixedLength + CandidateCodec.MaxEncodedLength + MaxMetadataLength;

    internal static byte[] EncodeBody(
        ReadOnlySpan<byte> publicKey,
        HashAddress hash,
        ulong sequence,
        DateTimeOffset expiry,
        IReadOnlyList<Candidate> candidates,
        ReadOnlySpan<byte> metadata)
    {
        if (publicKey.Length != IdentityKeyPair.PublicKeyLength)
            throw new ArgumentException("a public key has 32 bytes", nameof(publicKey));
        if (metadata.Length > MaxMetadataLength)
            throw new ArgumentException($"at most {MaxMetadataLength} bytes of metadata", nameof(metadata));
        if (candidates.Count > CandidateCodec.MaxCandidates)
            throw new ArgumentException($"at most {CandidateCodec.MaxCandidates} candidates", nameof(candidates));

        var body = new byte[MaxEncodedLength - IdentityKeyPair.SignatureLength];
        var writer = new WireWriter(body);
        writer.U8(FormatVersion);
        writer.Bytes(publicKey);
        hash.CopyTo(writer.Rest);
        writer.Advance(HashAddress.Length);
        writer.U64(sequence);
        writer.Time(expiry);
        writer.Candidates(candidates);
        writer.U8((byte)metadata.Length);
        writer.Bytes(metadata);
        return body[..writer.Offset];
    }

    /// <summary>Reads exactly one record filling <paramref name="source"/>; false on anything malformed. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, [NotNullWhen(true)] out AddressBookRecord? record)
    {
        record = null;
        if (source.Length > MaxEncodedLength)
        {
            return false;
        }

        var reader = new WireReader(source);
        if (reader.U8() != FormatVersion)
        {
            return false;
        }

        var publicKey = reader.Bytes(IdentityKeyPair.PublicKeyLength);
        var hash = reader.Bytes(HashAddress.Length);
        var sequence = reader.U64();
        var expiry = reader.Time();
        var candidates = reader.Candidates();
        if (reader.Failed)
        {
            return false;
        }

        var metadata = reader.Bytes(reader.U8());
        var signature = reader.Bytes(IdentityKeyPair.SignatureLength);
        if (!reader.AtEnd)
        {
            return false;
        }

        record = new AddressBookRecord(
            publicKey, HashAddress.FromBytes(hash), sequence, expiry, candidates, metadata, signature, source.ToArray());
        return true;
    }
}
