using System.Diagnostics;
using Pype.Media.Processes;
using Xunit;

namespace Pype.Testing;

/// <summary>Runs stock ffmpeg/ffprobe as a test oracle and checks that no ffmpeg child is left behind.</summary>
internal static class FfmpegTool
{
    public static (int ExitCode, string Output, string Errors) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    /// <summary>Waits briefly for ffmpeg children to be reaped, then fails if any remain.</summary>
    public static void AssertNoFfmpegChildren()
    {
        for (var i = 0; i < 40 && ChildProcesses.Named("ffmpeg").Count > 0; i++) Thread.Sleep(50);
        var left = ChildProcesses.List().Where(p => p.Name is "ffmpeg" or "ffplay").ToList();
        Assert.True(left.Count == 0, "ffmpeg processes left running: " + string.Join("; ", left.Select(p => $"{p.Id} {p.CommandLine}")));
    }
}
