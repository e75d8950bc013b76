using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class FrameDecimatorTests
{
    private static TimeSpan Frame(int index, double fps, double jitterMs = 0) =>
        TimeSpan.FromSeconds(index / fps) + TimeSpan.FromMilliseconds(jitterMs);

    private static List<int> Kept(FrameDecimator decimator, int frames, double sourceFps, int targetFps, Func<int, double>? jitter = null) =>
        Enumerable.Range(0, frames).Where(i => decimator.Admit(Frame(i, sourceFps, jitter?.Invoke(i) ?? 0), targetFps, (int)sourceFps)).ToList();

    [Fact]
    public void Thirty_frames_a_second_thinned_to_fifteen_keeps_every_other_frame()
    {
        var kept = Kept(new FrameDecimator(), 300, 30, 15);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => 2 * i), kept);
    }

    [Fact]
    public void Thirty_thinned_to_ten_keeps_every_third_frame()
    {
        var kept = Kept(new FrameDecimator(), 300, 30, 10);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 3 * i), kept);
    }

    [Fact]
    public void At_or_above_the_source_rate_every_frame_is_kept()
    {
        Assert.Equal(300, Kept(new FrameDecimator(), 300, 30, 30).Count);
        Assert.Equal(150, Kept(new FrameDecimator(), 150, 15, 30).Count);
    }

    [Fact]
    public void A_bursty_source_thinned_to_its_own_rate_loses_nothing()
    {
        // Every third of a second the source stalls: two frames leave it together 12 ms after the second's due time.
        var decimator = new FrameDecimator();
        TimeSpan Captured(int i) => i % 10 is 3 or 4 ? Frame(i - i % 10 + 4, 30, 12) : Frame(i, 30);
        var kept = Enumerable.Range(0, 300).Count(i => decimator.Admit(Captured(i), 30, 30));
        Assert.Equal(300, kept);
        Assert.Equal(0, decimator.Skipped);
    }

    [Fact]
    public void A_jittery_camera_is_thinned_evenly_without_drift()
    {
        // ±6 ms of capture jitter, deterministic: a 30 fps camera over 10 s to 15 fps.
        var random = new Random(7);
        var jitter = Enumerable.Range(0, 300).Select(_ => random.NextDouble() * 12 - 6).ToArray();
        var decimator = new FrameDecimator();
        var kept = Kept(decimator, 300, 30, 15, i => jitter[i]);
        Assert.InRange(kept.Count, 149, 151);
        var gaps = kept.Zip(kept.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 1, 3));
        Assert.True(gaps.Count(g => g == 2) >= 0.95 * gaps.Count, $"gaps: {string.Join(",", gaps)}");
        Assert.Equal((kept.Count, 300L - kept.Count), (decimator.Kept, decimator.Skipped));
    }

    [Fact]
    public void A_25_fps_source_thinned_to_15_keeps_three_frames_in_five()
    {
        var kept = Kept(new FrameDecimator(), 250, 25, 15);
        Assert.InRange(kept.Count, 149, 151);
    }

    [Fact]
    public void After_a_stall_the_grid_restarts_instead_of_letting_a_burst_through()
    {
        var decimator = new FrameDecimator();
        Assert.True(decimator.Admit(TimeSpan.Zero, 15, 30));
        Assert.False(decimator.Admit(TimeSpan.FromMilliseconds(33), 15, 30));
        // Nothing for a second, then frames 33 ms apart again: every other one, starting with the first.
        var after = Enumerable.Range(0, 10).Select(i => decimator.Admit(TimeSpan.FromMilliseconds(1000 + 33.3 * i), 15, 30)).ToList();
        Assert.Equal([true, false, true, false, true, false, true, false, true, false], after);
    }

    [Fact]
    public void A_new_rate_takes_effect_from_the_last_kept_frame()
    {
        var decimator = new FrameDecimator();
        var at30 = Enumerable.Range(0, 30).Count(i => decimator.Admit(Frame(i, 30), 30, 30));
        var at15 = Enumerable.Range(30, 30).Where(i => decimator.Admit(Frame(i, 30), 15, 30)).ToList();
        var back = Enumerable.Range(60, 30).Count(i => decimator.Admit(Frame(i, 30), 30, 30));
        Assert.Equal(30, at30);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => 31 + 2 * i), at15);
        Assert.Equal(30, back);
    }
}
