namespace Pype.Core.Media;

/// <summary>
/// Cuts an H.264 Annex-B byte stream into access units as soon as each is complete.
/// Splitting on the next access-unit delimiter alone would hold every frame until the next one
/// is encoded (a whole frame interval of delay), so the encoder also reports each packet's size
/// (ffmpeg's muxer log line) and an access unit is released the moment that many bytes are in.
/// Bytes and sizes may arrive in any interleaving; both are consumed in order.
/// </summary>
public sealed class AccessUnitFramer
{
    private readonly Queue<int> _sizes = new();
    private readonly Queue<byte[]> _ready = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _buffered;


    public void AddBytes(ReadOnlySpan<byte> bytes)
    {
        if (_buffered + bytes.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _buffered + bytes.Length));
        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
        Cut();
    }

    public void AddSize(int accessUnitBytes)
    {
        if (accessUnitBytes <= 0) throw new ArgumentOutOfRangeException(nameof(accessUnitBytes), "an access unit has at least one byte");
        _sizes.Enqueue(accessUnitBytes);
        Cut();
    }

    public bool TryTake(out byte[] accessUnit) => _ready.TryDequeue(out accessUnit!);

    /// <summary>Bytes received that no reported size has claimed yet.</summary>
    public int Pending => _buffered;

    private void Cut()
    {
        var offset = 0;
        while (_sizes.TryPeek(out var size) && _buffered - offset >= size)
        {
            _sizes.Dequeue();
            _ready.Enqueue(_buffer.AsSpan(offset, size).ToArray());
            offset += size;
        }
        if (offset == 0) return;
        _buffer.AsSpan(offset, _buffered - offset).CopyTo(_buffer);
        _buffered -= offset;
    }

    /// <summary>Parses ffmpeg's "-debug_ts" muxer line ("muxer &lt;- type:video … size:1234"); null for any other line.</summary>
    public static int? ParseMuxerSize(string line)
    {
        if (!line.StartsWith("muxer <- type:video", StringComparison.Ordinal)) return null;
        var at = line.LastIndexOf(" size:", StringComparison.Ordinal);
        if (at < 0) return null;
        var digits = line.AsSpan(at + 6).Trim();
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : null;
    }
}
