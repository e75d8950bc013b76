using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Pype.Actors.Configuration;

/// <summary>
/// Builds the process configuration in precedence order: command-line overrides, then
/// environment variables, then config files (later files win), then the embedded reference.
/// Rejects unknown pype.* keys and values of the wrong kind, naming the key.
/// </summary>
public static class SettingsLoader
{
    public const string EnvironmentPrefix = "PYPE_";

    private static readonly Lazy<Config> reference = new(LoadReference);

    /// <summary>The embedded reference configuration: every pype.* key with its default.</summary>
    public static Config Reference => reference.Value;

    /// <summary>All pype.* leaf keys the reference defines.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } = LeafKeys(Reference.GetValue("pype"), "pype").ToList();

    public static string EnvironmentVariableFor(string key) =>
        key.ToUpperInvariant().Replace('.', '_').Replace('-', '_');

    /// <summary>Loads and validates. Throws <see cref="SettingsException"/> on any invalid input.</summary>
    public static (PypeSettings Settings, Config Config) Load(
        IEnumerable<string> configFiles,
        IReadOnlyDictionary<string, string> overrides,
        Func<string, string?> environment)
    {
        var userConfig = Config.Empty;
        foreach (var file in configFiles)
            userConfig = Layer(ParseFile(file), userConfig);

        var fromEnvironment = new Dictionary<string, string>();
        foreach (var key in KnownKeys)
            if (environment(EnvironmentVariableFor(key)) is { } value)
                fromEnvironment[key] = value;
        userConfig = Layer(FromAssignments(fromEnvironment, "environment variable"), userConfig);
        userConfig = Layer(FromAssignments(overrides, "command-line setting"), userConfig);

        RejectUnknownKeys(userConfig);
        var merged = Layer(userConfig, Reference);
        return (Bind(merged), merged);
    }

    /// <summary><paramref name="top"/> wins over <paramref name="below"/>; Akka refuses to layer
    /// an empty config over another empty one, so empties are skipped.</summary>
    private static Config Layer(Config top, Config below) =>
        top.IsEmpty ? below : below.IsEmpty ? top : top.WithFallback(below);

    private static Config ParseFile(string file)
    {
        if (!File.Exists(file)) throw new SettingsException("--config", $"file '{file}' does not exist");
        try
        {
            var text = File.ReadAllText(file);
            // Akka's parser quietly closes objects left open at the end of the file; a
            // truncated file must not start a process with half its settings.
            if (HoconStructure.FindUnbalanced(text) is { } problem)
                throw new SettingsException("--config", $"'{file}' is not valid HOCON: {problem}");
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex) when (ex is not SettingsException)
        {
            throw new SettingsException("--config", $"'{file}' is not valid HOCON: {ex.Message}");
        }
    }

    private static Config FromAssignments(IReadOnlyDictionary<string, string> assignments, string source)
    {
        var config = Config.Empty;
        foreach (var (key, value) in assignments)
        {
            if (!KnownKeys.Contains(key))
                throw new SettingsException(key, $"unknown setting (given as {source}); see docs/CONFIGURATION.md");
            // Quoted so any text survives HOCON parsing; typed binding below checks the value.
            var quoted = "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            config = Layer(ConfigurationFactory.ParseString($"{key} = {quoted}"), config);
        }
        return config;
    }

    private static void RejectUnknownKeys(Config userConfig)
    {
        if (userConfig.IsEmpty || !userConfig.HasPath("pype")) return;
        var pype = userConfig.GetValue("pype");
        if (!pype.IsObject()) throw new SettingsException("pype", "must be an object of settings");
        foreach (var key in LeafKeys(pype, "pype"))
            if (!KnownKeys.Contains(key))
                throw new SettingsException(key, "unknown setting; see docs/CONFIGURATION.md for the valid ones");
        foreach (var key in KnownKeys)
            if (userConfig.HasPath(key) && userConfig.GetValue(key).IsObject())
                throw new SettingsException(key, "must be a value, not an object");
    }

    private static IEnumerable<string> LeafKeys(HoconValue value, string path)
    {
        if (!value.IsObject()) { yield return path; yield break; }
        foreach (var (name, child) in value.GetObject().Items)
            foreach (var leaf in LeafKeys(child, path + "." + name))
                yield return leaf;
    }

