using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Media;

/// <summary>
/// Splits an H.264 Annex-B byte stream (ITU-T H.264 Annex B) that arrives in chunks of any size
/// into NAL units and groups them into access units, one beginning at each access-unit delimiter
/// (the encoder runs with x264 <c>aud=1</c>). Start codes of 3 and 4 bytes are accepted; zero bytes
/// before a start code (trailing_zero_8bits, zero_byte) are dropped; emulation prevention bytes
/// stay in the NAL units, as RTP carries them.
/// <para>
/// An access unit is complete only once the next delimiter has been read, so without
/// <see cref="Flush"/> each one waits for the next frame's first bytes. Call <see cref="Flush"/>
/// at the end of the stream, or whenever the caller knows the bytes so far end an access unit.
/// </para>
/// </summary>
public sealed class AnnexBSplitter
{
    /// <summary>A NAL unit longer than this is dropped and counted; it bounds the buffer.</summary>
    public const int MaxNalUnitLength = 4 * 1024 * 1024;

    private const int ShortStartCodeLength = 3;
    private static ReadOnlySpan<byte> ShortStartCode => [0, 0, 1];

    private readonly Queue<AccessUnit> completed = new();
    private List<ReadOnlyMemory<byte>> current = [];
    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private int nalStart = -1;
    private int scanFrom;

    /// <summary>NAL units dropped for exceeding <see cref="MaxNalUnitLength"/>.</summary>
    public long OversizedNalUnitsDropped { get; private set; }

    public void Push(ReadOnlySpan<byte> chunk)
    {
        Append(chunk);
        while (length - scanFrom >= ShortStartCodeLength)
        {
            var found = buffer.AsSpan(scanFrom, length - scanFrom).IndexOf(ShortStartCode);
            if (found < 0)
            {
                scanFrom = length - (ShortStartCodeLength - 1);
                break;
            }
            var startCode = scanFrom + found;
            if (nalStart >= 0)
                CompleteNalUnit(nalStart, startCode);
            nalStart = startCode + ShortStartCodeLength;
            scanFrom = nalStart;
        }
        DropOversizedNalUnit();
        Compact();
    }

    /// <summary>Ends the NAL unit and access unit in progress, as at the end of the stream.</summary>
    public void Flush()
    {
        if (nalStart >= 0)
            CompleteNalUnit(nalStart, length);
        CompleteAccessUnit();
        length = 0;
        nalStart = -1;
        scanFrom = 0;
    }

    public bool TryTake([NotNullWhen(true)] out AccessUnit? accessUnit) => completed.TryDequeue(out accessUnit);

    private void CompleteNalUnit(int start, int end)
    {
        while (end > start && buffer[end - 1] == 0)
            end--;
        if (end == start)
            return;

        var nalUnit = buffer.AsSpan(start, end - start).ToArray();
        if (H264NalUnitType.Of(nalUnit) == H264NalUnitType.AccessUnitDelimiter)
            CompleteAccessUnit();
        current.Add(nalUnit);
    }

    private void CompleteAccessUnit()
    {
        if (current.Count == 0)
            return;
        completed.Enqueue(new AccessUnit(current));
        current = [];
    }

    private void DropOversizedNalUnit()
    {
        if (nalStart < 0 || length - nalStart <= MaxNalUnitLength)
            return;
        OversizedNalUnitsDropped++;
        nalStart = -1;
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (buffer.Length - length < chunk.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + chunk.Length));
        chunk.CopyTo(buffer.AsSpan(length));
        length += chunk.Length;
    }

    /// <summary>Moves the bytes still needed (the NAL unit in progress, or a possible partial start code) to the front.</summary>
    private void Compact()
    {
        var keepFrom = nalStart >= 0 ? nalStart : Math.Max(0, length - (ShortStartCodeLength - 1));
        if (keepFrom == 0)
            return;
        buffer.AsSpan(keepFrom, length - keepFrom).CopyTo(buffer);
        length -= keepFrom;
        scanFrom = Math.Max(0, scanFrom - keepFrom);
        if (nalStart >= 0)
            nalStart -= keepFrom;
    }
}
