namespace Pype.Core.Noise;

/// <summary>The Noise CipherState: a key (or none) and the next nonce.</summary>
public sealed class CipherState
{
    /// <summary>2^64-1 is reserved by the spec for REKEY, so it is never used as a message nonce.</summary>
    public const ulong ReservedNonce = ulong.MaxValue;

    private byte[]? _key;

    public ulong Nonce { get; private set; }

    public bool HasKey => _key is not null;

    public bool IsExhausted => Nonce == ReservedNonce;

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _key = key.ToArray();
        Nonce = 0;
    }

    public void SetNonce(ulong nonce) => Nonce = nonce;

    /// <summary>
    /// Overwrites the key with zeros; the cipher refuses to encrypt or decrypt from now on (a
    /// cipher without a key would pass plaintext through: never that).
    /// </summary>
    public void Wipe()
    {
        if (_key is not null)
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_key);
        IsWiped = true;
    }

    public bool IsWiped { get; private set; }

    /// <summary>For tests: the key's bytes are all zero (or there is none).</summary>
    internal bool HoldsNoKeyMaterial => _key is null || _key.All(b => b == 0);

    public byte[] EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        if (IsWiped)
            throw new InvalidOperationException("The cipher's key was wiped.");
        if (_key is null)
            return plaintext.ToArray();
        if (IsExhausted)
            throw new InvalidOperationException("The cipher's nonces are used up; the session must rekey.");
        var ciphertext = ChaChaPoly.Encrypt(_key, Nonce, associatedData, plaintext);
        Nonce++;
        return ciphertext;
    }

    public bool TryDecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        if (IsWiped)
        {
            plaintext = [];
            return false;
        }
        if (_key is null)
        {
            plaintext = ciphertext.ToArray();
            return true;
        }
        if (IsExhausted || !ChaChaPoly.TryDecrypt(_key, Nonce, associatedData, ciphertext, out plaintext))
        {
            plaintext = [];
            return false;
        }
        Nonce++;
        return true;
    }

    public CipherState Clone()
    {
        var copy = new CipherState { Nonce = Nonce };
        copy._key = _key?.ToArray();
        return copy;
    }

    public void Rekey()
    {
        if (_key is not null)
            _key = ChaChaPoly.Rekey(_key);
    }
}
