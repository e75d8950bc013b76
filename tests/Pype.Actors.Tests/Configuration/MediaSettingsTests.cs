using Pype.Actors.Configuration;
using Pype.Core.Media;
using Pype.Lab;
using Xunit;

namespace Pype.Actors.Tests.Configuration;

public sealed class MediaSettingsTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static readonly Dictionary<string, string> NoOverrides = [];

    public void Dispose() => dir.Dispose();

    private static string? NoEnvironment(string _) => null;

    [Fact]
    public void Reference_media_settings_are_the_documented_defaults()
    {
        var (settings, _) = SettingsLoader.Load([], NoOverrides, NoEnvironment);
        Assert.Equal(MediaSettings.Default, settings.Media);
    }

    [Fact]
    public void Media_settings_come_from_a_file_the_environment_and_flags()
    {
        var file = dir.File("media.conf");
        File.WriteAllText(file, """
            pype.media {
              video { source = "v4l2:/dev/video2", width = 1280, height = 720, frame-rate = 25, bitrate-kbps = 2500, keyframe-interval = 1s, out = "terminal:100x30" }
              audio { source = "alsa:default", out = "file:/tmp/call.wav" }
            }
            """);
        var environment = new Dictionary<string, string> { ["PYPE_MEDIA_VIDEO_OUT"] = "file:/tmp/call.y4m" };
        var flags = new Dictionary<string, string> { ["pype.media.audio.source"] = "sine:880" };
        var (settings, _) = SettingsLoader.Load([file], flags, environment.GetValueOrDefault);
        var video = settings.Media.Video;
        Assert.Equal(new VideoSourceSpec(VideoSourceKind.V4l2Camera, "/dev/video2"), video.Source);
        Assert.Equal((1280, 720, 25, 2500, TimeSpan.FromSeconds(1)), (video.Width, video.Height, video.FrameRate, video.BitrateKbps, video.KeyframeInterval));
        Assert.Equal(new VideoSinkSpec(VideoSinkKind.File, "/tmp/call.y4m"), video.Out);
        Assert.Equal(new AudioSourceSpec(AudioSourceKind.Sine, FrequencyHz: 880), settings.Media.Audio.Source);
        Assert.Equal(new AudioSinkSpec(AudioSinkKind.WavFile, "/tmp/call.wav"), settings.Media.Audio.Out);
    }

    [Theory]
    [InlineData("pype.media.video.source", "camera", "not a video source")]
    [InlineData("pype.media.video.out", "file:out.mp4", "not a video output")]
    [InlineData("pype.media.video.width", "641", "odd")]
    [InlineData("pype.media.video.height", "8", "outside")]
    [InlineData("pype.media.video.frame-rate", "0", "outside")]
    [InlineData("pype.media.video.bitrate-kbps", "fast", "not a whole number")]
    [InlineData("pype.media.video.keyframe-interval", "10ms", "outside")]
    [InlineData("pype.media.audio.source", "sine:loud", "not an audio source")]
    [InlineData("pype.media.audio.out", "speaker", "not an audio output")]
    public void Bad_media_values_name_the_key(string key, string value, string problem)
    {
        var flags = new Dictionary<string, string> { [key] = value };
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([], flags, NoEnvironment));
        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.Problem);
    }
}
