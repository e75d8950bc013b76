namespace Pype.Core.Stun;

/// <summary>Why a datagram is not an acceptable STUN message; callers count drops by reason.</summary>
public enum StunParseError
{
    None,
    ShorterThanHeader,
    LongerThanMaximum,
    TopBitsNotZero,
    LengthNotMultipleOfFour,
    LengthDisagreesWithDatagram,
    WrongMagicCookie,
    AttributeTruncated,
    TooManyAttributes,
    AttributeMalformed,
    AttributeAfterFingerprint,
}
