using System.Diagnostics.CodeAnalysis;
using Pype.Core.Identity;
using Pype.Core.Wire;

namespace Pype.Core.Replication;

/// <summary>
/// Wire form of a <see cref="CallListEntry"/>, version 1, big-endian:
/// version (u8 = 1) | kind (u8, 0–3) | callee hash (32) | caller hash (32) | call id (16) |
/// created (u64, Unix ms) | expiry (u64, Unix ms) | signer public key (32) |
/// sealed invite length (u16, ≤ 960) | sealed invite | Ed25519 signature (64) over
/// "pype call-list entry v1" ‖ every byte before it.
/// </summary>
public static class CallListEntryCodec
{
    public const byte FormatVersion = 1;

    /// <summary>The wire's bound on the invite: what still fits one gossip message.</summary>
    public const int MaxInviteLength = 960;

    private const int FixedLength = 1 + 1 + 2 * HashAddress.Length + 16 + 8 + 8 + IdentityKeyPair.PublicKeyLength + 2 + IdentityKeyPair.SignatureLength;

    /// <summary>The longest entry the format can express (1,156 bytes).</summary>
    public const int MaxEncodedLength = FixedLength + MaxInviteLength;

    internal static byte[] EncodeBody(
        CallEntryKind kind,
        HashAddress callee,
        HashAddress caller,
        UInt128 callId,
        DateTimeOffset created,
        DateTimeOffset expiry,
        ReadOnlySpan<byte> signerPublicKey,
        ReadOnlySpan<byte> sealedInvite)
    {
        if (sealedInvite.Length > MaxInviteLength)
            throw new ArgumentException($"a sealed invite has at most {MaxInviteLength} bytes", nameof(sealedInvite));

        var body = new byte[FixedLength - IdentityKeyPair.SignatureLength + sealedInvite.Length];
        var writer = new WireWriter(body);
        writer.U8(FormatVersion);
        writer.U8((byte)kind);
        callee.CopyTo(writer.Rest);
        writer.Advance(HashAddress.Length);
        caller.CopyTo(writer.Rest);
        writer.Advance(HashAddress.Length);
        writer.U64((ulong)(callId >> 64));
        writer.U64((ulong)callId);
        writer.Time(created);
        writer.Time(expiry);
        writer.Bytes(signerPublicKey);
        writer.U16((ushort)sealedInvite.Length);
        writer.Bytes(sealedInvite);
        return body;
    }

    /// <summary>Reads exactly one entry filling <paramref name="source"/>; false on anything malformed. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, [NotNullWhen(true)] out CallListEntry? entry)
    {
        entry = null;
        if (source.Length > MaxEncodedLength)
        {
            return false;
        }

        var reader = new WireReader(source);
        var version = reader.U8();
        var kind = (CallEntryKind)reader.U8();
        var callee = reader.Bytes(HashAddress.Length);
        var caller = reader.Bytes(HashAddress.Length);
        var callId = ((UInt128)reader.U64() << 64) | reader.U64();
        var created = reader.Time();
        var expiry = reader.Time();
        var signerPublicKey = reader.Bytes(IdentityKeyPair.PublicKeyLength);
        var inviteLength = reader.U16();
        if (reader.Failed || version != FormatVersion || !Enum.IsDefined(kind) || inviteLength > MaxInviteLength)
        {
            return false;
        }

        var sealedInvite = reader.Bytes(inviteLength);
        var signature = reader.Bytes(IdentityKeyPair.SignatureLength);
        if (!reader.AtEnd)
        {
            return false;
        }

        entry = new CallListEntry(
            kind, HashAddress.FromBytes(callee), HashAddress.FromBytes(caller), callId, created, expiry,
            signerPublicKey, sealedInvite, signature, source.ToArray());
        return true;
    }
}
