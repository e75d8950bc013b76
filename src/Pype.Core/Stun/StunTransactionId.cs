using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Pype.Core.Stun;

/// <summary>The 96-bit transaction id that pairs a response with its request (RFC 8489 §5).</summary>
public readonly record struct StunTransactionId
{
    public const int Length = 12;

    private readonly uint _high;
    private readonly ulong _low;

    private StunTransactionId(uint high, ulong low)
    {
        _high = high;
        _low = low;
    }

    public static StunTransactionId Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length)
            throw new ArgumentException($"A transaction id needs {Length} bytes.", nameof(source));
        return new StunTransactionId(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            BinaryPrimitives.ReadUInt64BigEndian(source[4..]));
    }

    /// <summary>RFC 8489 asks for a cryptographically random id, so the source is a CSPRNG type.</summary>
    public static StunTransactionId NewRandom(RandomNumberGenerator random)
    {
        Span<byte> bytes = stackalloc byte[Length];
        random.GetBytes(bytes);
        return Read(bytes);
    }

    public static StunTransactionId FromHex(string hex) => Read(Convert.FromHexString(hex));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], _low);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() => Convert.ToHexStringLower(ToArray());
}
