namespace Pype.Core.Noise;

/// <summary>
/// Accepts each 64-bit counter at most once, within a sliding window behind the highest counter
/// seen (RFC 6479): a ring of 64-bit blocks, where moving forward clears whole blocks instead of
/// shifting bits. One block is kept as slack for that clearing, so the usable window is one
/// block smaller than the ring.
/// </summary>
public sealed class ReplayWindow
{
    public const int RingBits = 2048;
    public const int BlockBits = 64;
    public const int BlockCount = RingBits / BlockBits;
    public const ulong WindowSize = RingBits - BlockBits;

    private readonly ulong[] _blocks = new ulong[BlockCount];
    private ulong _highest;

    /// <summary>True when the counter is new and not too old; changes nothing, so a packet can be authenticated first.</summary>
    public bool IsAcceptable(ulong counter)
    {
        if (counter > _highest)
            return true;
        if (_highest - counter >= WindowSize)
            return false;
        return (_blocks[BlockOf(counter)] & BitOf(counter)) == 0;
    }

    /// <summary>Records the counter if acceptable; call only after the packet has authenticated.</summary>
    public bool TryAccept(ulong counter)
    {
        if (!IsAcceptable(counter))
            return false;
        if (counter > _highest)
            Advance(counter);
        _blocks[BlockOf(counter)] |= BitOf(counter);
        return true;
    }

    private void Advance(ulong counter)
    {
        var blocksAhead = (counter / BlockBits) - (_highest / BlockBits);
        var blocksToClear = (int)Math.Min(blocksAhead, BlockCount);
        var highestBlock = _highest / BlockBits;
        for (var i = 1; i <= blocksToClear; i++)
            _blocks[(int)((highestBlock + (ulong)i) % BlockCount)] = 0;
        _highest = counter;
    }

    private static int BlockOf(ulong counter) => (int)((counter / BlockBits) % BlockCount);

    private static ulong BitOf(ulong counter) => 1UL << (int)(counter % BlockBits);
}
