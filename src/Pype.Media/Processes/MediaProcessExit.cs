namespace Pype.Media.Processes;

/// <summary>How an ffmpeg process ended when nobody asked it to: its exit code and last stderr lines.</summary>
public sealed record MediaProcessExit(string Role, int ExitCode, IReadOnlyList<string> LastErrorLines)
{
    public override string ToString() =>
        $"{Role} ffmpeg exited with code {ExitCode}" + (LastErrorLines.Count > 0 ? ": " + string.Join(" | ", LastErrorLines) : "");
}

/// <summary>An ffmpeg-backed device or source that could not be opened.</summary>
public sealed class MediaDeviceException(string message, Exception? inner = null) : Exception(message, inner);
