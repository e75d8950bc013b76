namespace Pype.Lab;

/// <summary>Exit code and combined stdout + stderr of a command run to completion.</summary>
public sealed record ExecResult(int ExitCode, string Output);
