namespace Pype.Core.Media;

/// <summary>
/// Writes a frame index into the top-left corner of a yuv420p picture as a row of 16×16 luma
/// blocks, and reads it back after lossy coding. Layout, left to right: the start pattern
/// 1101, <see cref="DataBits"/> index bits (most significant first), one even-parity bit.
/// A block is white (luma 235) for 1 and black (16) for 0; chroma under the row is set neutral
/// so colour cannot leak into the luma decision. Reading averages the inner 8×8 of each block
/// and thresholds at mid-grey, which H.264 at ~1.5 Mb/s does not move across.
/// </summary>
public static class FrameStamp
{
    public const int BlockSize = 16;
    public const int DataBits = 20;
    public const long IndexModulus = 1L << DataBits;
    private static readonly bool[] StartPattern = [true, true, false, true];
    public static int BlockCount { get; } = StartPattern.Length + DataBits + 1;
    public static int MinimumWidth { get; } = BlockCount * BlockSize;

    private const byte White = 235, Black = 16, NeutralChroma = 128, Threshold = 126;

    /// <summary>Stamps <paramref name="index"/> (modulo 2^20) into the picture in place.</summary>
    public static void Write(byte[] yuv420p, int width, int height, long index)
    {
        Check(yuv420p, width, height);
        var bits = Bits(index);
        for (var block = 0; block < bits.Length; block++)
        {
            var luma = bits[block] ? White : Black;
            for (var y = 0; y < BlockSize; y++)
                yuv420p.AsSpan(y * width + block * BlockSize, BlockSize).Fill(luma);
        }
        var chromaWidth = (width + 1) / 2;
        var chromaPlane = chromaWidth * ((height + 1) / 2);
        var stripWidth = BlockCount * BlockSize / 2;
        for (var plane = 0; plane < 2; plane++)
            for (var y = 0; y < BlockSize / 2; y++)
                yuv420p.AsSpan(width * height + plane * chromaPlane + y * chromaWidth, stripWidth).Fill(NeutralChroma);
    }

    /// <summary>The stamped index, or null when the start pattern or the parity does not check out.</summary>
    public static long? Read(ReadOnlySpan<byte> yuv420p, int width, int height)
    {
        if (width < MinimumWidth || height < BlockSize || yuv420p.Length < width * height) return null;
        var bits = new bool[BlockCount];
        for (var block = 0; block < BlockCount; block++) bits[block] = InnerMean(yuv420p, width, block) > Threshold;
        for (var i = 0; i < StartPattern.Length; i++)
            if (bits[i] != StartPattern[i]) return null;
        long index = 0;
        var ones = 0;
        for (var i = 0; i < DataBits; i++)
        {
            var bit = bits[StartPattern.Length + i];
            index = (index << 1) | (bit ? 1L : 0L);
            if (bit) ones++;
        }
        var parity = bits[^1];
        return parity == (ones % 2 == 1) ? index : null;
    }

    private static bool[] Bits(long index)
    {
        var value = (index % IndexModulus + IndexModulus) % IndexModulus;
        var bits = new bool[BlockCount];
        StartPattern.CopyTo(bits, 0);
        var ones = 0;
        for (var i = 0; i < DataBits; i++)
        {
            var bit = ((value >> (DataBits - 1 - i)) & 1) == 1;
            bits[StartPattern.Length + i] = bit;
            if (bit) ones++;
        }
        bits[^1] = ones % 2 == 1;
        return bits;
    }

    private static double InnerMean(ReadOnlySpan<byte> luma, int width, int block)
    {
        const int margin = BlockSize / 4;
        var sum = 0;
        for (var y = margin; y < BlockSize - margin; y++)
            for (var x = margin; x < BlockSize - margin; x++)
                sum += luma[y * width + block * BlockSize + x];
        var side = BlockSize - 2 * margin;
        return sum / (double)(side * side);
    }

    private static void Check(byte[] yuv420p, int width, int height)
    {
        if (width < MinimumWidth) throw new ArgumentException($"a frame stamp needs a picture at least {MinimumWidth} pixels wide, got {width}", nameof(width));
        if (height < BlockSize) throw new ArgumentException($"a frame stamp needs a picture at least {BlockSize} pixels high, got {height}", nameof(height));
        if (yuv420p.Length < VideoFrame.SizeOf(width, height)) throw new ArgumentException("buffer is smaller than one yuv420p picture", nameof(yuv420p));
    }
}
