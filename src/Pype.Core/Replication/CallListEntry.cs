using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>The state a call-list entry records. Everything but <see cref="Invite"/> is a tombstone.</summary>
public enum CallEntryKind : byte
{
    /// <summary>The call is ringing: the entry carries the sealed invite, signed by the caller.</summary>
    Invite = 0,
    /// <summary>The callee answered (signed by the callee).</summary>
    Answered = 1,
    /// <summary>The callee declined (signed by the callee).</summary>
    Rejected = 2,
    /// <summary>Either side gave up or hung up (signed by whichever did).</summary>
    HungUp = 3,
}

/// <summary>
/// One call in the call list: callee, caller, call id, created, expiry, and either the invite
/// sealed to the callee or, once the call is answered, rejected or hung up, nothing (a tombstone).
/// </summary>
/// <remarks>
/// An invite is signed by the caller: only the caller can vouch for its offer. A tombstone may be
/// signed by the caller or the callee, because either side can end a call and the other must
/// hear of it through the list even when no session between them exists yet. The key binds
/// callee, caller and call id, so no third party's entry can ever share a key with a real call;
/// a tombstone (version 1) outranks the invite (version 0) and keeps its expiry, so a replayed
/// invite cannot ring again.
/// </remarks>
public sealed class CallListEntry : IReplicatedItem
{
    /// <summary>How long a call rings by default.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    internal static ReadOnlySpan<byte> SigningDomain => "pype call-list entry v1"u8;

    private static ReadOnlySpan<byte> KeyDomain => "pype call-list key v1"u8;

    internal CallListEntry(
        CallEntryKind kind,
        HashAddress callee,
        HashAddress caller,
        UInt128 callId,
        DateTimeOffset created,
        DateTimeOffset expiry,
        byte[] signerPublicKey,
        byte[] sealedInvite,
        byte[] signature,
        byte[] encoded)
    {
        Kind = kind;
        Callee = callee;
        Caller = caller;
        CallId = callId;
        Created = created;
        Expiry = expiry;
        SignerPublicKey = signerPublicKey;
        SealedInvite = sealedInvite;
        Signature = signature;
        Encoded = encoded;
        Key = KeyOf(callee, caller, callId);
        Signer = HashAddress.FromPublicKey(signerPublicKey);
        Fingerprint = ReplicaStore<CallListEntry>.FingerprintOf(encoded);
    }

    public CallEntryKind Kind { get; }

    public bool IsTombstone => Kind != CallEntryKind.Invite;

    public HashAddress Callee { get; }

    public HashAddress Caller { get; }

    public UInt128 CallId { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset Expiry { get; }

    public ReadOnlyMemory<byte> SignerPublicKey { get; }

    /// <summary>SHA-256 of <see cref="SignerPublicKey"/>: the caller for an invite, the caller or the callee for a tombstone.</summary>
    public HashAddress Signer { get; }

    public ReadOnlyMemory<byte> SealedInvite { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    public ReadOnlyMemory<byte> Encoded { get; }

    public ulong Fingerprint { get; }

    /// <summary>SHA-256 of a domain, the callee, the caller and the call id.</summary>
    public HashAddress Key { get; }

    public bool Concerns(HashAddress party) => Caller == party || Callee == party;

    /// <summary>0 for the ringing invite, 1 for any tombstone.</summary>
    public ulong Version => IsTombstone ? 1ul : 0ul;

    public static HashAddress KeyOf(HashAddress callee, HashAddress caller, UInt128 callId)
    {
        Span<byte> input = stackalloc byte[KeyDomain.Length + 2 * HashAddress.Length + 16];
        KeyDomain.CopyTo(input);
        callee.CopyTo(input[KeyDomain.Length..]);
        caller.CopyTo(input[(KeyDomain.Length + HashAddress.Length)..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(input[^16..], callId);
        return HashAddress.FromBytes(SHA256.HashData(input));
    }

    /// <summary>A ringing entry from <paramref name="caller"/> with the invite sealed to the callee (its ephemeral key from <paramref name="random"/>, the system's when null).</summary>
    public static CallListEntry CreateInvite(
        IdentityKeyPair caller,
        ReadOnlySpan<byte> calleePublicKey,
        UInt128 callId,
        ReadOnlySpan<byte> offer,
        DateTimeOffset now,
        TimeSpan lifetime,
        IRandomSource? random = null)
    {
        var sealedInvite = new CallInvite(caller.PublicKey, callId, offer.ToArray()).SealTo(calleePublicKey, random);
        return Sign(caller, CallEntryKind.Invite, HashAddress.FromPublicKey(calleePublicKey), caller.Hash, callId, now, now + lifetime, sealedInvite);
    }

    /// <summary>The tombstone that replaces <paramref name="entry"/>, signed by its caller or callee.</summary>
    /// <exception cref="ArgumentException">The kind is not a tombstone, or the signer is neither party.</exception>
    public static CallListEntry CreateTombstone(IdentityKeyPair signer, CallListEntry entry, CallEntryKind kind)
    {
        if (kind == CallEntryKind.Invite)
            throw new ArgumentException("a tombstone is Answered, Rejected or HungUp", nameof(kind));
        if (signer.Hash != entry.Caller && signer.Hash != entry.Callee)
            throw new ArgumentException("only the caller or the callee can end a call", nameof(signer));
        return Sign(signer, kind, entry.Callee, entry.Caller, entry.CallId, entry.Created, entry.Expiry, []);
    }

    internal static CallListEntry Sign(
        IdentityKeyPair signer,
        CallEntryKind kind,
        HashAddress callee,
        HashAddress caller,
        UInt128 callId,
        DateTimeOffset created,
        DateTimeOffset expiry,
        byte[] sealedInvite)
    {
        var body = CallListEntryCodec.EncodeBody(kind, callee, caller, callId, created, expiry, signer.PublicKey.Span, sealedInvite);
        var signature = signer.Sign([.. SigningDomain, .. body]);
        return CallListEntryCodec.TryDecode([.. body, .. signature], out var entry)
            ? entry
            : throw new ArgumentException("the fields do not fit the call-list format");
    }

    /// <summary>True when the signature over the domain and every field verifies under the signer's key.</summary>
    public bool HasValidSignature()
    {
        var body = Encoded.Span[..^IdentityKeyPair.SignatureLength];
        return IdentityKeyPair.Verify(SignerPublicKey.Span, [.. SigningDomain, .. body], Signature.Span);
    }

    /// <summary>
    /// Opens the invite as the callee. Fails (never throws) when this is a tombstone, the invite is
    /// not sealed to <paramref name="callee"/>, or its caller key or call id differ from the entry's.
    /// </summary>
    public bool TryOpenInvite(IdentityKeyPair callee, [NotNullWhen(true)] out CallInvite? invite)
    {
        invite = null;
        if (IsTombstone || callee.Hash != Callee || !CallInvite.TryOpen(callee, SealedInvite.Span, out var opened))
        {
            return false;
        }

        if (!opened.CallerPublicKey.Span.SequenceEqual(SignerPublicKey.Span) || opened.CallId != CallId)
        {
            return false;
        }

        invite = opened;
        return true;
    }

    public override string ToString() => $"call {CallId:x32} {Caller.Short}→{Callee.Short} {Kind} until {Expiry:u}";
}
