using Pype.Actors.Configuration;

namespace Pype.Cli;

/// <summary>Where the key-file passphrase comes from: a file (first line) or PYPE_PASSPHRASE.
/// Never a command-line argument, which other users can read from the process list.</summary>
public static class Passphrase
{
    public static string? Read(string? file, string? environmentValue)
    {
        if (file is not null)
        {
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
        return environmentValue.Length > 0 ? environmentValue : throw new SettingsException("PYPE_PASSPHRASE", "is set but empty");
    }
}
