namespace Pype.Actors.Storage;

/// <summary>
/// Keeps the data directory readable by its owner alone, on every start: the directory and the
/// key archive 0700, every file in them 0600 (keys, database and its journals, lock). A directory
/// made by hand, restored from a backup or left by an older Pype with looser modes is tightened,
/// and what was tightened is reported so the owner knows it had been exposed.
/// </summary>
public static class OwnerOnlyDataDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates <paramref name="dataDirectory"/> if needed and tightens it, and sets the process's
    /// umask to 077 so that what it creates from now on (SQLite's database and its -wal and -shm
    /// files, recordings) is owner-only from its first byte. Returns one line per tightened path.
    /// </summary>
    public static IReadOnlyList<string> Enforce(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
            return [];
        }
        var tightened = new List<string>();
        if (!Directory.Exists(dataDirectory)) Directory.CreateDirectory(dataDirectory, DirectoryMode);
        else Tighten(dataDirectory, DirectoryMode, tightened);

        RestrictNewFiles();

        TightenContents(dataDirectory, tightened);
        var archive = Path.Combine(dataDirectory, IdentityStore.ArchiveFolderName);
        if (Directory.Exists(archive))
        {
            Tighten(archive, DirectoryMode, tightened);
            TightenContents(archive, tightened);
        }
        return tightened;
    }

    private static void RestrictNewFiles()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = SetUmask(0b000_111_111);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void TightenContents(string directory, List<string> tightened)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            // A symbolic link's own mode means nothing, and chmod would follow it out of the directory.
            if (new FileInfo(file).LinkTarget is not null) continue;
            Tighten(file, FileMode, tightened);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode wanted, List<string> tightened)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~wanted) == 0) return;
        File.SetUnixFileMode(path, mode & wanted);
        tightened.Add($"{path} was readable by others (mode {Octal(mode)}); it is now {Octal(mode & wanted)}");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
