namespace Pype.Core.Stun;

/// <summary>
/// Class and method as packed into the 14-bit message type field (RFC 8489 §5): the class bits
/// are interleaved into the method bits at positions 4 and 8 so that old parsers see a method.
/// </summary>
public readonly record struct StunMessageType(StunClass Class, StunMethod Method)
{
    public const ushort MaxMethod = 0x0FFF;

    private const ushort MethodLowBits = 0x000F;
    private const ushort MethodMiddleBits = 0x0070;
    private const ushort MethodHighBits = 0x0F80;
    private const ushort ClassLowBit = 0x0010;
    private const ushort ClassHighBit = 0x0100;

    public static StunMessageType BindingRequest => new(StunClass.Request, StunMethod.Binding);
    public static StunMessageType BindingSuccess => new(StunClass.SuccessResponse, StunMethod.Binding);
    public static StunMessageType BindingError => new(StunClass.ErrorResponse, StunMethod.Binding);

    public ushort Encode()
    {
        var method = (ushort)Method;
        var classBits = (int)Class;
        return (ushort)(
            (method & MethodLowBits)
            | ((method & MethodMiddleBits) << 1)
            | ((method & MethodHighBits) << 2)
            | ((classBits & 0b01) << 4)
            | ((classBits & 0b10) << 7));
    }

    /// <summary>Decodes the low 14 bits; the caller has already checked the top two are zero.</summary>
    public static StunMessageType Decode(ushort type)
    {
        var method = (type & MethodLowBits)
            | ((type >> 1) & MethodMiddleBits)
            | ((type >> 2) & MethodHighBits);
        var classBits = ((type & ClassLowBit) >> 4) | ((type & ClassHighBit) >> 7);
        return new StunMessageType((StunClass)classBits, (StunMethod)method);
    }

    public override string ToString() => $"{Method} {Class}";
}
