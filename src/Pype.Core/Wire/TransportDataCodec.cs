using System.Buffers.Binary;

namespace Pype.Core.Wire;

public static class TransportDataCodec
{
    /// <summary>The header alone, which the sender needs as associated data before the ciphertext exists.</summary>
    public static byte[] EncodeHeader(uint receiverIndex, ulong counter)
    {
        var header = new byte[TransportData.HeaderLength];
        PypePacket.WriteHeader(header, PypePacketType.TransportData);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(TransportData.ReceiverIndexOffset), receiverIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(TransportData.CounterOffset), counter);
        return header;
    }

    public static WireResult<byte[]> Encode(TransportData data)
    {
        if (data.Ciphertext.Length > TransportData.MaxCiphertextLength)
            return WireError.PayloadTooLarge;
        if (data.Ciphertext.Length < TransportData.TagLength)
            return WireError.FieldLengthInvalid;
        return WireResult<byte[]>.Success([.. EncodeHeader(data.ReceiverIndex, data.Counter), .. data.Ciphertext]);
    }

    public static WireResult<TransportData> Decode(ReadOnlySpan<byte> packet)
    {
        var headerError = PypePacket.CheckHeader(packet, PypePacketType.TransportData);
        if (headerError != WireError.None)
            return headerError;
        if (packet.Length < TransportData.MinLength)
            return WireError.TooShort;
        if (packet.Length > PypePacket.MaxDatagramLength)
            return WireError.TooLong;
        var receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(packet[TransportData.ReceiverIndexOffset..]);
        var counter = BinaryPrimitives.ReadUInt64LittleEndian(packet[TransportData.CounterOffset..]);
        return WireResult<TransportData>.Success(new TransportData(receiverIndex, counter, packet[TransportData.CiphertextOffset..].ToArray()));
    }
}
