using System.Text.Json;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>Start-up from HOCON as an operator runs it: valid and invalid files, verbs, flags.</summary>
public class ConfigurationProcessTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public void Unknown_setting_stops_start_up_with_exit_2_naming_the_key()
    {
        var conf = data.File("bad.conf");
        File.WriteAllText(conf, "pype { node { contacts { snapshot-evry = 3 } } }");
        var run = PypeProcess.Run(["node", "--config", conf, "--data-dir", data.Path]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("pype.node.contacts.snapshot-evry", run.Error);
        Assert.False(File.Exists(data.File("identity.key")));
    }

    [Fact]
    public void Invalid_value_from_environment_or_flag_names_the_key()
    {
        var env = PypeProcess.Run(["node", "--data-dir", data.Path], environment: new Dictionary<string, string> { ["PYPE_NODE_CONTACTS_SNAPSHOT_EVERY"] = "-1" });
        Assert.Equal(2, env.ExitCode);
        Assert.Contains("pype.node.contacts.snapshot-every", env.Error);
        var flag = PypeProcess.Run(["node", "--data-dir", data.Path, "--events", "yaml"]);
        Assert.Equal(2, flag.ExitCode);
        Assert.Contains("pype.events", flag.Error);
        var usage = PypeProcess.Run(["node", "--frobnicate"]);
        Assert.Equal(2, usage.ExitCode);
    }

    [Fact]
    public void Seed_and_node_run_in_one_process_from_the_shipped_config()
    {
        using var both = PypeProcess.Start(["node", "--config", RepositoryRoot.Hocon("seed-and-node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data.Path, "--events", "json"]);
        var seed = both.WaitFor("whoami", where: w => Str(w, "role") == "seed");
        Assert.Equal(64, Str(seed, "public_key").Length);
        var ready = both.WaitFor("ready");
        Assert.Equal("seed-and-node", Str(ready, "role"));
        Assert.NotEqual(Str(seed, "hash"), Str(ready, "hash"));
        // With no seeds of its own, the node joins the seed beside it.
        Assert.Equal(Str(ready, "seed_listen"), Str(both.WaitFor("seed-registered"), "seed"));
        both.Send("status");
        both.WaitFor("status", where: s => Str(s, "role") == "node" && s.GetProperty("seed_in_process").GetBoolean());
        both.WaitFor("status", where: s => Str(s, "role") == "seed");
        Assert.True(File.Exists(data.File("identity.key")));
        Assert.True(File.Exists(data.File("seed-identity.key")));
    }

    [Fact]
    public void Seed_alone_answers_whoami_and_status_and_refuses_node_commands()
    {
        using var seed = PypeProcess.Start(["seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--data-dir", data.Path, "--events", "json"]);
        var identity = seed.WaitFor("whoami");
        Assert.Equal("seed", Str(identity, "role"));
        Assert.Equal("seed", Str(seed.WaitFor("ready"), "role"));
        seed.Send("contacts");
        seed.WaitFor("error");
        seed.Send("status");
        Assert.Equal(Str(identity, "hash"), Str(seed.WaitFor("status"), "hash"));
        Assert.False(File.Exists(data.File("identity.key")));
    }

    [Fact]
    public void Text_mode_on_a_pipe_prints_plain_readable_lines()
    {
        var run = PypeProcess.Run(["node", "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data.Path], "whoami\ncontacts\nstatus\nbogus\n");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("address: pype1", run.Output);
        Assert.Contains("no contacts yet", run.Output);
        Assert.Contains("unknown command 'bogus'", run.Output);
        Assert.DoesNotContain("\u001b[", run.Output); // no colour codes into a pipe
    }

    [Fact]
    public void Keygen_creates_an_identity_once_and_never_overwrites_it()
    {
        var first = PypeProcess.Run(["keygen", "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data.Path]);
        Assert.Equal(0, first.ExitCode);
        // The test's temporary folder starts as 0755: keygen tightens it and says so.
        Assert.Contains("was readable by others", first.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.File("identity.key")));
        var bytes = File.ReadAllBytes(data.File("identity.key"));
        var second = PypeProcess.Run(["keygen", "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data.Path]);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("not changed", second.Output);
        Assert.Equal(bytes, File.ReadAllBytes(data.File("identity.key")));
        var address = first.Output.Split('\n').Single(l => l.StartsWith("address:"));
        Assert.Contains(address, second.Output);
    }
}
