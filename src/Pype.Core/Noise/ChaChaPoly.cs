using System.Buffers.Binary;
using System.Security.Cryptography;
using Sodium;

namespace Pype.Core.Noise;

/// <summary>The Noise "ChaChaPoly" cipher: ChaCha20-Poly1305 IETF with a 64-bit counter nonce.</summary>
public static class ChaChaPoly
{
    public const int KeyLength = 32;
    public const int TagLength = 16;
    public const int NonceLength = 12;

    private const int CounterOffsetInNonce = 4;

    public static byte[] Encrypt(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext) =>
        SecretAeadChaCha20Poly1305IETF.Encrypt(plaintext.ToArray(), Nonce(counter), key.ToArray(), associatedData.ToArray());

    public static bool TryDecrypt(
        ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        plaintext = [];
        if (ciphertext.Length < TagLength)
            return false;
        try
        {
            plaintext = SecretAeadChaCha20Poly1305IETF.Decrypt(ciphertext.ToArray(), Nonce(counter), key.ToArray(), associatedData.ToArray());
            return true;
        }
        catch (CryptographicException)
        {
            // Sodium.Core reports a forged or corrupted ciphertext only by throwing.
            return false;
        }
    }

    /// <summary>The Noise REKEY(k): encrypt 32 zero bytes under the maximum nonce and keep the first 32 bytes.</summary>
    public static byte[] Rekey(ReadOnlySpan<byte> key) =>
        Encrypt(key, ulong.MaxValue, [], new byte[KeyLength])[..KeyLength];

    private static byte[] Nonce(ulong counter)
    {
        var nonce = new byte[NonceLength];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(CounterOffsetInNonce), counter);
        return nonce;
    }
}
