namespace Pype.Cli.Demo;

/// <summary>How <c>pype demo</c> runs: call length, where received media goes, how the remote video is shown.</summary>
public sealed record DemoOptions(TimeSpan Duration, string OutputDirectory, DemoVideoOut VideoOut, int Width, int Height)
{
    public static DemoOptions Default { get; } = new(TimeSpan.FromSeconds(20), "pype-demo", DemoVideoOut.Auto, 640, 480);
}

/// <summary>Where the called node shows the caller's video besides the file it writes.</summary>
public enum DemoVideoOut
{
    /// <summary>A window when a display exists, the terminal when the output is one, else nothing.</summary>
    Auto,
    Window,
    Terminal,
    None,
}
