using Pype.Core;

namespace Pype.Core.Tests.Identity;

/// <summary>Repeatable randomness, so a failing test fails the same way on the next run.</summary>
internal sealed class SeededRandomSource(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}
