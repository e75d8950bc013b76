using System.Buffers.Binary;

namespace Pype.Core.Media;

/// <summary>The 44-byte RIFF/WAVE header of plain 16-bit PCM.</summary>
public static class WavFormat
{
    public const int HeaderSize = 44;

    public static byte[] Header(int sampleRate, int channels, long dataBytes)
    {
        var header = new byte[HeaderSize];
        var span = header.AsSpan();
        const int bitsPerSample = 16;
        var blockAlign = channels * bitsPerSample / 8;
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - 36);
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 36 + data);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], bitsPerSample);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], data);
        return header;
    }
}
