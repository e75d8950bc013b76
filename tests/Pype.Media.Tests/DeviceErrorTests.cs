using Pype.Media.Processes;
using Pype.Media.Video;

namespace Pype.Media.Tests;

public sealed class DeviceErrorTests : IDisposable
{
    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    [Fact]
    public async Task A_missing_v4l2_camera_fails_with_an_error_naming_the_device()
    {
        await using var camera = new V4l2CameraSource("/dev/video97", 640, 480, 30);
        var error = await Assert.ThrowsAsync<MediaDeviceException>(async () =>
        {
            await foreach (var _ in camera.ReadFramesAsync()) { }
        });
        Assert.Contains("/dev/video97", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task A_device_node_that_is_not_a_camera_fails_with_ffmpegs_reason()
    {
        await using var camera = new V4l2CameraSource("/dev/null", 640, 480, 30);
        var error = await Assert.ThrowsAsync<MediaDeviceException>(async () =>
        {
            await foreach (var _ in camera.ReadFramesAsync()) { }
        });
        Assert.Contains("/dev/null", error.Message);
    }

    [Fact]
    public async Task A_missing_video_file_fails_with_an_error_naming_the_file()
    {
        await using var file = new FileVideoSource("/nonexistent/clip.mp4", 320, 240, 30);
        var error = await Assert.ThrowsAsync<MediaDeviceException>(async () =>
        {
            await foreach (var _ in file.ReadFramesAsync()) { }
        });
        Assert.Contains("/nonexistent/clip.mp4", error.Message);
    }

    [Fact]
    public void A_window_sink_without_a_display_fails_with_a_clear_error()
    {
        if (FfplayWindowSink.DisplayAvailable) return; // a desktop session: nothing to prove here
        var error = Assert.Throws<MediaDeviceException>(() => new FfplayWindowSink(640, 480, 30));
        Assert.Contains("display", error.Message);
    }
}
