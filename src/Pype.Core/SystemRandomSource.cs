using System.Security.Cryptography;
using Sodium;

namespace Pype.Core;

/// <summary>The operating system's cryptographic generator, through libsodium.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static SystemRandomSource Instance { get; } = new();

    private SystemRandomSource()
    {
    }

    public void Fill(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        var random = SodiumCore.GetRandomBytes(destination.Length);
        random.CopyTo(destination);
        // The copy may be key material; leave no second copy for the collector to keep around.
        CryptographicOperations.ZeroMemory(random);
    }
}
