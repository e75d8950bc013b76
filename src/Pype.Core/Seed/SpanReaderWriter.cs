using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Seed;

/// <summary>Reads big-endian fields off untrusted bytes; every read says whether the bytes were there.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _offset;

    public readonly bool AtEnd => _offset == _source.Length;

    public readonly int Offset => _offset;

    public bool TryByte(out byte value)
    {
        value = 0;
        if (_source.Length - _offset < 1) return false;
        value = _source[_offset++];
        return true;
    }

    public bool TryUInt16(out ushort value)
    {
        value = 0;
        if (_source.Length - _offset < 2) return false;
        value = BinaryPrimitives.ReadUInt16BigEndian(_source[_offset..]);
        _offset += 2;
        return true;
    }

    public bool TryUInt32(out uint value)
    {
        value = 0;
        if (_source.Length - _offset < 4) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(_source[_offset..]);
        _offset += 4;
        return true;
    }

    public bool TryUInt64(out ulong value)
    {
        value = 0;
        if (_source.Length - _offset < 8) return false;
        value = BinaryPrimitives.ReadUInt64BigEndian(_source[_offset..]);
        _offset += 8;
        return true;
    }

    public bool TryBytes(int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_source.Length - _offset < length) return false;
        value = _source.Slice(_offset, length);
        _offset += length;
        return true;
    }

    public bool TryCandidates(out IReadOnlyList<Candidate> candidates)
    {
        if (!CandidateCodec.TryRead(_source[_offset..], out candidates, out var consumed))
            return false;
        _offset += consumed;
        return true;
    }
}

/// <summary>Writes big-endian fields into a buffer sized for the largest message.</summary>
internal ref struct SpanWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _offset;

    public readonly int Offset => _offset;

    public readonly ReadOnlySpan<byte> Written => _destination[.._offset];

    public void Byte(byte value) => _destination[_offset++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_offset..], value);
        _offset += 2;
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[_offset..], value);
        _offset += 4;
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[_offset..], value);
        _offset += 8;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_offset..]);
        _offset += value.Length;
    }

    public void Candidates(IReadOnlyList<Candidate> candidates) => _offset += CandidateCodec.Write(_destination[_offset..], candidates);
}
