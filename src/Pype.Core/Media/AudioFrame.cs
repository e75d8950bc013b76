namespace Pype.Core.Media;

/// <summary>20 ms of 48 kHz mono signed 16-bit audio, with its capture time on the media clock.</summary>
public sealed record AudioFrame(long Index, TimeSpan CaptureTime, short[] Samples);

/// <summary>The one audio format of a call: what Opus and RTP (RFC 7587) expect.</summary>
public static class AudioFormat
{
    public const int SampleRate = 48_000;
    public const int Channels = 1;
    public const int FrameMilliseconds = 20;
    public const int SamplesPerFrame = SampleRate / 1000 * FrameMilliseconds;
    public const int BytesPerSample = 2;
    public const int BytesPerFrame = SamplesPerFrame * BytesPerSample * Channels;

    public static TimeSpan FrameDuration { get; } = TimeSpan.FromMilliseconds(FrameMilliseconds);

    /// <summary>Little-endian s16 bytes into samples; the length must be a whole number of samples.</summary>
    public static short[] SamplesFromBytes(ReadOnlySpan<byte> pcm)
    {
        if (pcm.Length % BytesPerSample != 0) throw new ArgumentException("PCM length is not a whole number of samples", nameof(pcm));
        var samples = new short[pcm.Length / BytesPerSample];
        for (var i = 0; i < samples.Length; i++) samples[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(pcm[(2 * i)..]);
        return samples;
    }

    public static byte[] BytesFromSamples(ReadOnlySpan<short> samples)
    {
        var pcm = new byte[samples.Length * BytesPerSample];
        for (var i = 0; i < samples.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i), samples[i]);
        return pcm;
    }
}
