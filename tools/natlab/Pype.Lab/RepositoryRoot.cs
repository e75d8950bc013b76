namespace Pype.Lab;

/// <summary>The folder holding Pype.sln, found from the running binaries upwards.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Hocon(string name) => System.IO.Path.Combine(Path, "hocon", name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Pype.sln"))) return dir.FullName;
        throw new InvalidOperationException("Pype.sln not found above " + AppContext.BaseDirectory);
    }
}
