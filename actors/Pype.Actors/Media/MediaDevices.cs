using Pype.Actors.Configuration;
using Pype.Core.Media;
using Pype.Media.Audio;
using Pype.Media.Processes;
using Pype.Media;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>Opens the adapters named by pype.media specs. Anything that cannot be opened throws <see cref="MediaDeviceException"/> naming it.</summary>
internal static class MediaDevices
{
    /// <summary>A tone source runs for as long as a call could: lavfi's sine needs a duration.</summary>
    private static readonly TimeSpan ToneDuration = TimeSpan.FromDays(1);

    public static IVideoSource OpenVideoSource(VideoSourceSpec spec, VideoSendFormat send, VideoMediaSettings configured) => spec.Kind switch
    {
        VideoSourceKind.TestPattern => new TestPatternSource(send.Width, send.Height, send.FrameRate),
        VideoSourceKind.File => new FileVideoSource(spec.Location, send.Width, send.Height, send.FrameRate),
        VideoSourceKind.V4l2Camera => new V4l2CameraSource(spec.Location, send.Width, send.Height, send.FrameRate, configured.Width, configured.Height),
        _ => throw new MediaDeviceException($"no video source configured ({spec.Kind})"),
    };

    public static IVideoSink OpenVideoSink(VideoSinkSpec spec, int width, int height, int frameRate) => spec.Kind switch
    {
        VideoSinkKind.Window => new FfplayWindowSink(width, height, frameRate),
        VideoSinkKind.Terminal => new AnsiTerminalSink(Console.Out, spec.Columns, spec.Rows),
        VideoSinkKind.File => Create(spec.Location, () => new Y4mFileSink(spec.Location, width, height, frameRate)),
        _ => new NullSink(),
    };

    /// <summary>The output and, when set, a recording beside it; either may be none.</summary>
    public static IVideoSink OpenVideoSinks(VideoSinkSpec output, VideoSinkSpec? record, int width, int height, int frameRate)
    {
        var shown = OpenVideoSink(output, width, height, frameRate);
        if (record is not { Kind: VideoSinkKind.File }) return shown;
        try
        {
            return new TeeVideoSink(shown, OpenVideoSink(record, width, height, frameRate));
        }
        catch
        {
            shown.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public static IAudioSink OpenAudioSinks(AudioSinkSpec output, AudioSinkSpec? record)
    {
        var recording = record is { Kind: AudioSinkKind.WavFile } ? OpenAudioSink(record) : null;
        if (output.Kind == AudioSinkKind.None) return recording!;
        try
        {
            var played = OpenAudioSink(output);
            return recording is null ? played : new TeeAudioSink(played, recording);
        }
        catch
        {
            recording?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public static IAudioSource OpenAudioSource(AudioSourceSpec spec) => spec.Kind switch
    {
        AudioSourceKind.Sine => new SineSource(spec.FrequencyHz, ToneDuration),
        AudioSourceKind.WavFile => new WavFileSource(spec.Location),
        AudioSourceKind.PortAudio => new PortAudioCapture(),
        AudioSourceKind.FfmpegDevice => new FfmpegDeviceAudioSource(spec.DeviceFormat, spec.Location),
        _ => throw new MediaDeviceException($"no audio source configured ({spec.Kind})"),
    };

    public static IAudioSink OpenAudioSink(AudioSinkSpec spec) => spec.Kind switch
    {
        AudioSinkKind.PortAudio => new PortAudioPlayback(),
        AudioSinkKind.WavFile => Create(spec.Location, () => new WavFileSink(spec.Location)),
        _ => throw new MediaDeviceException($"no audio output configured ({spec.Kind})"),
    };

    /// <summary>A file sink whose file cannot be created is a missing device, named by its path.</summary>
    private static T Create<T>(string path, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new MediaDeviceException($"cannot write {path}: {error.Message}", error);
        }
    }
}
