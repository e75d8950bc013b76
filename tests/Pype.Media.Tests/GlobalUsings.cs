global using Xunit;
global using Pype.Testing;

// Tests check that no ffmpeg child is left after each one, and the machine has two cores: run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
