using Pype.Core;

namespace Pype.Simulation;

/// <summary>A core's randomness, seeded from the run's seed so a seed replays the run.</summary>
public sealed class SimulationRandom(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}
