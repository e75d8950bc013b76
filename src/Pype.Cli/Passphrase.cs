using Pype.Actors.Configuration;

namespace Pype.Cli;

/// <summary>Where the key-file passphrase comes from: a file (first line) or PYPE_PASSPHRASE.
/// Never a command-line argument, which other users can read from the process list.</summary>
public static class Passphrase
{
    public const string EnvironmentVariable = "PYPE_PASSPHRASE";

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Reads the passphrase, then removes <see cref="EnvironmentVariable"/> from this process's
    /// environment, so no child process (ffmpeg, ffplay) inherits it and /proc/PID/environ of
    /// those children cannot show it.
    /// </summary>
    public static string? ReadAndForget(string? file)
    {
        var environmentValue = Environment.GetEnvironmentVariable(EnvironmentVariable);
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        return Read(file, environmentValue);
    }

    public static string? Read(string? file, string? environmentValue)
    {
        if (file is not null)
        {
            RefuseIfOthersCanAccess(file);
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SettingsException("--passphrase-file", $"cannot read '{file}': {ex.Message}");
            }
            var firstLine = text.Split('\n')[0].TrimEnd('\r');
            return firstLine.Length > 0 ? firstLine : throw new SettingsException("--passphrase-file", $"'{file}' holds no passphrase on its first line");
        }
        if (environmentValue is null) return null;
        return environmentValue.Length > 0 ? environmentValue : throw new SettingsException(EnvironmentVariable, "is set but empty");
    }

    /// <summary>A passphrase that group members or other users can read protects nothing: refuse it rather than use it.</summary>
    private static void RefuseIfOthersCanAccess(string file)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(file)) return;
        var mode = File.GetUnixFileMode(file);
        if ((mode & GroupOrOthers) != 0)
            throw new SettingsException("--passphrase-file",
                $"'{file}' can be read or changed by other users (mode {Convert.ToString((int)mode, 8)}); make it owner-only with: chmod 600 '{file}'");
    }
}
