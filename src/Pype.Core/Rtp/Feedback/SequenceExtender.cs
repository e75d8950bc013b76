namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// Extends 16-bit sequence numbers to a 64-bit count (RFC 3550 A.1 style): each number is taken
/// as the one nearest to the highest seen, so wrap-around at 65535 is seamless. The first number
/// is placed one cycle up, so numbers just before it stay positive.
/// </summary>
internal struct SequenceExtender
{
    private long highest;

    public readonly bool Started => highest > 0;

    public readonly long Highest => highest;

    /// <summary>The extended number, without moving the highest.</summary>
    public readonly long Peek(ushort sequenceNumber) =>
        highest == 0 ? sequenceNumber + (1L << 16) : highest + (short)unchecked((ushort)(sequenceNumber - (ushort)highest));

    /// <summary>The extended number; the highest moves forward when this one is beyond it.</summary>
    public long Extend(ushort sequenceNumber)
    {
        var extended = Peek(sequenceNumber);
        highest = Math.Max(highest, extended);
        return extended;
    }

    /// <summary>Forgets the past: the next number starts afresh (a stream restart or a huge jump).</summary>
    public void Reset(ushort sequenceNumber) => highest = sequenceNumber + (1L << 16);
}
