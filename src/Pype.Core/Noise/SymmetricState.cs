using System.Text;

namespace Pype.Core.Noise;

/// <summary>The Noise SymmetricState: chaining key, handshake hash and the handshake cipher.</summary>
public sealed class SymmetricState
{
    private readonly CipherState _cipher;
    private byte[] _chainingKey;
    private byte[] _handshakeHash;

    public SymmetricState(string protocolName)
    {
        _cipher = new CipherState();
        var name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= NoiseHash.HashLength)
        {
            _handshakeHash = new byte[NoiseHash.HashLength];
            name.CopyTo(_handshakeHash, 0);
        }
        else
        {
            _handshakeHash = NoiseHash.Hash(name);
        }
        _chainingKey = _handshakeHash.ToArray();
    }

    private SymmetricState(SymmetricState original)
    {
        _cipher = original._cipher.Clone();
        _chainingKey = original._chainingKey.ToArray();
        _handshakeHash = original._handshakeHash.ToArray();
    }

    public SymmetricState Clone() => new(this);

    public bool HasKey => _cipher.HasKey;

    public byte[] HandshakeHash => _handshakeHash.ToArray();

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        var (chainingKey, tempKey) = NoiseKdf.DeriveTwo(_chainingKey, inputKeyMaterial);
        _chainingKey = chainingKey;
        _cipher.InitializeKey(tempKey.AsSpan(0, ChaChaPoly.KeyLength));
    }

    public void MixHash(ReadOnlySpan<byte> data) => _handshakeHash = NoiseHash.Hash(_handshakeHash, data);

    public void MixKeyAndHash(ReadOnlySpan<byte> inputKeyMaterial)
    {
        var (chainingKey, hashInput, tempKey) = NoiseKdf.DeriveThree(_chainingKey, inputKeyMaterial);
        _chainingKey = chainingKey;
        MixHash(hashInput);
        _cipher.InitializeKey(tempKey.AsSpan(0, ChaChaPoly.KeyLength));
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = _cipher.EncryptWithAd(_handshakeHash, plaintext);
        MixHash(ciphertext);
        return ciphertext;
    }

    public bool TryDecryptAndHash(ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        if (!_cipher.TryDecryptWithAd(_handshakeHash, ciphertext, out plaintext))
            return false;
        MixHash(ciphertext);
        return true;
    }

    /// <summary>Derives the two transport ciphers: initiator-to-responder first, as the spec orders them.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        var (first, second) = NoiseKdf.DeriveTwo(_chainingKey, []);
        var initiatorToResponder = new CipherState();
        initiatorToResponder.InitializeKey(first.AsSpan(0, ChaChaPoly.KeyLength));
        var responderToInitiator = new CipherState();
        responderToInitiator.InitializeKey(second.AsSpan(0, ChaChaPoly.KeyLength));
        return (initiatorToResponder, responderToInitiator);
    }
}
