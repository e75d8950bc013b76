using System.Diagnostics;
using Pype.Core.Media;
using Pype.Media.Processes;
using Pype.Media.Video;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

public sealed class EncoderLifecycleTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    private static VideoFrame Frame(long index, int width = 640, int height = 480)
    {
        var yuv = new byte[VideoFrame.SizeOf(width, height)];
        for (var i = 0; i < width * height; i++) yuv[i] = (byte)((i + index * 7) % 200 + 20);
        yuv.AsSpan(width * height).Fill(128);
        FrameStamp.Write(yuv, width, height, index);
        return new VideoFrame(index, MediaClock.Now, width, height, yuv);
    }

    private static async Task<EncodedAccessUnit> Next(H264Encoder encoder) =>
        await encoder.AccessUnits.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

    [Fact]
    public async Task Killing_the_encoder_process_raises_the_death_event_and_a_restarted_encoder_works()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30));
        var died = new TaskCompletionSource<MediaProcessExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        encoder.Died += exit => died.TrySetResult(exit);
        encoder.Start();
        for (var i = 0; i < 5; i++)
        {
            encoder.Encode(Frame(i));
            Assert.Equal(i, (await Next(encoder)).FrameIndex);
        }
        var pid = encoder.ProcessId;
        Assert.NotNull(pid);
        Process.GetProcessById(pid.Value).Kill();

        var exit = await died.Task.WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine(exit.ToString());
        Assert.Equal("encoder", exit.Role);
        Assert.False(encoder.Encode(Frame(5)));

        encoder.Restart();
        encoder.Encode(Frame(6));
        var first = await Next(encoder);
        Assert.Equal(6, first.FrameIndex);
        Assert.True(first.IsKeyframe);
        Assert.NotEqual(pid, encoder.ProcessId);
    }

    /// <summary>
    /// A frame handed in while a killed process's output had closed but its exit was not yet seen
    /// used to spend a sequence number no process ever took, and access units, which go out in
    /// sequence order, stopped for good. Forty kills, frames coming 0–12 ms apart, so some arrive
    /// in that window (on a loaded machine the stall came within 1–33 kills).
    /// </summary>
    [Fact]
    public async Task An_encoder_killed_again_and_again_hands_out_access_units_after_every_restart()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30));
        encoder.Died += _ => encoder.Restart();
        encoder.Start();
        var indices = new List<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var unit in encoder.AccessUnits.ReadAllAsync())
                lock (indices) indices.Add(unit.FrameIndex);
        });
        int Received() { lock (indices) return indices.Count; }
        var next = 0L;
        for (var kill = 0; kill < 40; kill++)
        {
            var target = Received() + 10;
            var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (Received() < target)
            {
                Assert.True(DateTime.UtcNow < giveUpAt, $"after kill {kill} access units stopped at {Received()}");
                encoder.Encode(Frame(next++));
                await Task.Delay(Random.Shared.Next(0, 13));
            }
            if (encoder.ProcessId is { } pid) Process.GetProcessById(pid).Kill();
        }
        lock (indices)
            Assert.True(indices.Zip(indices.Skip(1)).All(pair => pair.Second > pair.First), "access units out of frame order");
    }

    [Fact]
    public async Task A_keyframe_request_makes_the_very_next_frame_an_idr_without_losing_a_frame()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30, KeyframeInterval: 600));
        encoder.Start();
        var units = new List<EncodedAccessUnit>();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 30; i++)
        {
            if (i == 15) encoder.RequestKeyframe();
            encoder.Encode(Frame(i));
            units.Add(await Next(encoder));
            await Task.Delay(10);
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), units.Select(u => u.FrameIndex));
        Assert.Equal([0L, 15L], units.Where(u => u.IsKeyframe).Select(u => u.FrameIndex));
        output.WriteLine($"keyframe access unit: {units[15].Data.Length} bytes, encode latency {units[15].EncodeLatency.TotalMilliseconds:F1} ms " +
                         $"(P-frames median {units.Where(u => !u.IsKeyframe).Select(u => u.EncodeLatency.TotalMilliseconds).Order().ElementAt(14):F1} ms)");
    }

    /// <summary>
    /// A standby that was only launched set x264 up on the first frame switched to it: on a busy
    /// machine the picture stood still for half a second at every bitrate change. It is ready only
    /// once it has encoded a frame of its own, which never leaves the encoder.
    /// </summary>
    [Fact]
    public async Task A_standby_is_ready_only_once_primed_and_its_priming_frame_never_leaves_the_encoder()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30, KeyframeInterval: 600));
        var ready = new SemaphoreSlim(0);
        encoder.StandbyReady += () => ready.Release();
        encoder.Start();
        Assert.False(encoder.IsStandbyReady); // the first standby waits for the first access unit
        var units = new List<EncodedAccessUnit>();
        for (var i = 0; i < 40; i++)
        {
            if (i is 10 or 25)
            {
                Assert.True(await ready.WaitAsync(TimeSpan.FromSeconds(15)), "the standby never became ready");
                Assert.True(encoder.IsStandbyReady);
                if (i == 25) encoder.Reconfigure(encoder.Settings with { BitrateKbps = 400 });
                if (i == 25) Assert.False(encoder.IsStandbyReady); // the new settings' standby is still starting
                if (i == 25) Assert.True(await ready.WaitAsync(TimeSpan.FromSeconds(15)), "the reconfigured standby never became ready");
                encoder.RequestKeyframe();
                Assert.False(encoder.IsStandbyReady); // the next standby starts behind the switch
            }
            encoder.Encode(Frame(i));
            units.Add(await Next(encoder));
        }
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), units.Select(u => u.FrameIndex));
        Assert.Equal([0L, 10L, 25L], units.Where(u => u.IsKeyframe).Select(u => u.FrameIndex));
        Assert.Equal(400, encoder.ActiveSettings.BitrateKbps);
        output.WriteLine($"IDR encode latency on a primed standby: {units[10].EncodeLatency.TotalMilliseconds:F1} and {units[25].EncodeLatency.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task After_its_frame_budget_a_process_hands_over_to_a_fresh_one_with_an_idr_and_no_frame_is_lost()
    {
        // A budget of 20 frames, rounded up to the keyframe interval of 10 (the default is 3600).
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30, KeyframeInterval: 10), framesPerProcess: 15);
        await using var decoder = new H264Decoder(640, 480);
        Assert.Equal(20, encoder.FramesPerProcess);
        encoder.Start();
        decoder.Start();
        var units = new List<EncodedAccessUnit>();
        var processes = new List<(int Frame, int? Pid)>();
        for (var i = 0; i < 90; i++)
        {
            encoder.Encode(Frame(i));
            if (encoder.ProcessId is { } pid && pid != processes.LastOrDefault().Pid) processes.Add((i, pid));
            units.Add(await Next(encoder));
            decoder.Decode(units[^1]);
            await Task.Delay(20); // about 30 a second, so the standby is warm by the time a budget is spent
        }
        output.WriteLine($"processes from frames {string.Join(", ", processes.Select(p => $"{p.Frame} (pid {p.Pid})"))}; handovers {encoder.ProcessHandovers}");

        Assert.Equal(Enumerable.Range(0, 90).Select(i => (long)i), units.Select(u => u.FrameIndex));
        Assert.True(encoder.ProcessHandovers >= 2, $"{encoder.ProcessHandovers} handovers in 90 frames");
        Assert.Equal(encoder.ProcessHandovers + 1, processes.Count);
        Assert.All(processes, p => Assert.True(units[p.Frame].IsKeyframe, $"frame {p.Frame}, the first of a process, is not an IDR"));
        Assert.All(processes.Zip(processes.Skip(1)), pair => Assert.True(pair.Second.Frame - pair.First.Frame >= 20, $"a process took over after {pair.Second.Frame - pair.First.Frame} frames"));
        for (var i = 0; i < 90; i++)
        {
            var decoded = await decoder.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(i, FrameStamp.Read(decoded.Frame.Yuv420p, 640, 480));
        }
    }

    [Fact]
    public async Task A_warmed_up_encoder_keeps_its_warm_up_frame_out_of_the_stream_and_starts_real_frames_with_an_idr_a_warmed_up_decoder_shows()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(640, 480, 30, KeyframeInterval: 600));
        await using var decoder = new H264Decoder(640, 480);
        encoder.Start(warmUp: true);
        decoder.Start();
        // The warm-up frame is encoded at once; give it time, then check nothing came out for it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(encoder.AccessUnits.TryPeek(out _), "the warm-up frame's access unit was handed out");

        var units = new List<EncodedAccessUnit>();
        for (var i = 0; i < 10; i++)
        {
            encoder.Encode(Frame(i));
            units.Add(await Next(encoder));
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), units.Select(u => u.FrameIndex));
        Assert.Equal([0L], units.Where(u => u.IsKeyframe).Select(u => u.FrameIndex));
        output.WriteLine($"first real frame after warm-up: {units[0].Data.Length} bytes, encoded in {units[0].EncodeLatency.TotalMilliseconds:F1} ms");

        // The warm-up keyframe is handed out on its own, and a decoder can warm up on it (here one
        // of another size, as a call's own encoder gives): its picture never comes out, and the
        // IDR alone starts the real stream — the warm-up frame is not needed to decode anything.
        var warmUp = await encoder.WarmUpAccessUnit.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(warmUp);
        Assert.True(warmUp.IsKeyframe);
        await using (var small = new H264Encoder(new H264EncoderSettings(320, 240, 30)))
        {
            small.Start(warmUp: true);
            Assert.True(decoder.WarmUp((await small.WarmUpAccessUnit.WaitAsync(TimeSpan.FromSeconds(15)))!));
        }
        foreach (var unit in units) decoder.Decode(unit);
        Assert.False(decoder.WarmUp(warmUp), "a warm-up keyframe was taken in the middle of a stream");
        for (var i = 0; i < 10; i++)
        {
            var decoded = await decoder.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(i, FrameStamp.Read(decoded.Frame.Yuv420p, 640, 480));
            Assert.Equal(i, decoded.Frame.Index);
        }
    }

    [Fact]
    public async Task A_720p_frame_encodes_and_decodes_with_its_stamp_intact()
    {
        await using var encoder = new H264Encoder(new H264EncoderSettings(1280, 720, 30));
        await using var decoder = new H264Decoder(1280, 720);
        encoder.Start();
        decoder.Start();
        var latencies = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            encoder.Encode(Frame(i, 1280, 720));
            var unit = await Next(encoder);
            latencies.Add(unit.EncodeLatency.TotalMilliseconds);
            decoder.Decode(unit);
            var decoded = await decoder.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(i, FrameStamp.Read(decoded.Frame.Yuv420p, 1280, 720));
        }
        output.WriteLine($"720p encode latency per frame: {VideoPipelineTests.Summary(latencies)}");
    }
}
