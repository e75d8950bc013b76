using Pype.Core;

using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Support;

/// <summary>Deterministic randomness so a failing test can be replayed exactly.</summary>
internal sealed class SeededRandomSource(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}
