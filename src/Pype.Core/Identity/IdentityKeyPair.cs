using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Sodium;

namespace Pype.Core.Identity;

/// <summary>
/// A node's long-term Ed25519 identity: it signs address-book records and, converted to
/// X25519, is the static key of the Noise handshake.
/// </summary>
public sealed class IdentityKeyPair
{
    public const int PublicKeyLength = 32;
    public const int SeedLength = 32;
    public const int SignatureLength = 64;

    private readonly byte[] _publicKey;

    // libsodium's 64-byte form: the seed followed by the public key.
    private readonly byte[] _secretKey;

    private IdentityKeyPair(byte[] publicKey, byte[] secretKey)
    {
        _publicKey = publicKey;
        _secretKey = secretKey;
        Hash = HashAddress.FromPublicKey(publicKey);
        Address = PypeAddress.Encode(publicKey);
    }

    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    public HashAddress Hash { get; }

    /// <summary>The shareable <see cref="PypeAddress"/> text of this identity.</summary>
    public string Address { get; }

    /// <summary>
    /// The 32 bytes everything else is derived from. Internal so that only the key file codec
    /// reads it; nothing else has a reason to.
    /// </summary>
    internal ReadOnlySpan<byte> Seed => _secretKey.AsSpan(0, SeedLength);

    public static IdentityKeyPair Generate() => Generate(SystemRandomSource.Instance);

    public static IdentityKeyPair Generate(IRandomSource random)
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        random.Fill(seed);
        try
        {
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static IdentityKeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"an identity seed has {SeedLength} bytes, this one has {seed.Length}", nameof(seed));
        }

        var seedCopy = seed.ToArray();
        try
        {
            // Copy out before disposing: disposal wipes the key pair's own arrays.
            using var keyPair = PublicKeyAuth.GenerateKeyPair(seedCopy);
            return new IdentityKeyPair(keyPair.PublicKey.ToArray(), keyPair.PrivateKey.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seedCopy);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        return PublicKeyAuth.SignDetached(message.ToArray(), _secretKey);
    }

    /// <summary>
    /// Checks an Ed25519 signature. Inputs usually come off the wire, so malformed ones are
    /// simply not valid: this never throws.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        return PublicKeyAuth.VerifyDetached(signature.ToArray(), message.ToArray(), publicKey.ToArray());
    }

    /// <summary>This identity's secret as an X25519 private key, for the Noise static key.</summary>
    public byte[] ToX25519PrivateKey()
    {
        return PublicKeyAuth.ConvertEd25519SecretKeyToCurve25519SecretKey(_secretKey);
    }

    /// <summary>Converts a peer's Ed25519 public key to the X25519 key its Noise handshake uses.</summary>
    /// <exception cref="ArgumentException">The bytes are not a usable Ed25519 public key.</exception>
    public static byte[] ToX25519PublicKey(ReadOnlySpan<byte> ed25519PublicKey)
    {
        if (!TryToX25519PublicKey(ed25519PublicKey, out var x25519PublicKey))
        {
            throw new ArgumentException("not a usable Ed25519 public key", nameof(ed25519PublicKey));
        }

        return x25519PublicKey;
    }

    /// <summary>
    /// Like <see cref="ToX25519PublicKey"/> but for keys from untrusted peers: wrong lengths and
    /// points libsodium refuses (small order, not on the curve) give false instead of throwing.
    /// </summary>
    public static bool TryToX25519PublicKey(ReadOnlySpan<byte> ed25519PublicKey, [NotNullWhen(true)] out byte[]? x25519PublicKey)
    {
        x25519PublicKey = null;
        if (ed25519PublicKey.Length != PublicKeyLength)
        {
            return false;
        }

        try
        {
            x25519PublicKey = PublicKeyAuth.ConvertEd25519PublicKeyToCurve25519PublicKey(ed25519PublicKey.ToArray());
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override string ToString() => Address;
}
