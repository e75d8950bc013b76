namespace Pype.Core.Noise;

/// <summary>Where the protocol cores get their randomness, so tests can make it deterministic.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}

/// <summary>The production randomness: libsodium's CSPRNG.</summary>
public sealed class SodiumRandomSource : IRandomSource
{
    public static readonly SodiumRandomSource Instance = new();

    public void Fill(Span<byte> destination) =>
        Sodium.SodiumCore.GetRandomBytes(destination.Length).CopyTo(destination);
}
