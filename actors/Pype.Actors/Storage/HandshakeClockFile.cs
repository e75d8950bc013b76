using Akka.Event;
using Pype.Core.Noise;

namespace Pype.Actors.Storage;

/// <summary>
/// Where the node's <see cref="HandshakeClock"/> keeps its high-water mark between runs: one 12-byte
/// TAI64N label in the data directory, replaced as a whole (written beside, flushed, renamed), so a
/// crash mid-write leaves the previous mark. A file that cannot be read or makes no sense is
/// reported and the clock starts from the wall clock; a mark that cannot be written is reported
/// and the handshake goes ahead: a node that cannot write its data directory must still connect.
/// </summary>
public static class HandshakeClockFile
{
    public const string FileName = "handshake-clock";

    public static HandshakeClock Open(string dataDirectory, ILoggingAdapter log)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return new HandshakeClock(Load(path, log), mark => Save(path, mark, log));
    }

    private static Tai64NTimestamp? Load(string path, ILoggingAdapter log)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning("The handshake clock's mark in {0} cannot be read ({1}); handshake timestamps start from the wall clock", path, e.Message);
            return null;
        }
        if (Tai64NTimestamp.TryRead(bytes, out var mark) && mark.Nanoseconds < 1_000_000_000)
            return mark;
        log.Warning("The handshake clock's mark in {0} is not a TAI64N label ({1} bytes); handshake timestamps start from the wall clock", path, bytes.Length);
        return null;
    }

    private static void Save(string path, Tai64NTimestamp mark, ILoggingAdapter log)
    {
        var beside = path + ".new";
        try
        {
            using (var file = new FileStream(beside, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(mark.ToBytes());
                file.Flush(flushToDisk: true);
            }
            File.Move(beside, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning("The handshake clock's mark cannot be kept in {0} ({1}); after a restart with the clock set back, peers may refuse handshakes for a while", path, e.Message);
        }
    }
}
