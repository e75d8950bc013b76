using Pype.Core.Media;
using Pype.Media.Audio;
using Pype.Media.Processes;
using Pype.Lab;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

public sealed class AudioTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    private static async Task<List<AudioFrame>> Sine(int hz, double seconds)
    {
        var frames = new List<AudioFrame>();
        await using var sine = new SineSource(hz, TimeSpan.FromSeconds(seconds), realTime: false);
        await foreach (var frame in sine.ReadFramesAsync()) frames.Add(frame);
        return frames;
    }

    [Fact]
    public async Task A_1_kHz_sine_through_opus_comes_out_of_the_wav_file_as_1_kHz()
    {
        using var dir = new TempDirectory();
        var frames = await Sine(1000, 2);
        Assert.Equal(100, frames.Count);
        var encoder = new OpusVoiceEncoder();
        var decoder = new OpusVoiceDecoder();
        await using (var wav = new WavFileSink(dir.File("tone.wav")))
            foreach (var frame in frames)
                await wav.PlayAsync(frame with { Samples = decoder.Decode(encoder.Encode(frame)) });

        var decoded = await MediaSignals.ReadWavAsync(dir.File("tone.wav"));
        Assert.Equal(frames.Count * AudioFormat.SamplesPerFrame, decoded.Length);
        Assert.Equal(1000, MediaSignals.DominantFrequency(decoded));
    }

    [Fact]
    public async Task With_one_packet_in_ten_lost_concealment_and_fec_keep_the_tone()
    {
        using var dir = new TempDirectory();
        var frames = await Sine(1000, 2);
        var encoder = new OpusVoiceEncoder(packetLossPercent: 10);
        var decoder = new OpusVoiceDecoder();
        var packets = frames.Select(encoder.Encode).ToList();
        var lost = Enumerable.Range(0, packets.Count).Where(i => i % 10 == 5).ToHashSet();
        var result = new List<short>();
        for (var i = 0; i < packets.Count; i++)
        {
            if (lost.Contains(i)) continue; // its audio is made when the next packet arrives (FEC) or concealed
            if (lost.Contains(i - 1))
            {
                var (recovered, current) = decoder.DecodeAfterLoss(packets[i]);
                result.AddRange(recovered);
                result.AddRange(current);
            }
            else result.AddRange(decoder.Decode(packets[i]));
        }
        Assert.Equal(frames.Count * AudioFormat.SamplesPerFrame, result.Count);
        var signal = result.ToArray();
        Assert.Equal(1000, MediaSignals.DominantFrequency(signal));
        // Each frame that was lost must still carry the tone, at about the strength of its neighbours.
        var reference = new OpusVoiceDecoder();
        var original = packets.SelectMany(p => reference.Decode(p)).ToArray(); // the same packets, none lost
        double FramePower(short[] audio, int i) => MediaSignals.Power(audio[(i * AudioFormat.SamplesPerFrame)..((i + 1) * AudioFormat.SamplesPerFrame)], 1000);
        var kept = lost.Order().Select(i => FramePower(signal, i) / FramePower(original, i)).ToList();
        output.WriteLine("lost frames' 1 kHz power against a lossless decode: " + string.Join(", ", kept.Select(k => k.ToString("P0"))));
        // Recovered frames are weaker copies (FEC is a low-rate SILK copy; where a packet has none, concealment fades),
        // yet never the silence a plain gap would leave.
        Assert.All(kept, k => Assert.InRange(k, 0.01, 4));
        Assert.InRange(kept.Average(), 0.1, 4);
    }

    [Fact]
    public void A_lost_packet_is_concealed_with_a_full_frame()
    {
        var decoder = new OpusVoiceDecoder();
        var encoder = new OpusVoiceEncoder();
        decoder.Decode(encoder.Encode(new AudioFrame(0, TimeSpan.Zero, new short[AudioFormat.SamplesPerFrame])));
        Assert.Equal(AudioFormat.SamplesPerFrame, decoder.Conceal().Length);
    }

    [Fact]
    public async Task PortAudio_capture_without_a_sound_device_fails_with_a_clear_error()
    {
        if (Directory.Exists("/dev/snd") && Directory.EnumerateFileSystemEntries("/dev/snd").Any()) return; // a machine with sound: not this check
        var error = await Assert.ThrowsAsync<MediaDeviceException>(async () =>
        {
            await foreach (var _ in new PortAudioCapture().ReadFramesAsync()) { }
        });
        output.WriteLine(error.Message);
        Assert.Contains("audio input", error.Message);
    }

    [Fact]
    public void PortAudio_playback_without_a_sound_device_fails_with_a_clear_error()
    {
        if (Directory.Exists("/dev/snd") && Directory.EnumerateFileSystemEntries("/dev/snd").Any()) return;
        var error = Assert.Throws<MediaDeviceException>(() => new PortAudioPlayback());
        output.WriteLine(error.Message);
        Assert.Contains("audio output", error.Message);
    }
}
