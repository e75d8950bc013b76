using Akka.TestKit.Xunit2;
using Pype.Actors.Storage;
using Pype.Core.Noise;
using Pype.Lab;
using Xunit;

namespace Pype.Actors.Tests.Storage;

public sealed class HandshakeClockFileTests : TestKit
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_node_restarted_with_its_clock_set_back_a_day_labels_above_what_it_handed_out_before()
    {
        using var dir = new TempDirectory();
        var before = HandshakeClockFile.Open(dir.Path, Sys.Log);
        var last = Enumerable.Range(0, 100).Select(s => before.Next(Start.AddSeconds(s))).Last();

        var kept = File.ReadAllBytes(Path.Combine(dir.Path, HandshakeClockFile.FileName));
        Assert.True(Tai64NTimestamp.TryRead(kept, out var mark) && mark >= last);
        Assert.False(File.Exists(Path.Combine(dir.Path, HandshakeClockFile.FileName + ".new")));

        var after = HandshakeClockFile.Open(dir.Path, Sys.Log);
        Assert.True(after.Next(Start.AddDays(-1)) > mark);
    }

    [Fact]
    public void A_mangled_mark_is_reported_and_the_clock_starts_from_the_wall_clock()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, HandshakeClockFile.FileName), "not a label");

        HandshakeClock? clock = null;
        EventFilter.Warning(contains: "is not a TAI64N label").ExpectOne(() => clock = HandshakeClockFile.Open(dir.Path, Sys.Log));

        var label = clock!.Next(Start);
        Assert.InRange(Tai64NTimestamp.From(Start).ToUnixNanoseconds() - label.ToUnixNanoseconds(), 0, (1L << 24) - 1);
        // The next reservation replaced the junk.
        Assert.Equal(Tai64NTimestamp.Length, new FileInfo(Path.Combine(dir.Path, HandshakeClockFile.FileName)).Length);
    }

    [Fact]
    public void A_mark_that_cannot_be_written_is_reported_and_the_handshake_still_gets_its_label()
    {
        using var dir = new TempDirectory();
        // A directory where the file should be: the rename fails, as on a read-only or full disk.
        Directory.CreateDirectory(Path.Combine(dir.Path, HandshakeClockFile.FileName));
        var clock = HandshakeClockFile.Open(dir.Path, Sys.Log);

        Tai64NTimestamp? label = null;
        EventFilter.Warning(contains: "cannot be kept").ExpectOne(() => label = clock.Next(Start));
        Assert.NotNull(label);
    }
}
