using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Rtp;

public enum RtpParseError
{
    None,
    ShorterThanHeader,
    WrongVersion,
    CsrcListTruncated,
    ExtensionTruncated,
    ExtensionElementTruncated,
    /// <summary>A send-time element (ID 2) whose value is not 3 bytes.</summary>
    SendTimeMalformed,
    PaddingLongerThanPayload,
    PaddingCountZero,
}

/// <summary>Either the parsed packet or the reason there is none.</summary>
public readonly record struct RtpParseResult
{
    private RtpParseResult(RtpPacket? packet, RtpParseError error)
    {
        Packet = packet;
        Error = error;
    }

    public RtpPacket? Packet { get; }
    public RtpParseError Error { get; }

    [MemberNotNullWhen(true, nameof(Packet))]
    public bool IsSuccess => Packet is not null;

    public static RtpParseResult Success(RtpPacket packet) => new(packet, RtpParseError.None);
    public static RtpParseResult Failure(RtpParseError error) => new(null, error);
}
