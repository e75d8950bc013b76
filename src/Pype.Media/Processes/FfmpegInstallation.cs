namespace Pype.Media.Processes;

/// <summary>
/// Whether the ffmpeg every video stage and most audio sources run is installed: looked up once
/// per process on PATH, as starting it would. Without it a call used to retry each stage eleven
/// times ("exited with code -1") and show nothing; now the session says once what is missing and
/// how to get it, and goes on with what needs no ffmpeg.
/// </summary>
public static class FfmpegInstallation
{
    private static readonly Lazy<string?> MissingOnPath = new(() => Missing(Environment.GetEnvironmentVariable("PATH")));

    /// <summary>Null when ffmpeg is on this process's PATH; otherwise what to tell the user.</summary>
    public static string? Problem => MissingOnPath.Value;

    /// <summary>Null when an ffmpeg is in one of <paramref name="path"/>'s folders; otherwise what to tell the user.</summary>
    public static string? Missing(string? path)
    {
        foreach (var folder in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(folder, "ffmpeg")))
                return null;
        }
        return "ffmpeg is not installed (no ffmpeg on PATH), so this call has no video and no audio from a tone, file or ffmpeg device; "
            + "install it (Debian/Ubuntu: sudo apt install ffmpeg) and call again";
    }
}
