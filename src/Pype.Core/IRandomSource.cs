namespace Pype.Core;

/// <summary>
/// Where protocol cores get their randomness, so that tests can replay a run byte for byte.
/// </summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}
