using System.Diagnostics;
using Pype.Actors.Configuration;
using Pype.Actors.Storage;
using Pype.Cli;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Cli;

/// <summary>What lies in the data directory and the passphrase stays the owner's alone.</summary>
public class SecretsAtRestTests : IDisposable
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private readonly TempDirectory temp = new();

    /// <summary>Enforce sets this test process's umask too: put back the usual one for the tests that follow.</summary>
    public void Dispose()
    {
        _ = Umask(0b000_010_010);
        temp.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    [Fact]
    public void A_loose_data_directory_is_tightened_each_change_reported_once_and_new_files_are_owner_only()
    {
        var data = Path.Combine(temp.Path, "data");
        var archive = Path.Combine(data, IdentityStore.ArchiveFolderName);
        Directory.CreateDirectory(archive);
        File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(archive, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(data, "identity.key"), "key");
        File.SetUnixFileMode(Path.Combine(data, "identity.key"), (UnixFileMode)0b110_100_100);
        File.WriteAllText(Path.Combine(archive, "old.key"), "old");
        File.SetUnixFileMode(Path.Combine(archive, "old.key"), (UnixFileMode)0b110_110_110);

        var tightened = OwnerOnlyDataDirectory.Enforce(data);

        Assert.Equal(4, tightened.Count);
        Assert.Contains(tightened, line => line.StartsWith(data + " was readable by others (mode 0755)"));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(archive));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "identity.key")));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(archive, "old.key")));
        var created = Path.Combine(data, "created-after.db");
        File.WriteAllText(created, "");
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(created));
        Assert.Empty(OwnerOnlyDataDirectory.Enforce(data));
    }

    [Fact]
    public void A_symbolic_link_in_the_data_directory_is_not_followed()
    {
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        var outside = Path.Combine(temp.Path, "outside.txt");
        File.WriteAllText(outside, "not pype's");
        File.SetUnixFileMode(outside, (UnixFileMode)0b110_100_100);
        File.CreateSymbolicLink(Path.Combine(data, "link"), outside);

        OwnerOnlyDataDirectory.Enforce(data);

        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(outside));
    }

    [Fact]
    public void A_passphrase_file_others_can_read_is_refused_with_the_fix()
    {
        var file = Path.Combine(temp.Path, "pass");
        File.WriteAllText(file, "correct horse\n");
        File.SetUnixFileMode(file, (UnixFileMode)0b110_100_000);

        var refused = Assert.Throws<SettingsException>(() => Passphrase.Read(file, environmentValue: null));
        Assert.Contains("chmod 600", refused.Message);

        File.SetUnixFileMode(file, OwnerOnlyFile);
        Assert.Equal("correct horse", Passphrase.Read(file, environmentValue: null));
    }

    [Fact]
    public void The_passphrase_variable_is_read_once_and_not_inherited_by_child_processes()
    {
        Environment.SetEnvironmentVariable(Passphrase.EnvironmentVariable, "s3cret-for-children-test");
        try
        {
            Assert.Equal("s3cret-for-children-test", Passphrase.ReadAndForget(file: null));
            Assert.Null(Environment.GetEnvironmentVariable(Passphrase.EnvironmentVariable));

            using var child = Process.Start(new ProcessStartInfo("env") { RedirectStandardOutput = true })!;
            var environment = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Assert.DoesNotContain("s3cret-for-children-test", environment);
            Assert.DoesNotContain(Passphrase.EnvironmentVariable, environment);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Passphrase.EnvironmentVariable, null);
        }
    }
}