    private static PypeSettings Bind(Config config) => new(
        DataDir: ReadPath(config, "pype.data-dir"),
        Events: ReadEnum(config, "pype.events", new Dictionary<string, EventsFormat> { ["text"] = EventsFormat.Text, ["json"] = EventsFormat.Json }),
        Identity: new IdentitySettings(
            Argon2OpsLimit: ReadInt(config, "pype.identity.argon2-ops-limit", 3, 16),
            Argon2MemoryMiB: ReadInt(config, "pype.identity.argon2-memory-mib", 8, 1024)),
        Node: new NodeSettings(
            Enabled: ReadBool(config, "pype.node.enabled"),
            Listen: ReadEndPoint(config, "pype.node.listen"),
            Seeds: SeedList.Read(config, "pype.node.seeds"),
            KeepaliveInterval: ReadDuration(config, "pype.node.keepalive-interval", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(25)),
            OverlayDegree: ReadInt(config, "pype.node.overlay-degree", 0, 64),
            PunchTimeout: ReadDuration(config, "pype.node.punch-timeout", TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1)),
            Replication: new ReplicationSettings(
                AddressBookCapacity: ReadInt(config, "pype.node.replication.address-book-capacity", 1000, 10_000_000),
                CallListCapacity: ReadInt(config, "pype.node.replication.call-list-capacity", 100, 1_000_000),
                AntiEntropyInterval: ReadDuration(config, "pype.node.replication.anti-entropy-interval", TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1)),
                ItemsPerSecondPerLink: ReadInt(config, "pype.node.replication.items-per-second-per-link", 1, 100_000)),
            Contacts: new ContactsSettings(
                SnapshotEvery: ReadInt(config, "pype.node.contacts.snapshot-every", 1, 100_000),
                SnapshotInterval: ReadDuration(config, "pype.node.contacts.snapshot-interval", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1))),
            Calls: new CallSettings(
                AutoAnswer: ReadBool(config, "pype.node.auto-answer"),
                RingingTimeout: ReadDuration(config, "pype.node.ringing-timeout", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)),
                PrepareMediaWhileRinging: ReadBool(config, "pype.node.prepare-media-while-ringing")),
            CandidateRanges: ReadEnum(config, "pype.node.candidate-ranges", new Dictionary<string, Pype.Core.Session.CandidateRanges>
            {
                ["public"] = Pype.Core.Session.CandidateRanges.Public,
                ["private"] = Pype.Core.Session.CandidateRanges.Private,
                ["lab"] = Pype.Core.Session.CandidateRanges.Lab,
            })),
        Seed: new SeedSettings(
            Enabled: ReadBool(config, "pype.seed.enabled"),
            Listen: ReadEndPoint(config, "pype.seed.listen"),
            KeepaliveInterval: ReadDuration(config, "pype.seed.keepalive-interval", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(25)),
            MaxPeers: ReadInt(config, "pype.seed.max-peers", 1, 10_000_000),
            Turn: ReadSeedTurn(config),
            Cluster: ReadCluster(config),
            HandshakesPerSecondBeforeCookies: ReadInt(config, "pype.seed.handshakes-per-second-before-cookies", 0, 10_000_000)),
        Media: MediaSettingsReader.Read(config));

    private static SeedClusterSettings ReadCluster(Config config)
    {
        var enabled = ReadBool(config, "pype.seed.cluster.enabled");
        var listen = ReadEndPoint(config, "pype.seed.cluster.listen");
        var members = ReadRaw(config, "pype.seed.cluster.members")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((member, i) => ParseEndPoint($"pype.seed.cluster.members[{i}]", member))
            .ToList();
        var certificate = ReadRaw(config, "pype.seed.cluster.tls.certificate");
        var password = ReadRaw(config, "pype.seed.cluster.tls.password");
        var suppress = ReadBool(config, "pype.seed.cluster.tls.suppress-validation");
        if (enabled)
        {
            if (listen.Port == 0 || listen.Address.Equals(System.Net.IPAddress.Any))
                throw new SettingsException("pype.seed.cluster.listen", "needs the address and port other seeds reach this one at (not 0.0.0.0, not port 0)");
            if (certificate.Length == 0)
                throw new SettingsException("pype.seed.cluster.tls.certificate", "seeds talk to each other only over TLS: name a PFX file with the certificate and its key");
            if (!File.Exists(certificate))
                throw new SettingsException("pype.seed.cluster.tls.certificate", $"file '{certificate}' does not exist");
        }
        return new SeedClusterSettings(enabled, listen, members, certificate, password, suppress);
    }

    private static SeedTurnSettings ReadSeedTurn(Config config)
    {
        var servers = ReadEndPointList(config, "pype.seed.turn.servers", Pype.Core.Seed.SeedRelayGrant.MaxServers);
        var secret = ReadRaw(config, "pype.seed.turn.secret");
        var lifetime = ReadDuration(config, "pype.seed.turn.credential-lifetime", Pype.Core.Seed.SeedRelayOptions.MinCredentialLifetime, TimeSpan.FromDays(7));
        if (servers.Count > 0 && secret.Length == 0)
            throw new SettingsException("pype.seed.turn.secret", "must be set (coturn's static-auth-secret) when pype.seed.turn.servers lists servers");
        return new SeedTurnSettings(servers, secret, lifetime);
    }

    /// <summary>A HOCON list of "IP:PORT" strings, or one string "IP:PORT,IP:PORT" (the form for --set and environment variables).</summary>
    private static IReadOnlyList<System.Net.IPEndPoint> ReadEndPointList(Config config, string key, int max)
    {
        var value = config.GetValue(key);
        // Akka's HOCON reports an empty list as neither array nor string.
        var items = value.IsArray() || value.Values is [Akka.Configuration.Hocon.HoconArray]
            ? value.GetArray().Select((item, i) => (Key: $"{key}[{i}]", Text: item.IsString() ? item.GetString().Trim() : throw new SettingsException($"{key}[{i}]", "must be an \"IP:PORT\" string")))
            : ReadRaw(config, key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select((text, i) => (Key: $"{key}[{i}]", Text: text));
        var endPoints = items.Select(item => ParseEndPoint(item.Key, item.Text)).ToList();
        if (endPoints.Count > max) throw new SettingsException(key, $"at most {max} servers");
        if (endPoints.FirstOrDefault(e => e.Port == 0) is { } zero) throw new SettingsException(key, $"{zero}: port 0 is not a server");
        return endPoints;
    }

    internal static string ReadRaw(Config config, string key)
    {
        var value = config.GetValue(key);
        if (value is null || value.IsObject() || value.IsArray())
            throw new SettingsException(key, "must be a single value");
        return value.GetString()?.Trim() ?? throw new SettingsException(key, "must not be null");
    }

    private static bool ReadBool(Config config, string key) => ReadRaw(config, key).ToLowerInvariant() switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        var other => throw new SettingsException(key, $"'{other}' is not on/off (true/false)"),
    };

    internal static int ReadInt(Config config, string key, int min, int max)
    {
        var raw = ReadRaw(config, key);
        if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
            throw new SettingsException(key, $"'{raw}' is not a whole number");
        if (value < min || value > max) throw new SettingsException(key, $"{value} is outside {min}..{max}");
        return value;
    }

    internal static TimeSpan ReadDuration(Config config, string key, TimeSpan min, TimeSpan max)
    {
        var raw = ReadRaw(config, key);
        var value = DurationText.TryParse(raw) ?? throw new SettingsException(key, $"'{raw}' is not a duration such as 500ms, 15s, 5m or 1h");
        if (value < min || value > max) throw new SettingsException(key, $"{raw} is outside {DurationText.Format(min)}..{DurationText.Format(max)}");
        return value;
    }

    private static T ReadEnum<T>(Config config, string key, IReadOnlyDictionary<string, T> choices)
    {
        var raw = ReadRaw(config, key);
        return choices.TryGetValue(raw.ToLowerInvariant(), out var value)
            ? value
            : throw new SettingsException(key, $"'{raw}' is not one of: {string.Join(", ", choices.Keys)}");
    }

    private static System.Net.IPEndPoint ReadEndPoint(Config config, string key) => ParseEndPoint(key, ReadRaw(config, key));

    internal static System.Net.IPEndPoint ParseEndPoint(string key, string raw)
    {
        return System.Net.IPEndPoint.TryParse(raw, out var endPoint) && raw.Contains(':')
            ? endPoint
            : throw new SettingsException(key, $"'{raw}' is not an IP:port endpoint such as 0.0.0.0:3478 or [::]:3478");
    }

    private static string ReadPath(Config config, string key)
    {
        var raw = ReadRaw(config, key);
        if (raw.Length == 0) throw new SettingsException(key, "must not be empty");
        if (raw == "~" || raw.StartsWith("~/", StringComparison.Ordinal))
            raw = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), raw.Length > 2 ? raw[2..] : "");
        try { return Path.GetFullPath(raw); }
        catch (Exception ex) { throw new SettingsException(key, $"'{raw}' is not a usable path: {ex.Message}"); }
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Pype.Actors.reference.conf")
            ?? throw new InvalidOperationException("the embedded reference.conf is missing from Pype.Actors");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
