using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Pype.Core.Identity;
using Pype.Core.Wire;
using Sodium;

namespace Pype.Core.Replication;

/// <summary>
/// What only the callee may read of a call-list entry: who calls (their public key), the call id
/// and the caller's offer (candidates and media parameters, opaque here). It travels sealed to
/// the callee's X25519 key (libsodium sealed box: ephemeral X25519 + XSalsa20-Poly1305), so
/// replicas carry it without learning anything but its length.
/// </summary>
/// <remarks>
/// Plaintext, big-endian: version (u8 = 1) | caller public key (32) | call id (16) |
/// offer length (u16) | offer. The sealed box adds 48 bytes.
/// </remarks>
public sealed record CallInvite(ReadOnlyMemory<byte> CallerPublicKey, UInt128 CallId, ReadOnlyMemory<byte> Offer)
{
    public const byte FormatVersion = 1;
    public const int MaxOfferLength = 800;
    public const int SealOverhead = 48;

    /// <summary>crypto_box's nonce length, which the sealed box derives.</summary>
    private const int NonceLength = 24;
    private const int HeaderLength = 1 + IdentityKeyPair.PublicKeyLength + 16 + 2;

    /// <summary>The longest sealed invite (899 bytes).</summary>
    public const int MaxSealedLength = HeaderLength + MaxOfferLength + SealOverhead;

    /// <summary>
    /// Seals the invite to the callee whose Ed25519 public key is given: libsodium's sealed box
    /// (ephemeral X25519 key, nonce BLAKE2b-192 of both public keys, crypto_box), built here so the
    /// ephemeral key comes from <paramref name="random"/> and a seeded run replays byte for byte.
    /// <see cref="SealedPublicKeyBox.Open(byte[], byte[], byte[])"/> opens it.
    /// </summary>
    /// <param name="random">The ephemeral key's source; the system's when null.</param>
    /// <exception cref="ArgumentException">The offer is too long or the callee key is unusable.</exception>
    public byte[] SealTo(ReadOnlySpan<byte> calleePublicKey, IRandomSource? random = null)
    {
        if (Offer.Length > MaxOfferLength)
            throw new ArgumentException($"an offer has at most {MaxOfferLength} bytes", nameof(Offer));
        if (CallerPublicKey.Length != IdentityKeyPair.PublicKeyLength)
            throw new ArgumentException("a public key has 32 bytes", nameof(CallerPublicKey));

        var plaintext = new byte[HeaderLength + Offer.Length];
        var writer = new WireWriter(plaintext);
        writer.U8(FormatVersion);
        writer.Bytes(CallerPublicKey.Span);
        writer.U64((ulong)(CallId >> 64));
        writer.U64((ulong)CallId);
        writer.U16((ushort)Offer.Length);
        writer.Bytes(Offer.Span);
        try
        {
            var recipient = IdentityKeyPair.ToX25519PublicKey(calleePublicKey);
            var ephemeral = Noise.X25519.GenerateKeyPair(random ?? SystemRandomSource.Instance);
            var nonce = GenericHash.Hash([.. ephemeral.PublicKey, .. recipient], null, NonceLength);
            var secret = ephemeral.PrivateKey;
            try
            {
                return [.. ephemeral.PublicKey, .. PublicKeyBox.Create(plaintext, nonce, secret, recipient)];
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Opens an invite sealed to <paramref name="callee"/>; false for anything else. Never throws.</summary>
    public static bool TryOpen(IdentityKeyPair callee, ReadOnlySpan<byte> sealedInvite, [NotNullWhen(true)] out CallInvite? invite)
    {
        invite = null;
        if (sealedInvite.Length is < HeaderLength + SealOverhead or > MaxSealedLength)
        {
            return false;
        }

        byte[] plaintext;
        var secretKey = callee.ToX25519PrivateKey();
        try
        {
            var publicKey = IdentityKeyPair.ToX25519PublicKey(callee.PublicKey.Span);
            plaintext = SealedPublicKeyBox.Open(sealedInvite.ToArray(), secretKey, publicKey);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretKey);
        }

        var reader = new WireReader(plaintext);
        var version = reader.U8();
        var callerPublicKey = reader.Bytes(IdentityKeyPair.PublicKeyLength);
        var callId = ((UInt128)reader.U64() << 64) | reader.U64();
        var offerLength = reader.U16();
        var offer = offerLength <= MaxOfferLength ? reader.Bytes(offerLength) : [];
        if (version != FormatVersion || offerLength > MaxOfferLength || !reader.AtEnd)
        {
            return false;
        }

        invite = new CallInvite(callerPublicKey, callId, offer);
        return true;
    }
}
