namespace Pype.Core.Media;

/// <summary>nal_unit_type values from ITU-T H.264 Table 7-1 that Pype looks at.</summary>
public static class H264NalUnitType
{
    public const int NonIdrSlice = 1;
    public const int IdrSlice = 5;
    public const int SupplementalEnhancementInformation = 6;
    public const int SequenceParameterSet = 7;
    public const int PictureParameterSet = 8;
    public const int AccessUnitDelimiter = 9;

    /// <summary>The low five bits of the NAL unit header.</summary>
    public const byte TypeMask = 0x1F;

    /// <summary>nal_ref_idc: the two bits above the type.</summary>
    public const byte NriMask = 0x60;

    /// <summary>forbidden_zero_bit.</summary>
    public const byte ForbiddenBit = 0x80;

    public static int Of(ReadOnlySpan<byte> nalUnit) => nalUnit.IsEmpty ? 0 : nalUnit[0] & TypeMask;
}
