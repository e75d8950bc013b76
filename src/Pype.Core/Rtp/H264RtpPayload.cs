namespace Pype.Core.Rtp;

/// <summary>
/// The RTP payload structures of RFC 6184 §5.2 Table 1, by the type field of the payload's first
/// byte. Types 1–23 are single NAL unit packets. Pype sends and accepts packetization-mode 1:
/// single NAL units, STAP-A and FU-A.
/// </summary>
public static class H264RtpPayload
{
    public const int SingleNalUnitFirst = 1;
    public const int SingleNalUnitLast = 23;

    /// <summary>Single-time aggregation packet (RFC 6184 §5.7.1).</summary>
    public const int StapA = 24;

    /// <summary>STAP-B, MTAP16, MTAP24: interleaved mode only, not accepted.</summary>
    public const int StapB = 25;
    public const int Mtap16 = 26;
    public const int Mtap24 = 27;

    /// <summary>Fragmentation unit without decoding order number (RFC 6184 §5.8).</summary>
    public const int FuA = 28;

    /// <summary>Interleaved mode only, not accepted.</summary>
    public const int FuB = 29;

    /// <summary>The payload header byte shared by STAP-A and the FU indicator.</summary>
    public const int PayloadHeaderLength = 1;

    /// <summary>RFC 6184 §5.7.1: each aggregated NAL unit is preceded by a 16-bit size.</summary>
    public const int StapANalUnitSizeLength = 2;

    /// <summary>FU indicator and FU header.</summary>
    public const int FuAHeaderLength = 2;

    /// <summary>FU header bits (RFC 6184 §5.8): S(tart), E(nd), R(eserved, must be 0).</summary>
    public const byte FuStartBit = 0x80;
    public const byte FuEndBit = 0x40;
    public const byte FuReservedBit = 0x20;

    /// <summary>The F and NRI bits of a NAL unit header, kept in the FU indicator and STAP-A header.</summary>
    public const byte ForbiddenAndNriMask = 0xE0;
}
