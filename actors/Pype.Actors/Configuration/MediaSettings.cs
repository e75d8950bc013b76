using Akka.Configuration;
using Pype.Core.Media;

namespace Pype.Actors.Configuration;

/// <summary>pype.media: what a call sends and where what it receives goes.</summary>
public sealed record MediaSettings(VideoMediaSettings Video, AudioMediaSettings Audio)
{
    /// <summary>The reference defaults: test pattern 640x480@30 at 1.5 Mbit/s and a 440 Hz tone, nothing played.</summary>
    public static MediaSettings Default { get; } = new(
        new VideoMediaSettings(new VideoSourceSpec(VideoSourceKind.TestPattern), 640, 480, 30, 1500, TimeSpan.FromSeconds(2), VideoSinkSpec.None, VideoSinkSpec.None),
        new AudioMediaSettings(new AudioSourceSpec(AudioSourceKind.Sine, FrequencyHz: 440), AudioSinkSpec.None, AudioSinkSpec.None));
}

/// <summary>
/// Width, height, frame rate and bitrate are what this side captures and at most sends (the call's
/// limits may lower them); received video is decoded and shown at Width×Height, since the media
/// offer carries limits, not the sender's picture size.
/// </summary>
public sealed record VideoMediaSettings(
    VideoSourceSpec Source,
    int Width,
    int Height,
    int FrameRate,
    int BitrateKbps,
    TimeSpan KeyframeInterval,
    VideoSinkSpec Out,
    VideoSinkSpec? Record = null)
{
    /// <summary>True when received video must be decoded: it is shown or recorded.</summary>
    public bool DecodesReceived => Out.Kind != VideoSinkKind.None || (Record?.Kind ?? VideoSinkKind.None) != VideoSinkKind.None;
}

/// <summary>Audio in and out; <see cref="Record"/> keeps a copy of what is received besides playing it.</summary>
public sealed record AudioMediaSettings(AudioSourceSpec Source, AudioSinkSpec Out, AudioSinkSpec? Record = null);

/// <summary>Reads and checks pype.media.*; every error names its key.</summary>
internal static class MediaSettingsReader
{
    public static MediaSettings Read(Config config) => new(
        new VideoMediaSettings(
            Source: Parse<VideoSourceSpec>(config, "pype.media.video.source", VideoSourceSpec.TryParse),
            Width: EvenDimension(config, "pype.media.video.width"),
            Height: EvenDimension(config, "pype.media.video.height"),
            FrameRate: SettingsLoader.ReadInt(config, "pype.media.video.frame-rate", 1, Pype.Core.Calls.VideoLimits.MaxFrameRate),
            BitrateKbps: SettingsLoader.ReadInt(config, "pype.media.video.bitrate-kbps",
                (int)Pype.Core.Calls.VideoLimits.MinBitrate, (int)Pype.Core.Calls.VideoLimits.MaxBitrate),
            KeyframeInterval: SettingsLoader.ReadDuration(config, "pype.media.video.keyframe-interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)),
            Out: Parse<VideoSinkSpec>(config, "pype.media.video.out", VideoSinkSpec.TryParse),
            Record: FileOrNone(Parse<VideoSinkSpec>(config, "pype.media.video.record", VideoSinkSpec.TryParse), s => s.Kind is VideoSinkKind.File or VideoSinkKind.None, "pype.media.video.record", "file:PATH.y4m")),
        new AudioMediaSettings(
            Source: Parse<AudioSourceSpec>(config, "pype.media.audio.source", AudioSourceSpec.TryParse),
            Out: Parse<AudioSinkSpec>(config, "pype.media.audio.out", AudioSinkSpec.TryParse),
            Record: FileOrNone(Parse<AudioSinkSpec>(config, "pype.media.audio.record", AudioSinkSpec.TryParse), s => s.Kind is AudioSinkKind.WavFile or AudioSinkKind.None, "pype.media.audio.record", "file:PATH.wav")));

    private static T FileOrNone<T>(T spec, Func<T, bool> isFileOrNone, string key, string form) =>
        isFileOrNone(spec) ? spec : throw new SettingsException(key, $"records only to a file: {form} or none");

    private delegate bool TryParseSpec<T>(string text, out T spec, out string error);

    private static T Parse<T>(Config config, string key, TryParseSpec<T> tryParse)
    {
        var raw = SettingsLoader.ReadRaw(config, key);
        return tryParse(raw, out var spec, out var error) ? spec : throw new SettingsException(key, error);
    }

    /// <summary>yuv420p needs even sides; the bounds are a media offer's.</summary>
    private static int EvenDimension(Config config, string key)
    {
        var value = SettingsLoader.ReadInt(config, key, Pype.Core.Calls.VideoLimits.MinDimension, Pype.Core.Calls.VideoLimits.MaxDimension);
        return value % 2 == 0 ? value : throw new SettingsException(key, $"{value} is odd; yuv420p pictures need even sides");
    }
}
