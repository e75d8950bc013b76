using System.Text;

namespace Pype.Core.Stun.Attributes;

/// <summary>
/// ERROR-CODE (RFC 8489 §14.8): 21 reserved zero bits, the hundreds digit (3–6) in three bits,
/// the remainder (0–99) in a byte, then a UTF-8 reason phrase.
/// </summary>
public sealed record ErrorCodeAttribute : StunAttribute
{
    public const int TryAlternate = 300;
    public const int BadRequest = 400;
    public const int Unauthenticated = 401;
    public const int Forbidden = 403;
    public const int UnknownAttribute = 420;
    public const int AllocationMismatch = 437;
    public const int StaleNonce = 438;
    public const int AddressFamilyNotSupported = 440;
    public const int WrongCredentials = 441;
    public const int UnsupportedTransportProtocol = 442;
    public const int PeerAddressFamilyMismatch = 443;
    public const int AllocationQuotaReached = 486;
    public const int ServerError = 500;
    public const int InsufficientCapacity = 508;

    public const int MinCode = 300;
    public const int MaxCode = 699;

    private const int FixedLength = 4;
    private const int ClassMask = 0x07;

    public ErrorCodeAttribute(int code, string reasonPhrase) : base(StunAttributeType.ErrorCode)
    {
        if (code is < MinCode or > MaxCode)
            throw new ArgumentOutOfRangeException(nameof(code), code, "STUN error codes run from 300 to 699.");
        Code = code;
        ReasonPhrase = reasonPhrase;
    }

    public int Code { get; }
    public string ReasonPhrase { get; }

    public override int ValueLength => FixedLength + Encoding.UTF8.GetByteCount(ReasonPhrase);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = (byte)(Code / 100);
        destination[3] = (byte)(Code % 100);
        Encoding.UTF8.GetBytes(ReasonPhrase, destination[FixedLength..]);
    }

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId)
    {
        if (value.Length < FixedLength)
            return null;
        var hundreds = value[2] & ClassMask;
        var remainder = value[3];
        if (hundreds is < MinCode / 100 or > MaxCode / 100 || remainder > 99)
            return null;
        return StunTextAttribute.DecodeText(value[FixedLength..]) is { } reason
            ? new ErrorCodeAttribute(hundreds * 100 + remainder, reason)
            : null;
    }
}
