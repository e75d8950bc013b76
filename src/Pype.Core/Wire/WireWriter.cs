using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Wire;

/// <summary>Writes big-endian fields into a buffer the caller sized from the format's maximum: the one writer every codec uses.</summary>
internal ref struct WireWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Offset { get; private set; }

    /// <summary>What has been written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _destination[..Offset];

    public readonly Span<byte> Rest => _destination[Offset..];

    public void U8(byte value) => _destination[Offset++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Offset..], value);
        Offset += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Offset..], value);
        Offset += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[Offset..], value);
        Offset += 8;
    }

    public void Time(DateTimeOffset time) => U64((ulong)time.ToUnixTimeMilliseconds());

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Offset..]);
        Offset += bytes.Length;
    }

    /// <summary>A candidate list in <see cref="CandidateCodec"/> form.</summary>
    public void Candidates(IReadOnlyList<Candidate> candidates) => Offset += CandidateCodec.Write(_destination[Offset..], candidates);

    public void Advance(int count) => Offset += count;
}
