namespace Pype.Core.Noise;

/// <summary>An X25519 key pair as Noise uses it for static and ephemeral keys.</summary>
public sealed class NoiseKeyPair
{
    public NoiseKeyPair(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (privateKey.Length != X25519.KeyLength || publicKey.Length != X25519.KeyLength)
            throw new ArgumentException($"X25519 keys are {X25519.KeyLength} bytes.");
        PrivateKey = privateKey.ToArray();
        PublicKey = publicKey.ToArray();
    }

    public byte[] PrivateKey { get; }

    public byte[] PublicKey { get; }
}
