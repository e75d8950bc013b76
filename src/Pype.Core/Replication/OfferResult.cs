namespace Pype.Core.Replication;

/// <summary>Why a replica turned a record or call entry away. Every reason is counted.</summary>
public enum RejectReason
{
    /// <summary>The bytes do not decode.</summary>
    Malformed,
    /// <summary>Over a size limit: metadata, candidates, invite or the whole encoding.</summary>
    Oversized,
    /// <summary>The hash address is not SHA-256 of the public key that signed.</summary>
    WrongHash,
    /// <summary>The Ed25519 signature does not verify.</summary>
    BadSignature,
    /// <summary>The replica holds a newer version for the same key.</summary>
    Stale,
    /// <summary>The replica holds exactly this version already.</summary>
    Duplicate,
    /// <summary>The expiry is not after now.</summary>
    Expired,
    /// <summary>The expiry lies further ahead than the replica allows.</summary>
    ExpiryTooFar,
    /// <summary>The replica is full, the key is new, and nothing held ranks below the item (see <see cref="ItemStanding"/>).</summary>
    CapacityReached,
    /// <summary>A call entry signed by someone who may not sign it.</summary>
    WrongSigner,
    /// <summary>A call entry created too far in the future, or living longer than allowed.</summary>
    BadLifetime,
    /// <summary>An invite without a sealed invite, or a tombstone with one.</summary>
    InviteMismatch,
    /// <summary>The item's signer already holds its quota of items in the replica.</summary>
    QuotaReached,
}

/// <summary>What <c>Offer</c> did with a record.</summary>
public abstract record OfferResult
{
    private OfferResult()
    {
    }

    public static OfferResult Accepted { get; } = new AcceptedResult();

    public bool IsAccepted => this is AcceptedResult;

    public static OfferResult Reject(RejectReason reason) => new Rejected(reason);

    /// <summary>The record is now the replica's version for its key.</summary>
    public sealed record AcceptedResult : OfferResult;

    public sealed record Rejected(RejectReason Reason) : OfferResult;
}

/// <summary>What the replication stores and the digest tree need of an item, whatever its kind.</summary>
public interface IReplicatedItem
{
    /// <summary>The 32-byte key the item is filed under; its first eight bytes place it in the digest tree.</summary>
    Identity.HashAddress Key { get; }

    /// <summary>Higher wins; equal versions with different content are settled by <see cref="Encoded"/>.</summary>
    ulong Version { get; }

    DateTimeOffset Expiry { get; }

    /// <summary>The first eight bytes of SHA-256 of <see cref="Encoded"/>.</summary>
    ulong Fingerprint { get; }

    ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The hash address of the key that signed the item; quotas and standing are per signer.</summary>
    Identity.HashAddress Signer { get; }

    /// <summary>True when the item is about <paramref name="party"/>: its record, or a call it places or receives.</summary>
    bool Concerns(Identity.HashAddress party);
}
