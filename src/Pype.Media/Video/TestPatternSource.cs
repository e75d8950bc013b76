using Pype.Core.Media;

namespace Pype.Media.Video;

/// <summary>FFmpeg's moving testsrc2 pattern at W×H@fps, each frame stamped with its index (<see cref="FrameStamp"/>) when at least <see cref="FrameStamp.MinimumWidth"/> wide.</summary>
public sealed class TestPatternSource(int width, int height, int frameRate) : FfmpegRawVideoSource(width, height, frameRate)
{
    protected override (string Input, string InputOptions) Input => ($"testsrc2=size={Width}x{Height}:rate={FrameRate}", "-f lavfi");

    protected override bool PaceToFrameRate => true;

    // A picture too narrow for the stamp goes out unstamped rather than failing the source.
    protected override void OnFrame(VideoFrame frame)
    {
        if (frame.Width >= FrameStamp.MinimumWidth) FrameStamp.Write(frame.Yuv420p, frame.Width, frame.Height, frame.Index);
    }
}

/// <summary>Any file ffmpeg reads, decoded, scaled to W×H, converted to fps and played in real time.</summary>
public sealed class FileVideoSource(string path, int width, int height, int frameRate) : FfmpegRawVideoSource(width, height, frameRate)
{
    protected override (string Input, string InputOptions) Input => (path, "");

    protected override bool PaceToFrameRate => true;

    protected override void Prepare()
    {
        if (!File.Exists(path)) throw new Processes.MediaDeviceException($"video file not found: {path}");
    }
}

/// <summary>
/// A V4L2 camera (/dev/videoN) read through ffmpeg's v4l2 input at the requested rate. The camera
/// is asked for <paramref name="captureWidth"/>×<paramref name="captureHeight"/> (W×H when not
/// given) and ffmpeg scales that to W×H, so a call can send less than the camera captures.
/// The device keeps its own time, so frames are not paced here.
/// </summary>
public sealed class V4l2CameraSource(string device, int width, int height, int frameRate, int? captureWidth = null, int? captureHeight = null)
    : FfmpegRawVideoSource(width, height, frameRate)
{
    public string Device { get; } = device;

    protected override (string Input, string InputOptions) Input =>
        (Device, $"-f v4l2 -framerate {FrameRate} -video_size {captureWidth ?? Width}x{captureHeight ?? Height}");

    protected override bool PaceToFrameRate => false;

    protected override void Prepare()
    {
        if (!File.Exists(Device))
            throw new Processes.MediaDeviceException($"no camera at {Device}: the device does not exist (is a V4L2 camera connected, and is this user in the 'video' group?)");
    }
}
