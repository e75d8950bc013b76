using System.Buffers.Binary;
using Pype.Core.Stun;

namespace Pype.Core.Turn;

/// <summary>Why a datagram is not an acceptable ChannelData message.</summary>
public enum ChannelDataError
{
    None,
    ShorterThanHeader,
    ChannelNumberOutOfRange,
    ShorterThanDeclared,
    LongerThanPadding,
}

/// <summary>
/// The ChannelData message (RFC 8656 §12.4): channel number (2 bytes), payload length (2 bytes),
/// payload. Over UDP the sender may pad to a multiple of 4 and the receiver must accept it; we
/// send unpadded, because padding only costs bytes on a datagram transport.
/// </summary>
public static class ChannelData
{
    public const int HeaderLength = 4;

    /// <summary>RFC 8656 §12: the range a client may bind; 0x5000–0xFFFF is reserved.</summary>
    public const ushort FirstChannel = 0x4000;
    public const ushort LastChannel = 0x4FFF;

    public static bool IsValidChannel(ushort channel) => channel is >= FirstChannel and <= LastChannel;

    /// <exception cref="ArgumentOutOfRangeException">The channel is outside 0x4000–0x4FFF or the payload exceeds 65535 bytes.</exception>
    public static byte[] Encode(ushort channel, ReadOnlySpan<byte> payload, bool pad = false)
    {
        if (!IsValidChannel(channel))
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "Channels run from 0x4000 to 0x4FFF.");
        if (payload.Length > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, "A ChannelData payload is at most 65535 bytes.");

        var buffer = new byte[HeaderLength + (pad ? StunWire.Padded(payload.Length) : payload.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, channel);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)payload.Length);
        payload.CopyTo(buffer.AsSpan(HeaderLength));
        return buffer;
    }

    /// <summary>
    /// Never throws. Up to three bytes beyond the declared length are padding and ignored; more
    /// than that is not a ChannelData message we sent for, so it is refused rather than guessed at.
    /// </summary>
    public static ChannelDataError TryParse(ReadOnlySpan<byte> datagram, out ushort channel, out ReadOnlySpan<byte> payload)
    {
        channel = 0;
        payload = default;
        if (datagram.Length < HeaderLength)
            return ChannelDataError.ShorterThanHeader;

        channel = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        if (!IsValidChannel(channel))
            return ChannelDataError.ChannelNumberOutOfRange;

        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        var available = datagram.Length - HeaderLength;
        if (available < length)
            return ChannelDataError.ShorterThanDeclared;
        if (available > StunWire.Padded(length))
            return ChannelDataError.LongerThanPadding;

        payload = datagram.Slice(HeaderLength, length);
        return ChannelDataError.None;
    }
}
