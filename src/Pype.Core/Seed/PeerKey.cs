using Pype.Core.Identity;

namespace Pype.Core.Seed;

/// <summary>
/// A peer's Ed25519 identity public key with value equality, so it can key the seed's registry
/// and be compared without callers juggling byte arrays.
/// </summary>
public sealed class PeerKey : IEquatable<PeerKey>
{
    public const int Length = IdentityKeyPair.PublicKeyLength;

    private readonly byte[] _bytes;

    private PeerKey(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Span => _bytes;

    public static PeerKey Of(IdentityKeyPair identity) => new(identity.PublicKey.ToArray());

    /// <summary>Exactly <see cref="Length"/> bytes, else false; whether the point is usable is checked where it matters.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out PeerKey key)
    {
        key = null!;
        if (source.Length != Length)
            return false;
        key = new PeerKey(source.ToArray());
        return true;
    }

    public static PeerKey Parse(ReadOnlySpan<byte> source) =>
        TryRead(source, out var key) ? key : throw new ArgumentException($"a peer key has {Length} bytes", nameof(source));

    public byte[] ToArray() => _bytes.ToArray();

    public bool Equals(PeerKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PeerKey);

    /// <summary>Randomised per process by <see cref="HashCode"/>, so chosen keys cannot pile into one bucket.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexStringLower(_bytes, 0, 8);
}
