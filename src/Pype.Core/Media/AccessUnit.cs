namespace Pype.Core.Media;

/// <summary>
/// One coded picture's NAL units in decoding order, without start codes and with their emulation
/// prevention bytes. As split from the encoder's stream it begins with the access-unit delimiter.
/// </summary>
public sealed class AccessUnit
{
    /// <summary>Start code Pype writes before every NAL unit (the 4-byte form, zero_byte + 0x000001).</summary>
    public static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    /// <summary>
    /// An access-unit delimiter NAL unit: header 0x09 (nal_ref_idc 0) and primary_pic_type 7
    /// ("any slice type") followed by the RBSP stop bit.
    /// </summary>
    public static ReadOnlySpan<byte> Delimiter => [0x09, 0xF0];

    public AccessUnit(IReadOnlyList<ReadOnlyMemory<byte>> nalUnits) => NalUnits = nalUnits;

    public IReadOnlyList<ReadOnlyMemory<byte>> NalUnits { get; }

    /// <summary>Reads the NAL units of one complete access unit given as an Annex-B byte stream.</summary>
    public static AccessUnit Parse(ReadOnlySpan<byte> annexB)
    {
        var splitter = new AnnexBSplitter();
        splitter.Push(annexB);
        splitter.Flush();
        var nalUnits = new List<ReadOnlyMemory<byte>>();
        while (splitter.TryTake(out var part)) nalUnits.AddRange(part.NalUnits);
        return new AccessUnit(nalUnits);
    }

    /// <summary>The same picture without its leading access-unit delimiter, if it has one.</summary>
    public AccessUnit WithoutLeadingDelimiter() =>
        NalUnits.Count > 0 && H264NalUnitType.Of(NalUnits[0].Span) == H264NalUnitType.AccessUnitDelimiter
            ? new AccessUnit(NalUnits.Skip(1).ToList())
            : this;

    /// <summary>True when the access unit holds an IDR slice (nal_unit_type 5).</summary>
    public bool IsKeyframe => NalUnits.Any(n => H264NalUnitType.Of(n.Span) == H264NalUnitType.IdrSlice);

    /// <summary>The NAL units as an Annex-B byte stream, each behind a 4-byte start code.</summary>
    public byte[] ToAnnexB()
    {
        var bytes = new byte[NalUnits.Sum(n => StartCode.Length + n.Length)];
        var offset = 0;
        foreach (var nalUnit in NalUnits)
        {
            StartCode.CopyTo(bytes.AsSpan(offset));
            offset += StartCode.Length;
            nalUnit.Span.CopyTo(bytes.AsSpan(offset));
            offset += nalUnit.Length;
        }
        return bytes;
    }
}
