namespace Pype.Media.Processes;

/// <summary>
/// Finds this process's children through /proc (Linux). FFMpegCore does not expose the ffmpeg
/// process it starts, so the adapters find it by a fragment of its command line (the unique
/// pipe name), to report its id and to let tests prove that nothing is left running.
/// </summary>
public static class ChildProcesses
{
    public sealed record ChildProcess(int Id, string Name, string CommandLine);

    public static IReadOnlyList<ChildProcess> List() => Of(Environment.ProcessId);

    /// <summary>The living children of any process (e.g. a node a test started).</summary>
    public static IReadOnlyList<ChildProcess> Of(int parent)
    {
        var children = new List<ChildProcess>();
        if (!Directory.Exists("/proc")) return children;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var id)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[0] == "Z" || int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != parent) continue;
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                children.Add(new ChildProcess(id, name, commandLine));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return children;
    }

    public static IReadOnlyList<ChildProcess> Named(string name) => List().Where(p => p.Name == name).ToList();

    public static int? FindByCommandLine(string fragment) => List().FirstOrDefault(p => p.CommandLine.Contains(fragment, StringComparison.Ordinal))?.Id;
}
