using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Pype.Simulation;

/// <summary>What became of a datagram on the virtual network.</summary>
public enum DatagramFate
{
    Delivered,
    /// <summary>Random loss on the link.</summary>
    Lost,
    /// <summary>The link's bandwidth queue was full (tail drop).</summary>
    QueueFull,
    /// <summary>A NAT's filter, an unroutable address, a vanished host or nobody listening.</summary>
    Filtered,
    /// <summary>The link was cut by the scenario, or the scenario's own filter dropped it.</summary>
    Cut,
}

/// <summary>
/// A running SHA-256 over every datagram's fate (time, source, destination, bytes) and every
/// note a scenario adds. Two runs are the same run exactly when their hashes are equal.
/// </summary>
public sealed class NetworkTrace : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<string>? _lines;
    private readonly Dictionary<DatagramFate, long> _counts = [];

    /// <param name="keepLines">Also keep a readable line per entry (for debugging a divergence; costs memory).</param>
    public NetworkTrace(bool keepLines = false) => _lines = keepLines ? [] : null;

    public long Entries { get; private set; }

    public IReadOnlyList<string> Lines => _lines ?? [];

    public long Count(DatagramFate fate) => _counts.GetValueOrDefault(fate);

    /// <summary>The hash of everything recorded so far, as hex.</summary>
    public string Hash => Convert.ToHexString(_hash.GetCurrentHash());

    public void Record(DateTimeOffset at, DatagramFate fate, IPEndPoint source, IPEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        _counts[fate] = Count(fate) + 1;
        Span<byte> header = stackalloc byte[8 + 1 + 4];
        BinaryPrimitives.WriteInt64BigEndian(header, at.UtcTicks);
        header[8] = (byte)fate;
        BinaryPrimitives.WriteInt32BigEndian(header[9..], datagram.Length);
        _hash.AppendData(header);
        AppendEndPoint(source);
        AppendEndPoint(destination);
        _hash.AppendData(datagram);
        Entries++;
        _lines?.Add($"{at:HH:mm:ss.fffffff} {fate} {source} -> {destination} {datagram.Length} B");
    }

    /// <summary>Adds a scenario's own observation (an event a core raised, say) to the trace.</summary>
    public void Note(DateTimeOffset at, string note)
    {
        Span<byte> ticks = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(ticks, at.UtcTicks);
        _hash.AppendData(ticks);
        _hash.AppendData(System.Text.Encoding.UTF8.GetBytes(note));
        Entries++;
        _lines?.Add($"{at:HH:mm:ss.fffffff} {note}");
    }

    public void Dispose() => _hash.Dispose();

    private void AppendEndPoint(IPEndPoint endPoint)
    {
        Span<byte> bytes = stackalloc byte[16 + 2];
        endPoint.Address.TryWriteBytes(bytes, out var written);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[written..], (ushort)endPoint.Port);
        _hash.AppendData(bytes[..(written + 2)]);
    }
}
