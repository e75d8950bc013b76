namespace Pype.Tests.Shared;

/// <summary>A fresh folder under /tmp, removed when the test ends.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pype-test-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The folder holding Pype.sln, found from the test binaries upwards.</summary>
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
