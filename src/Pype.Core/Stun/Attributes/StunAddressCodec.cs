using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Pype.Core.Stun.Attributes;

/// <summary>
/// The shared value layout of MAPPED-ADDRESS and XOR-MAPPED-ADDRESS (RFC 8489 §14.1, §14.2):
/// one reserved byte, a family byte, the port, then 4 or 16 address bytes.
/// </summary>
internal static class StunAddressCodec
{
    public const byte FamilyIPv4 = 0x01;
    public const byte FamilyIPv6 = 0x02;
    public const int IPv4ValueLength = 8;
    public const int IPv6ValueLength = 20;

    private const int AddressOffset = 4;

    public static int ValueLength(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6ValueLength : IPv4ValueLength;

    /// <summary>
    /// XOR mask bytes: the magic cookie, then the transaction id. The port uses the first two,
    /// an IPv4 address the first four, an IPv6 address all sixteen.
    /// </summary>
    public static byte[] XorMask(StunTransactionId transactionId)
    {
        var mask = new byte[4 + StunTransactionId.Length];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunWire.MagicCookie);
        transactionId.WriteTo(mask.AsSpan(4));
        return mask;
    }

    public static void Write(Span<byte> destination, IPEndPoint endPoint, ReadOnlySpan<byte> mask)
    {
        var addressLength = ValueLength(endPoint) - AddressOffset;
        destination[0] = 0;
        destination[1] = addressLength == 4 ? FamilyIPv4 : FamilyIPv6;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        endPoint.Address.TryWriteBytes(destination.Slice(AddressOffset, addressLength), out _);
        ApplyMask(destination[2..(AddressOffset + addressLength)], mask);
    }

    public static IPEndPoint? Read(ReadOnlySpan<byte> value, ReadOnlySpan<byte> mask)
    {
        if (value.Length < AddressOffset)
            return null;

        var addressLength = (value[1], value.Length) switch
        {
            (FamilyIPv4, IPv4ValueLength) => 4,
            (FamilyIPv6, IPv6ValueLength) => 16,
            _ => 0,
        };
        if (addressLength == 0)
            return null;

        Span<byte> portAndAddress = stackalloc byte[2 + addressLength];
        value[2..].CopyTo(portAndAddress);
        ApplyMask(portAndAddress, mask);
        var port = BinaryPrimitives.ReadUInt16BigEndian(portAndAddress);
        return new IPEndPoint(new IPAddress(portAndAddress[2..]), port);
    }

    /// <summary>Port bytes take mask[0..2]; address bytes take mask[0..n], so the mask restarts after the port.</summary>
    private static void ApplyMask(Span<byte> portAndAddress, ReadOnlySpan<byte> mask)
    {
        if (mask.IsEmpty)
            return;
        portAndAddress[0] ^= mask[0];
        portAndAddress[1] ^= mask[1];
        var address = portAndAddress[2..];
        for (var i = 0; i < address.Length; i++)
            address[i] ^= mask[i];
    }
}
