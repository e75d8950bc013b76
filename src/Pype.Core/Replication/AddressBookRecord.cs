using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Replication;

/// <summary>
/// A peer's entry in the address book: its public key and hash address, the candidates it can be
/// reached at, a sequence number, an expiry and a little metadata, signed by the peer itself.
/// Built only by <see cref="Create"/> (signing) or <see cref="AddressBookRecordCodec"/> (from the
/// wire, signature not yet checked), so <see cref="Encoded"/> is always the exact wire form.
/// </summary>
public sealed class AddressBookRecord : IReplicatedItem
{
    /// <summary>How long an owner makes its record live.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>How often an owner publishes a fresh record, well inside <see cref="DefaultLifetime"/>.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(20);

    internal static ReadOnlySpan<byte> SigningDomain => "pype address-book record v1"u8;

    internal AddressBookRecord(
        byte[] publicKey,
        HashAddress hash,
        ulong sequence,
        DateTimeOffset expiry,
        IReadOnlyList<Candidate> candidates,
        byte[] metadata,
        byte[] signature,
        byte[] encoded)
    {
        PublicKey = publicKey;
        Hash = hash;
        Sequence = sequence;
        Expiry = expiry;
        Candidates = candidates;
        Metadata = metadata;
        Signature = signature;
        Encoded = encoded;
        Fingerprint = ReplicaStore<AddressBookRecord>.FingerprintOf(encoded);
    }

    public ReadOnlyMemory<byte> PublicKey { get; }

    public HashAddress Hash { get; }

    public ulong Sequence { get; }

    public DateTimeOffset Expiry { get; }

    public IReadOnlyList<Candidate> Candidates { get; }

    public ReadOnlyMemory<byte> Metadata { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    public ReadOnlyMemory<byte> Encoded { get; }

    public ulong Fingerprint { get; }

    HashAddress IReplicatedItem.Key => Hash;

    ulong IReplicatedItem.Version => Sequence;

    /// <summary>The owner signs its own record, and the record is filed under the owner's hash: one record per signer.</summary>
    HashAddress IReplicatedItem.Signer => Hash;

    public bool Concerns(HashAddress party) => Hash == party;

    /// <summary>Signs a record for <paramref name="owner"/>. Expiry is kept to the millisecond, as on the wire.</summary>
    /// <exception cref="ArgumentException">More candidates or metadata than the wire format carries.</exception>
    public static AddressBookRecord Create(
        IdentityKeyPair owner,
        ulong sequence,
        DateTimeOffset expiry,
        IReadOnlyList<Candidate> candidates,
        ReadOnlySpan<byte> metadata)
    {
        return CreateUnchecked(owner, owner.PublicKey.ToArray(), owner.Hash, sequence, expiry, candidates, metadata);
    }

    /// <summary>Signs whatever fields it is given, consistent or not; tests build bad records with it.</summary>
    internal static AddressBookRecord CreateUnchecked(
        IdentityKeyPair signer,
        byte[] publicKey,
        HashAddress hash,
        ulong sequence,
        DateTimeOffset expiry,
        IReadOnlyList<Candidate> candidates,
        ReadOnlySpan<byte> metadata)
    {
        var body = AddressBookRecordCodec.EncodeBody(publicKey, hash, sequence, expiry, candidates, metadata);
        var signature = signer.Sign([.. SigningDomain, .. body]);
        byte[] encoded = [.. body, .. signature];
        return AddressBookRecordCodec.TryDecode(encoded, out var record)
            ? record
            : throw new ArgumentException("the fields do not fit the record format");
    }

    /// <summary>True when the signature over the domain and every field verifies under <see cref="PublicKey"/>.</summary>
    public bool HasValidSignature()
    {
        var body = Encoded.Span[..^IdentityKeyPair.SignatureLength];
        return IdentityKeyPair.Verify(PublicKey.Span, [.. SigningDomain, .. body], Signature.Span);
    }

    public override string ToString() => $"{Hash.Short} seq {Sequence} until {Expiry:u} ({Candidates.Count} candidates)";
}
