using System.Buffers.Binary;

namespace Pype.Core.Replication;

/// <summary>
/// Reads big-endian fields off untrusted bytes. Every read checks the length first and sets
/// <see cref="Failed"/> instead of throwing, so a codec reads all fields and checks once.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _offset;

    public bool Failed { get; private set; }

    public readonly int Remaining => _source.Length - _offset;

    public readonly bool AtEnd => !Failed && _offset == _source.Length;

    public int Offset => _offset;

    public byte U8() => Take(1) is { IsEmpty: false } span ? span[0] : (byte)0;

    public ushort U16() => Take(2) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt16BigEndian(span) : (ushort)0;

    public uint U32() => Take(4) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt32BigEndian(span) : 0u;

    public ulong U64() => Take(8) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt64BigEndian(span) : 0ul;

    public byte[] Bytes(int length) => length == 0 ? [] : Take(length).ToArray();

    /// <summary>A Unix-milliseconds time; a value DateTimeOffset cannot hold fails the read.</summary>
    public DateTimeOffset Time()
    {
        var milliseconds = U64();
        if (milliseconds > WireTime.MaxUnixMilliseconds)
        {
            Failed = true;
            return DateTimeOffset.UnixEpoch;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
    }

    public void Fail() => Failed = true;

    public void Skip(int length) => Take(length);

    private ReadOnlySpan<byte> Take(int length)
    {
        if (Failed || length < 0 || length > Remaining)
        {
            Failed = true;
            return default;
        }

        var span = _source.Slice(_offset, length);
        _offset += length;
        return span;
    }
}

/// <summary>Writes big-endian fields into a buffer the caller sized from the format's maximum.</summary>
internal ref struct WireWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Offset { get; private set; }

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

    public readonly Span<byte> Rest => _destination[Offset..];

    public void Advance(int count) => Offset += count;
}

internal static class WireTime
{
    public static readonly ulong MaxUnixMilliseconds = (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
}
