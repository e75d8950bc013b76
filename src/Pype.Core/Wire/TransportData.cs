namespace Pype.Core.Wire;

/// <summary>
/// Packet 0xE3: session data. The counter travels in clear because datagrams arrive out of order;
/// it is the AEAD nonce, and the 16-byte header is the AEAD's associated data.
/// </summary>
public sealed record TransportData(uint ReceiverIndex, ulong Counter, byte[] Ciphertext)
{
    public const int CounterLength = 8;
    public const int TagLength = 16;

    public const int ReceiverIndexOffset = PypePacket.HeaderLength;
    public const int CounterOffset = ReceiverIndexOffset + PypePacket.IndexLength;
    public const int CiphertextOffset = CounterOffset + CounterLength;
    public const int HeaderLength = CiphertextOffset;

    public const int MinLength = HeaderLength + TagLength;
    public const int MaxCiphertextLength = PypePacket.MaxDatagramLength - HeaderLength;
    public const int MaxPayloadLength = MaxCiphertextLength - TagLength;
}
