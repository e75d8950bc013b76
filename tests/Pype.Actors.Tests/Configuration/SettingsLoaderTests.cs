using Pype.Actors.Configuration;
using Pype.Lab;
using Xunit;

namespace Pype.Actors.Tests.Configuration;

public class SettingsLoaderTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static readonly Dictionary<string, string> NoOverrides = [];

    public void Dispose() => dir.Dispose();

    private static string? NoEnvironment(string _) => null;

    private string ConfigFile(string hocon)
    {
        var path = dir.File($"c{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public void Reference_alone_gives_the_documented_defaults()
    {
        var (settings, _) = SettingsLoader.Load([], NoOverrides, NoEnvironment);
        Assert.Equal(EventsFormat.Text, settings.Events);
        Assert.True(settings.Node.Enabled);
        Assert.False(settings.Seed.Enabled);
        Assert.Equal(50, settings.Node.Contacts.SnapshotEvery);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Node.Contacts.SnapshotInterval);
        Assert.EndsWith(".pype", settings.DataDir);
        Assert.Equal(new ReplicationSettings(100_000, 10_000, TimeSpan.FromSeconds(3), 200), settings.Node.Replication);
        Assert.Equal(new Pype.Core.Seed.SeedServerOptions().HandshakesPerSecondBeforeCookies, settings.Seed.HandshakesPerSecondBeforeCookies);
    }

    [Fact]
    public void A_seed_under_attack_can_ask_every_initiator_for_a_cookie()
    {
        var (settings, _) = SettingsLoader.Load([ConfigFile("pype.seed.handshakes-per-second-before-cookies = 0")], NoOverrides, NoEnvironment);
        Assert.Equal(0, settings.Seed.HandshakesPerSecondBeforeCookies);
    }

    [Fact]
    public void Unknown_key_in_a_file_is_named_in_the_error()
    {
        var file = ConfigFile("pype.node.contacts.snapshot-evry = 3");
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([file], NoOverrides, NoEnvironment));
        Assert.Equal("pype.node.contacts.snapshot-evry", error.Key);
    }

    [Theory]
    [InlineData("pype.node.enabled = maybe", "pype.node.enabled")]
    [InlineData("pype.node.contacts.snapshot-every = 0", "pype.node.contacts.snapshot-every")]
    [InlineData("pype.node.contacts.snapshot-every = lots", "pype.node.contacts.snapshot-every")]
    [InlineData("pype.node.contacts.snapshot-interval = soon", "pype.node.contacts.snapshot-interval")]
    [InlineData("pype.events = xml", "pype.events")]
    [InlineData("pype.identity.argon2-memory-mib = 1", "pype.identity.argon2-memory-mib")]
    [InlineData("pype.node.contacts = 5", "pype.node.contacts")]
    [InlineData("pype.node.replication.address-book-capacity = 10", "pype.node.replication.address-book-capacity")]
    [InlineData("pype.data-dir = { a = 1 }", "pype.data-dir")]
    [InlineData("pype.node.candidate-ranges = everything", "pype.node.candidate-ranges")]
    [InlineData("pype.seed.handshakes-per-second-before-cookies = -1", "pype.seed.handshakes-per-second-before-cookies")]
    [InlineData("pype.seed.handshakes-per-second-before-cookies = many", "pype.seed.handshakes-per-second-before-cookies")]
    public void Invalid_value_is_named_in_the_error(string hocon, string key)
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([ConfigFile(hocon)], NoOverrides, NoEnvironment));
        Assert.StartsWith(key, error.Key);
    }

    [Fact]
    public void Broken_hocon_is_reported_against_the_file()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([ConfigFile("pype { node { ")], NoOverrides, NoEnvironment));
        Assert.Equal("--config", error.Key);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([dir.File("absent.conf")], NoOverrides, NoEnvironment));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Environment_overrides_files_and_flags_override_environment()
    {
        var file = ConfigFile("pype.node.contacts.snapshot-every = 7\npype.events = json");
        var environment = new Dictionary<string, string> { ["PYPE_NODE_CONTACTS_SNAPSHOT_EVERY"] = "8", ["PYPE_EVENTS"] = "text" };
        var (fromEnv, _) = SettingsLoader.Load([file], NoOverrides, environment.GetValueOrDefault);
        Assert.Equal(8, fromEnv.Node.Contacts.SnapshotEvery);
        Assert.Equal(EventsFormat.Text, fromEnv.Events);

        var flags = new Dictionary<string, string> { ["pype.node.contacts.snapshot-every"] = "9" };
        var (fromFlags, _) = SettingsLoader.Load([file], flags, environment.GetValueOrDefault);
        Assert.Equal(9, fromFlags.Node.Contacts.SnapshotEvery);
    }

    [Fact]
    public void Later_config_file_wins_over_earlier_one()
    {
        var first = ConfigFile("pype.node.contacts.snapshot-every = 7");
        var second = ConfigFile("pype.node.contacts.snapshot-every = 11");
        var (settings, _) = SettingsLoader.Load([first, second], NoOverrides, NoEnvironment);
        Assert.Equal(11, settings.Node.Contacts.SnapshotEvery);
    }

    [Fact]
    public void Unknown_override_key_is_rejected()
    {
        var flags = new Dictionary<string, string> { ["pype.nod.enabled"] = "on" };
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([], flags, NoEnvironment));
        Assert.Equal("pype.nod.enabled", error.Key);
    }

    [Fact]
    public void Environment_variable_names_follow_the_key()
    {
        Assert.Equal("PYPE_NODE_CONTACTS_SNAPSHOT_EVERY", SettingsLoader.EnvironmentVariableFor("pype.node.contacts.snapshot-every"));
    }

    [Fact]
    public void Tilde_in_data_dir_means_home()
    {
        var flags = new Dictionary<string, string> { ["pype.data-dir"] = "~/somewhere" };
        var (settings, _) = SettingsLoader.Load([], flags, NoEnvironment);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "somewhere"), settings.DataDir);
    }

    [Fact]
    public void Shipped_hocon_files_are_valid()
    {
        // The cluster template names the operator's certificate: give it one that exists here.
        using var certificate = new TempDirectory();
        var pfx = certificate.File("seed-cluster.pfx");
        File.WriteAllBytes(pfx, [0]);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "hocon"), "*.conf"))
        {
            var overrides = Path.GetFileName(file) == "cluster-seed.conf"
                ? new Dictionary<string, string> { ["pype.seed.cluster.tls.certificate"] = pfx }
                : NoOverrides;
            SettingsLoader.Load([file], overrides, NoEnvironment);
        }
    }

    [Fact]
    public void A_cluster_needs_a_reachable_address_and_a_certificate()
    {
        var enabled = new Dictionary<string, string> { ["pype.seed.enabled"] = "on", ["pype.seed.cluster.enabled"] = "on", ["pype.seed.cluster.listen"] = "10.0.0.1:4053" };
        Assert.Equal("pype.seed.cluster.tls.certificate", Assert.Throws<SettingsException>(() => SettingsLoader.Load([], enabled, NoEnvironment)).Key);
        var anywhere = new Dictionary<string, string>(enabled) { ["pype.seed.cluster.listen"] = "0.0.0.0:4053" };
        Assert.Equal("pype.seed.cluster.listen", Assert.Throws<SettingsException>(() => SettingsLoader.Load([], anywhere, NoEnvironment)).Key);
        var badMember = new Dictionary<string, string>(enabled) { ["pype.seed.cluster.members"] = "10.0.0.1:4053,nowhere" };
        Assert.StartsWith("pype.seed.cluster.members", Assert.Throws<SettingsException>(() => SettingsLoader.Load([], badMember, NoEnvironment)).Key);
    }

    [Fact]
    public void Candidate_ranges_default_to_private_and_the_test_overlay_sets_lab()
    {
        Assert.Equal(Pype.Core.Session.CandidateRanges.Private, SettingsLoader.Load([], NoOverrides, NoEnvironment).Settings.Node.CandidateRanges);
        var overlay = Path.Combine(RepositoryRoot.Path, "hocon", "test-overlay.conf");
        Assert.Equal(Pype.Core.Session.CandidateRanges.Lab, SettingsLoader.Load([overlay], NoOverrides, NoEnvironment).Settings.Node.CandidateRanges);
        Assert.Equal(Pype.Core.Session.CandidateRanges.Public, SettingsLoader.Load([ConfigFile("pype.node.candidate-ranges = public")], NoOverrides, NoEnvironment).Settings.Node.CandidateRanges);
    }

    [Fact]
    public void Every_setting_is_documented()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "CONFIGURATION.md"));
        foreach (var key in SettingsLoader.KnownKeys)
            Assert.Contains($"`{key}`", doc);
    }

    [Fact]
    public void Seeds_are_read_from_a_hocon_list_or_a_single_string()
    {
        var key = Convert.ToHexStringLower(Pype.Core.Identity.IdentityKeyPair.Generate().PublicKey.Span);
        var list = ConfigFile($"pype.node.seeds = [ {{ endpoint = \"198.51.100.66:3478\", key = \"{key}\" }}, {{ endpoint = \"[2001:db8::1]:3479\", key = \"{key}\" }} ]");
        var (fromList, _) = SettingsLoader.Load([list], NoOverrides, NoEnvironment);
        Assert.Equal(["198.51.100.66:3478", "[2001:db8::1]:3479"], fromList.Node.Seeds.Select(s => s.EndPoint.ToString()));
        Assert.Equal(Convert.FromHexString(key), fromList.Node.Seeds[0].PublicKey.ToArray());

        var address = Pype.Core.Identity.IdentityKeyPair.Generate();
        var environment = new Dictionary<string, string> { ["PYPE_NODE_SEEDS"] = $"127.0.0.1:3478@{key}, 127.0.0.2:3478@{address.Address}" };
        var (fromString, _) = SettingsLoader.Load([], NoOverrides, environment.GetValueOrDefault);
        Assert.Equal(2, fromString.Node.Seeds.Count);
        Assert.Equal(address.PublicKey.ToArray(), fromString.Node.Seeds[1].PublicKey.ToArray());
    }

    [Theory]
    [InlineData("pype.node.seeds = [ { endpoint = \"1.2.3.4\", key = \"00\" } ]", "pype.node.seeds[0].endpoint")]
    [InlineData("pype.node.seeds = [ { endpoint = \"1.2.3.4:0\", key = \"00\" } ]", "pype.node.seeds[0].endpoint")]
    [InlineData("pype.node.seeds = [ { endpoint = \"1.2.3.4:5\", key = \"xyz\" } ]", "pype.node.seeds[0].key")]
    [InlineData("pype.node.seeds = [ { endpoint = \"1.2.3.4:5\" } ]", "pype.node.seeds[0].key")]
    [InlineData("pype.node.seeds = [ { endpoint = \"1.2.3.4:5\", key = \"k\", colour = red } ]", "pype.node.seeds[0].colour")]
    [InlineData("pype.node.seeds = \"1.2.3.4:5\"", "pype.node.seeds[0]")]
    public void Bad_seed_entries_name_the_entry_and_field(string hocon, string key)
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([ConfigFile(hocon)], NoOverrides, NoEnvironment));
        Assert.Equal(key, error.Key);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("15s", 15)]
    [InlineData("15", 15)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("2 d", 172800)]
    public void Durations_parse_like_hocon(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.TryParse(text));

    [Theory]
    [InlineData("")]
    [InlineData("m5")]
    [InlineData("5 fortnights")]
    [InlineData("1e308h")]
    public void Nonsense_durations_are_rejected(string text) => Assert.Null(DurationText.TryParse(text));
}
