using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class MediaEndpointSpecTests
{
    [Theory]
    [InlineData("test", VideoSourceKind.TestPattern, "")]
    [InlineData(" none ", VideoSourceKind.None, "")]
    [InlineData("file:/tmp/a:b.mp4", VideoSourceKind.File, "/tmp/a:b.mp4")]
    [InlineData("V4L2:/dev/video0", VideoSourceKind.V4l2Camera, "/dev/video0")]
    public void Video_sources_parse_with_their_location(string text, VideoSourceKind kind, string location)
    {
        Assert.True(VideoSourceSpec.TryParse(text, out var spec, out _));
        Assert.Equal(new VideoSourceSpec(kind, location), spec);
    }

    [Theory]
    [InlineData("camera")]
    [InlineData("file:")]
    [InlineData("test:1")]
    [InlineData("v4l2")]
    [InlineData("")]
    public void Bad_video_sources_are_refused_with_the_choices(string text)
    {
        Assert.False(VideoSourceSpec.TryParse(text, out _, out var error));
        Assert.Contains("v4l2:/dev/videoN", error);
    }

    [Fact]
    public void Video_outputs_parse_terminal_size_and_need_a_y4m_file()
    {
        Assert.True(VideoSinkSpec.TryParse("terminal", out var terminal, out _));
        Assert.Equal((80, 24), (terminal.Columns, terminal.Rows));
        Assert.True(VideoSinkSpec.TryParse("terminal:120x40", out var sized, out _));
        Assert.Equal((VideoSinkKind.Terminal, 120, 40), (sized.Kind, sized.Columns, sized.Rows));
        Assert.True(VideoSinkSpec.TryParse("file:out/call.Y4M", out var file, out _));
        Assert.Equal(new VideoSinkSpec(VideoSinkKind.File, "out/call.Y4M"), file);
        Assert.True(VideoSinkSpec.TryParse("window", out var window, out _));
        Assert.Equal(VideoSinkKind.Window, window.Kind);
        Assert.False(VideoSinkSpec.TryParse("file:call.mp4", out _, out _));
        Assert.False(VideoSinkSpec.TryParse("terminal:0x10", out _, out _));
        Assert.False(VideoSinkSpec.TryParse("terminal:wide", out _, out var error));
        Assert.Contains("file:PATH.y4m", error);
    }

    [Fact]
    public void Audio_sources_parse_tones_files_and_devices()
    {
        Assert.True(AudioSourceSpec.TryParse("sine:440", out var sine, out _));
        Assert.Equal(new AudioSourceSpec(AudioSourceKind.Sine, FrequencyHz: 440), sine);
        Assert.True(AudioSourceSpec.TryParse("wav:/tmp/voice.wav", out var wav, out _));
        Assert.Equal(new AudioSourceSpec(AudioSourceKind.WavFile, "/tmp/voice.wav"), wav);
        Assert.True(AudioSourceSpec.TryParse("alsa:hw:0", out var alsa, out _));
        Assert.Equal(new AudioSourceSpec(AudioSourceKind.FfmpegDevice, "hw:0", DeviceFormat: "alsa"), alsa);
        Assert.True(AudioSourceSpec.TryParse("portaudio", out var portAudio, out _));
        Assert.Equal(AudioSourceKind.PortAudio, portAudio.Kind);
        Assert.False(AudioSourceSpec.TryParse("sine:0", out _, out _));
        Assert.False(AudioSourceSpec.TryParse("sine:24000", out _, out _));
        Assert.False(AudioSourceSpec.TryParse("sine:-5", out _, out _));
        Assert.False(AudioSourceSpec.TryParse("mic", out _, out var error));
        Assert.Contains("sine:HZ", error);
    }

    [Fact]
    public void Audio_outputs_need_a_wav_file()
    {
        Assert.True(AudioSinkSpec.TryParse("file:/tmp/b.wav", out var file, out _));
        Assert.Equal(new AudioSinkSpec(AudioSinkKind.WavFile, "/tmp/b.wav"), file);
        Assert.True(AudioSinkSpec.TryParse("none", out var none, out _));
        Assert.Equal(AudioSinkSpec.None, none);
        Assert.False(AudioSinkSpec.TryParse("file:/tmp/b.mp3", out _, out var error));
        Assert.Contains("file:PATH.wav", error);
    }
}
