using System.Globalization;

namespace Pype.Core.Media;

public enum VideoSourceKind { None, TestPattern, File, V4l2Camera }

public enum VideoSinkKind { None, Window, Terminal, File }

public enum AudioSourceKind { None, Sine, WavFile, PortAudio, FfmpegDevice }

public enum AudioSinkKind { None, PortAudio, WavFile }

/// <summary>Where a call's video comes from: <c>test | file:PATH | v4l2:DEVICE | none</c>.</summary>
public sealed record VideoSourceSpec(VideoSourceKind Kind, string Location = "")
{
    public static VideoSourceSpec None { get; } = new(VideoSourceKind.None);

    public static bool TryParse(string text, out VideoSourceSpec spec, out string error)
    {
        spec = None;
        var (kind, argument) = MediaSpecText.Split(text);
        error = "";
        switch (kind)
        {
            case "none" when argument is null: return true;
            case "test" when argument is null: spec = new(VideoSourceKind.TestPattern); return true;
            case "file" when !string.IsNullOrWhiteSpace(argument): spec = new(VideoSourceKind.File, argument); return true;
            case "v4l2" when !string.IsNullOrWhiteSpace(argument): spec = new(VideoSourceKind.V4l2Camera, argument); return true;
        }
        error = $"'{text}' is not a video source: use test, file:PATH, v4l2:/dev/videoN or none";
        return false;
    }
}

/// <summary>Where a call's received video goes: <c>window | terminal[:COLSxROWS] | file:PATH.y4m | none</c>.</summary>
public sealed record VideoSinkSpec(VideoSinkKind Kind, string Location = "", int Columns = VideoSinkSpec.DefaultColumns, int Rows = VideoSinkSpec.DefaultRows)
{
    public const int DefaultColumns = 80;
    public const int DefaultRows = 24;
    private const int MaxCells = 1000;

    public static VideoSinkSpec None { get; } = new(VideoSinkKind.None);

    public static bool TryParse(string text, out VideoSinkSpec spec, out string error)
    {
        spec = None;
        var (kind, argument) = MediaSpecText.Split(text);
        error = "";
        switch (kind)
        {
            case "none" when argument is null: return true;
            case "window" when argument is null: spec = new(VideoSinkKind.Window); return true;
            case "terminal" when argument is null: spec = new(VideoSinkKind.Terminal); return true;
            case "terminal" when TryCells(argument, out var columns, out var rows): spec = new(VideoSinkKind.Terminal, "", columns, rows); return true;
            case "file" when MediaSpecText.HasExtension(argument, ".y4m"): spec = new(VideoSinkKind.File, argument!); return true;
        }
        error = $"'{text}' is not a video output: use window, terminal, terminal:COLSxROWS, file:PATH.y4m or none";
        return false;
    }

    private static bool TryCells(string? text, out int columns, out int rows)
    {
        columns = rows = 0;
        var parts = (text ?? "").Split('x');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out columns)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out rows)
            && columns is >= 1 and <= MaxCells && rows is >= 1 and <= MaxCells;
    }
}

/// <summary>
/// Where a call's audio comes from: <c>sine:HZ | wav:PATH | portaudio | alsa:DEVICE | pulse:DEVICE | none</c>
/// (alsa and pulse are ffmpeg input devices; <see cref="Location"/> holds the device, <see cref="DeviceFormat"/> the ffmpeg format).
/// </summary>
public sealed record AudioSourceSpec(AudioSourceKind Kind, string Location = "", int FrequencyHz = 0, string DeviceFormat = "")
{
    /// <summary>Half of 48 kHz: the highest tone the sample rate carries.</summary>
    public const int MaxFrequencyHz = 24_000;

    public static AudioSourceSpec None { get; } = new(AudioSourceKind.None);

    public static bool TryParse(string text, out AudioSourceSpec spec, out string error)
    {
        spec = None;
        var (kind, argument) = MediaSpecText.Split(text);
        error = "";
        switch (kind)
        {
            case "none" when argument is null: return true;
            case "portaudio" when argument is null: spec = new(AudioSourceKind.PortAudio); return true;
            case "sine" when int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var hz) && hz is >= 1 and < MaxFrequencyHz:
                spec = new(AudioSourceKind.Sine, FrequencyHz: hz);
                return true;
            case "wav" when !string.IsNullOrWhiteSpace(argument): spec = new(AudioSourceKind.WavFile, argument); return true;
            case "alsa" or "pulse" when !string.IsNullOrWhiteSpace(argument): spec = new(AudioSourceKind.FfmpegDevice, argument, DeviceFormat: kind); return true;
        }
        error = $"'{text}' is not an audio source: use sine:HZ (1 to {MaxFrequencyHz - 1}), wav:PATH, portaudio, alsa:DEVICE, pulse:DEVICE or none";
        return false;
    }
}

/// <summary>Where a call's received audio goes: <c>portaudio | file:PATH.wav | none</c>.</summary>
public sealed record AudioSinkSpec(AudioSinkKind Kind, string Location = "")
{
    public static AudioSinkSpec None { get; } = new(AudioSinkKind.None);

    public static bool TryParse(string text, out AudioSinkSpec spec, out string error)
    {
        spec = None;
        var (kind, argument) = MediaSpecText.Split(text);
        error = "";
        switch (kind)
        {
            case "none" when argument is null: return true;
            case "portaudio" when argument is null: spec = new(AudioSinkKind.PortAudio); return true;
            case "file" when MediaSpecText.HasExtension(argument, ".wav"): spec = new(AudioSinkKind.WavFile, argument!); return true;
        }
        error = $"'{text}' is not an audio output: use portaudio, file:PATH.wav or none";
        return false;
    }
}

internal static class MediaSpecText
{
    /// <summary>"kind:argument" → (lower-case kind, argument); a path may itself hold colons.</summary>
    public static (string Kind, string? Argument) Split(string text)
    {
        var trimmed = text.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (trimmed.ToLowerInvariant(), null)
            : (trimmed[..colon].ToLowerInvariant(), trimmed[(colon + 1)..]);
    }

    public static bool HasExtension(string? path, string extension) =>
        !string.IsNullOrWhiteSpace(path) && path.Length > extension.Length && path.EndsWith(extension, StringComparison.OrdinalIgnoreCase);
}
