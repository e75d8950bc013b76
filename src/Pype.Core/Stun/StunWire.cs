namespace Pype.Core.Stun;

/// <summary>Fixed sizes of the STUN wire format (RFC 8489 §5, §14) and our own bounds on input.</summary>
public static class StunWire
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const int AttributeHeaderLength = 4;
    public const int Alignment = 4;

    /// <summary>An Ethernet MTU: nothing larger reaches us unfragmented, so nothing larger is parsed.</summary>
    public const int MaxMessageLength = 1500;

    /// <summary>Far above any real message; stops a crafted one from costing us hundreds of objects.</summary>
    public const int MaxAttributeCount = 64;

    /// <summary>Attribute types below this must be understood or the message rejected (RFC 8489 §14).</summary>
    public const ushort FirstComprehensionOptionalType = 0x8000;

    public static int Padded(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
