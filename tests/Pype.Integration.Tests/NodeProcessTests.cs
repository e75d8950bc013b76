using System.Text.Json;
using Pype.Core.Identity;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>Real `pype node` processes, driven over stdin as a script would.</summary>
public class NodeProcessTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private string[] NodeArgs(params string[] extra) =>
        ["node", "--config", RepositoryRoot.Hocon("node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
         "--data-dir", data.Path, "--events", "json", .. extra];

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public void Node_reports_ready_with_its_address_hash_and_startup_time()
    {
        using var node = PypeProcess.Start(NodeArgs());
        node.WaitFor("warning", where: w => Str(w, "message").Contains("passphrase"));
        var ready = node.WaitFor("ready");
        var address = Str(ready, "address");
        var parsed = Assert.IsType<AddressParseResult.Ok>(PypeAddress.Parse(address));
        Assert.Equal(HashAddress.FromPublicKey(parsed.PublicKey).ToString(), Str(ready, "hash"));
        Assert.True(ready.GetProperty("startup_ms").GetDouble() > 0);
        Assert.Equal("node", Str(ready, "role"));
        node.CloseInput();
        node.WaitFor("stopped", where: s => Str(s, "reason") == "end of input");
        Assert.Equal(0, node.WaitForExit(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Contacts_and_identity_survive_kill_9_and_restart()
    {
        var alice = IdentityKeyPair.Generate();
        var bob = IdentityKeyPair.Generate();
        string hash;
        using (var node = PypeProcess.Start(NodeArgs()))
        {
            hash = Str(node.WaitFor("ready"), "hash");
            node.Send($"add {alice.Address} alice");
            node.WaitFor("contact-added", where: e => Str(e, "name") == "alice");
            node.Send($"add {bob.Address}");
            var added = node.WaitFor("contact-added");
            Assert.Equal(bob.Hash.ToString(), Str(added, "hash"));
            node.Send("rename alice ally");
            node.WaitFor("contact-renamed");
            node.KillHard(); // acknowledged means journalled: nothing may be lost now
        }

        using var restarted = PypeProcess.Start(NodeArgs());
        Assert.Equal(hash, Str(restarted.WaitFor("ready"), "hash"));
        restarted.Send("contacts");
        var contacts = restarted.WaitFor("contacts").GetProperty("contacts").EnumerateArray()
            .Select(c => (Str(c, "name"), Str(c, "hash"))).OrderBy(c => c.Item1).ToList();
        Assert.Equal([("ally", alice.Hash.ToString()), ("peer-" + bob.Hash.ToString()[..8], bob.Hash.ToString())], contacts);
        restarted.Send("whoami");
        Assert.Equal(hash, Str(restarted.WaitFor("whoami"), "hash"));
    }

    [Fact]
    public void Malformed_commands_get_errors_and_the_node_keeps_serving()
    {
        using var node = PypeProcess.Start(NodeArgs());
        node.WaitFor("ready");
        var address = IdentityKeyPair.Generate().Address;
        var typo = address[..20] + (address[20] == 'q' ? 'p' : 'q') + address[21..];
        string[] bad = ["frobnicate", "add", $"add {typo} x", $"add {address[..^1]} y", "remove nobody", "rename a", new string('x', 5000), "add \u0000\u0001 z"];
        foreach (var line in bad)
        {
            node.Send(line);
            Assert.False(string.IsNullOrEmpty(Str(node.WaitFor("error"), "message")));
        }
        node.Send($"add {typo} x");
        Assert.Contains("mistyped", Str(node.WaitFor("error"), "message"));
        node.Send("whoami");
        node.WaitFor("whoami");
        node.Send("help");
        Assert.True(node.WaitFor("help").GetProperty("commands").GetArrayLength() >= 8);
    }

    [Fact]
    public void Adding_yourself_or_the_same_key_twice_is_refused()
    {
        using var node = PypeProcess.Start(NodeArgs());
        var own = Str(node.WaitFor("ready"), "address");
        node.Send($"add {own} me");
        Assert.Contains("own address", Str(node.WaitFor("error"), "message"));
        var alice = IdentityKeyPair.Generate().Address;
        node.Send($"add {alice} alice");
        node.WaitFor("contact-added");
        node.Send($"add {alice} again");
        Assert.Contains("already", Str(node.WaitFor("error"), "message"));
    }

    [Fact]
    public void Newkeys_rotates_identity_archives_the_old_key_and_keeps_contacts()
    {
        var alice = IdentityKeyPair.Generate();
        string oldHash, newHash, archived;
        using (var node = PypeProcess.Start(NodeArgs()))
        {
            oldHash = Str(node.WaitFor("ready"), "hash");
            var oldKeyFile = File.ReadAllBytes(data.File("identity.key"));
            node.Send($"add {alice.Address} alice");
            node.WaitFor("contact-added");
            node.Send("newkeys");
            var rotated = node.WaitFor("keys-rotated");
            newHash = Str(rotated, "hash");
            archived = Str(rotated, "archived_to");
            Assert.NotEqual(oldHash, newHash);
            Assert.Equal(oldHash, Str(rotated, "previous_hash"));
            Assert.Equal(oldKeyFile, File.ReadAllBytes(archived));
            node.Send("whoami");
            Assert.Equal(newHash, Str(node.WaitFor("whoami"), "hash"));
            node.Send("quit");
            node.WaitFor("stopped");
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archived));

        using var restarted = PypeProcess.Start(NodeArgs());
        Assert.Equal(newHash, Str(restarted.WaitFor("ready"), "hash"));
        restarted.Send("contacts");
        Assert.Equal("alice", Str(restarted.WaitFor("contacts").GetProperty("contacts")[0], "name"));
    }

    [Fact]
    public void Sigterm_shuts_down_cleanly_and_flushes_a_snapshot()
    {
        using (var node = PypeProcess.Start(NodeArgs()))
        {
            node.WaitFor("ready");
            node.Send($"add {IdentityKeyPair.Generate().Address} alice");
            node.WaitFor("contact-added");
            node.Signal("TERM");
            node.WaitFor("stopped", where: s => Str(s, "reason") == "signal");
            Assert.Equal(0, node.WaitForExit(TimeSpan.FromSeconds(20)));
        }
        using var restarted = PypeProcess.Start(NodeArgs());
        restarted.WaitFor("ready");
        restarted.Send("status");
        var status = restarted.WaitFor("status");
        Assert.Equal(1, status.GetProperty("contacts").GetInt32());
        Assert.Equal(0, status.GetProperty("events_since_snapshot").GetInt64());
    }

    [Fact]
    public void Key_file_is_owner_only_and_encrypted_with_a_passphrase()
    {
        var passphraseFile = data.File("passphrase.txt");
        File.WriteAllText(passphraseFile, "correct horse battery staple\n");
        File.SetUnixFileMode(passphraseFile, (UnixFileMode)0b110_100_100);
        var loose = PypeProcess.Run(NodeArgs("--passphrase-file", passphraseFile));
        Assert.Equal(2, loose.ExitCode);
        Assert.Contains("chmod 600", loose.Error);
        Assert.False(File.Exists(data.File("identity.key")));
        File.SetUnixFileMode(passphraseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string hash;
        using (var node = PypeProcess.Start(NodeArgs("--passphrase-file", passphraseFile)))
        {
            hash = Str(node.WaitFor("ready"), "hash");
            node.Send("whoami");
            Assert.True(node.WaitFor("whoami").GetProperty("key_encrypted").GetBoolean());
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.File("identity.key")));

        var keyBytes = File.ReadAllBytes(data.File("identity.key"));
        var wrong = PypeProcess.Run(NodeArgs(), environment: new Dictionary<string, string> { ["PYPE_PASSPHRASE"] = "wrong" });
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("wrong passphrase", wrong.Error);
        var missing = PypeProcess.Run(NodeArgs());
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("encrypted", missing.Error);
        Assert.Equal(keyBytes, File.ReadAllBytes(data.File("identity.key")));

        using var right = PypeProcess.Start(NodeArgs(), new Dictionary<string, string> { ["PYPE_PASSPHRASE"] = "correct horse battery staple" });
        Assert.Equal(hash, Str(right.WaitFor("ready"), "hash"));
    }

    [Fact]
    public void Corrupted_key_file_stops_start_up_and_is_left_untouched()
    {
        PypeProcess.Run(NodeArgs(), "quit\n");
        var path = data.File("identity.key");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var run = PypeProcess.Run(NodeArgs());
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("damaged", run.Error);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Corrupted_database_stops_start_up_and_is_left_untouched()
    {
        var first = PypeProcess.Run(NodeArgs(), $"add {IdentityKeyPair.Generate().Address} alice\nquit\n");
        Assert.Equal(0, first.ExitCode);
        var path = data.File("pype.db");
        var bytes = File.ReadAllBytes(path);
        for (var i = 0; i < 100; i++) bytes[i] = 0x5a; // destroys the SQLite header
        File.WriteAllBytes(path, bytes);
        var run = PypeProcess.Run(NodeArgs());
        Assert.Equal(4, run.ExitCode);
        Assert.Contains("damaged", run.Error);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Second_process_on_the_same_data_directory_is_refused()
    {
        using var node = PypeProcess.Start(NodeArgs());
        node.WaitFor("ready");
        var second = PypeProcess.Run(NodeArgs());
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("another Pype process", second.Error);
    }

    [Fact]
    public void Kill_9_in_the_middle_of_a_burst_keeps_every_acknowledged_contact()
    {
        var people = Enumerable.Range(0, 40).Select(_ => IdentityKeyPair.Generate()).ToList();
        var acknowledged = new List<string>();
        using (var node = PypeProcess.Start(NodeArgs("--set", "pype.node.contacts.snapshot-every=7")))
        {
            node.WaitFor("ready");
            for (var i = 0; i < people.Count; i++) node.Send($"add {people[i].Address} p{i}");
            for (var i = 0; i < 15; i++) acknowledged.Add(Str(node.WaitFor("contact-added"), "hash"));
            node.KillHard(); // while the rest of the burst is still being written
        }
        using var restarted = PypeProcess.Start(NodeArgs());
        restarted.WaitFor("ready");
        restarted.Send("contacts");
        var stored = restarted.WaitFor("contacts").GetProperty("contacts").EnumerateArray().Select(c => Str(c, "hash")).ToHashSet();
        Assert.Subset(stored, acknowledged.ToHashSet());
        Assert.Subset(people.Select(p => p.Hash.ToString()).ToHashSet(), stored);
    }
}
