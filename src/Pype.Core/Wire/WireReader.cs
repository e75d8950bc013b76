using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Wire;

/// <summary>
/// Reads big-endian fields off untrusted bytes: the one reader every codec uses. Every read
/// checks the length first and sets <see cref="Failed"/> instead of throwing, so a codec reads
/// its fields and checks once (or after each field whose failure it reports differently).
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _offset;

    public bool Failed { get; private set; }

    public readonly int Remaining => _source.Length - _offset;

    public readonly bool AtEnd => !Failed && _offset == _source.Length;

    public readonly int Offset => _offset;

    public byte U8() => Take(1) is { IsEmpty: false } span ? span[0] : (byte)0;

    public ushort U16() => Take(2) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt16BigEndian(span) : (ushort)0;

    public uint U32() => Take(4) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt32BigEndian(span) : 0u;

    public ulong U64() => Take(8) is { IsEmpty: false } span ? BinaryPrimitives.ReadUInt64BigEndian(span) : 0ul;

    /// <summary>A copy of the next <paramref name="length"/> bytes.</summary>
    public byte[] Bytes(int length) => length == 0 ? [] : Take(length).ToArray();

    /// <summary>The next <paramref name="length"/> bytes in place (empty after a failed read).</summary>
    public ReadOnlySpan<byte> Span(int length) => Take(length);

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

    /// <summary>A candidate list in <see cref="CandidateCodec"/> form; a malformed one fails the read.</summary>
    public IReadOnlyList<Candidate> Candidates()
    {
        if (Failed || !CandidateCodec.TryRead(_source[_offset..], out var candidates, out var consumed))
        {
            Failed = true;
            return [];
        }

        _offset += consumed;
        return candidates;
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

internal static class WireTime
{
    public static readonly ulong MaxUnixMilliseconds = (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
}
