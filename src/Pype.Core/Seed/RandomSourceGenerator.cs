using System.Security.Cryptography;

namespace Pype.Core.Seed;

/// <summary>
/// Lets the STUN client, which takes a <see cref="RandomNumberGenerator"/>, draw from the same
/// injected <see cref="IRandomSource"/> as everything else, so a test run replays byte for byte.
/// </summary>
internal sealed class RandomSourceGenerator(IRandomSource source) : RandomNumberGenerator
{
    public override void GetBytes(byte[] data) => source.Fill(data);

    public override void GetBytes(Span<byte> data) => source.Fill(data);
}
