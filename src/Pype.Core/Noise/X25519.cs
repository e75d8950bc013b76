using System.Security.Cryptography;
using Sodium;

namespace Pype.Core.Noise;

/// <summary>The Noise "25519" DH functions.</summary>
public static class X25519
{
    public const int KeyLength = 32;

    private static readonly byte[] AllZeroSecret = new byte[KeyLength];

    public static NoiseKeyPair GenerateKeyPair(IRandomSource random)
    {
        Span<byte> privateKey = stackalloc byte[KeyLength];
        random.Fill(privateKey);
        return FromPrivateKey(privateKey);
    }

    public static NoiseKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        new(privateKey, ScalarMult.Base(privateKey.ToArray()));

    /// <summary>
    /// Computes the shared secret, refusing the all-zero result a low-order public key produces:
    /// Sodium.Core discards libsodium's return code, so the check has to be made here.
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, out byte[] sharedSecret)
    {
        sharedSecret = [];
        if (privateKey.Length != KeyLength || publicKey.Length != KeyLength)
            return false;
        var secret = ScalarMult.Mult(privateKey.ToArray(), publicKey.ToArray());
        if (CryptographicOperations.FixedTimeEquals(secret, AllZeroSecret))
            return false;
        sharedSecret = secret;
        return true;
    }
}
