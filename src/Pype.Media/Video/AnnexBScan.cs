namespace Pype.Media.Video;

/// <summary>
/// The little Annex-B reading the adapters need (NAL unit types, where the first NAL ends).
/// Stand-in until Pype.Core's AnnexBSplitter (written on another branch) is merged; then this
/// should call it instead.
/// </summary>
internal static class AnnexBScan
{
    public const byte AccessUnitDelimiter = 9;
    public const byte IdrSlice = 5;

    /// <summary>An access-unit delimiter NAL saying "any slice type may follow": start code, header 0x09, 0xF0.</summary>
    public static ReadOnlySpan<byte> Delimiter => [0, 0, 0, 1, 0x09, 0xF0];

    public static List<(int Offset, byte Type)> NalUnits(ReadOnlySpan<byte> stream)
    {
        var units = new List<(int, byte)>();
        for (var i = 0; i + 3 < stream.Length; i++)
        {
            if (stream[i] != 0 || stream[i + 1] != 0 || stream[i + 2] != 1) continue;
            var start = i > 0 && stream[i - 1] == 0 ? i - 1 : i;
            units.Add((start, (byte)(stream[i + 3] & 0x1F)));
            i += 3;
        }
        return units;
    }

    public static bool ContainsIdr(ReadOnlySpan<byte> accessUnit) => NalUnits(accessUnit).Exists(n => n.Type == IdrSlice);

    /// <summary>The access unit without its leading delimiter NAL, if it has one.</summary>
    public static ReadOnlySpan<byte> WithoutLeadingDelimiter(ReadOnlySpan<byte> accessUnit)
    {
        var units = NalUnits(accessUnit);
        if (units.Count == 0 || units[0].Offset != 0 || units[0].Type != AccessUnitDelimiter) return accessUnit;
        return units.Count > 1 ? accessUnit[units[1].Offset..] : [];
    }
}
