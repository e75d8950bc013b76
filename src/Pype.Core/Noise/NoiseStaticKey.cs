using System.Security.Cryptography;
using Sodium;

namespace Pype.Core.Noise;

/// <summary>
/// Turns a Pype Ed25519 identity into its Noise static key, so one key pair both signs records
/// and authenticates sessions.
/// </summary>
public static class NoiseStaticKey
{
    public const int Ed25519SeedLength = 32;
    public const int Ed25519SecretKeyLength = 64;
    public const int Ed25519PublicKeyLength = 32;

    /// <param name="ed25519SeedOrSecretKey">The 32-byte seed or libsodium's 64-byte seed ‖ public key.</param>
    /// <param name="ed25519PublicKey">The matching public key; checked, because a mismatch would yield a key nobody can reach.</param>
    public static NoiseKeyPair FromEd25519(ReadOnlySpan<byte> ed25519SeedOrSecretKey, ReadOnlySpan<byte> ed25519PublicKey)
    {
        if (ed25519PublicKey.Length != Ed25519PublicKeyLength)
            throw new ArgumentException($"An Ed25519 public key is {Ed25519PublicKeyLength} bytes.", nameof(ed25519PublicKey));
        var seed = ed25519SeedOrSecretKey.Length switch
        {
            Ed25519SeedLength => ed25519SeedOrSecretKey.ToArray(),
            Ed25519SecretKeyLength => ed25519SeedOrSecretKey[..Ed25519SeedLength].ToArray(),
            _ => throw new ArgumentException("Expected a 32-byte Ed25519 seed or a 64-byte secret key.", nameof(ed25519SeedOrSecretKey)),
        };
        var signingKeys = PublicKeyAuth.GenerateKeyPair(seed);
        if (!CryptographicOperations.FixedTimeEquals(signingKeys.PublicKey, ed25519PublicKey))
            throw new ArgumentException("The Ed25519 public key does not belong to this secret key.", nameof(ed25519PublicKey));

        var privateKey = PublicKeyAuth.ConvertEd25519SecretKeyToCurve25519SecretKey(signingKeys.PrivateKey);
        var publicKey = PublicKeyAuth.ConvertEd25519PublicKeyToCurve25519PublicKey(signingKeys.PublicKey);
        return new NoiseKeyPair(privateKey, publicKey);
    }

    /// <summary>Converts a peer's Ed25519 public key; false for bytes that are not a valid Edwards point.</summary>
    public static bool TryConvertPublicKey(ReadOnlySpan<byte> ed25519PublicKey, out byte[] x25519PublicKey)
    {
        x25519PublicKey = [];
        if (ed25519PublicKey.Length != Ed25519PublicKeyLength)
            return false;
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
}
