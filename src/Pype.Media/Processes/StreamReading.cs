namespace Pype.Media.Processes;

internal static class StreamReading
{
    /// <summary>Fills <paramref name="buffer"/> completely; false on a clean end of stream before the first byte.</summary>
    public static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancel)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancel).ConfigureAwait(false);
            if (read == 0)
            {
                if (filled == 0) return false;
                throw new EndOfStreamException($"stream ended {buffer.Length - filled} bytes short of a whole frame");
            }
            filled += read;
        }
        return true;
    }
}
