using System.Diagnostics;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Video;

/// <summary>
/// Shows pictures in a window: ffplay reads raw yuv420p from its stdin (ffplay is not driven by
/// FFMpegCore, so this is a plain child process). Needs an X11 or Wayland display.
/// </summary>
public sealed class FfplayWindowSink : IVideoSink
{
    private readonly Process _ffplay;

    public FfplayWindowSink(int width, int height, int frameRate, string title = "Pype")
    {
        if (!DisplayAvailable) throw new MediaDeviceException("no display to open a video window on (neither DISPLAY nor WAYLAND_DISPLAY is set); use the terminal or a y4m file sink");
        (Width, Height) = (width, height);
        var start = new ProcessStartInfo("ffplay") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-hide_banner", "-loglevel", "error", "-fflags", "nobuffer", "-flags", "low_delay", "-framedrop",
                     "-window_title", title, "-f", "rawvideo", "-pixel_format", "yuv420p", "-video_size", $"{width}x{height}",
                     "-framerate", frameRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "pipe:0" })
            start.ArgumentList.Add(argument);
        _ffplay = Process.Start(start) ?? throw new MediaDeviceException("ffplay could not be started");
        _ffplay.ErrorDataReceived += (_, _) => { };
        _ffplay.BeginErrorReadLine();
    }

    public static bool DisplayAvailable =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));

    public int Width { get; }
    public int Height { get; }

    public async ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default)
    {
        if (_ffplay.HasExited) throw new MediaDeviceException($"the ffplay window closed (exit code {_ffplay.ExitCode})");
        await _ffplay.StandardInput.BaseStream.WriteAsync(frame.Yuv420p.AsMemory(0, VideoFrame.SizeOf(Width, Height)), cancel).ConfigureAwait(false);
        await _ffplay.StandardInput.BaseStream.FlushAsync(cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try { _ffplay.StandardInput.Close(); } catch (IOException) { }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _ffplay.WaitForExitAsync(wait.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { _ffplay.Kill(); }
        _ffplay.Dispose();
    }
}
