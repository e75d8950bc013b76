namespace Pype.Actors.Configuration;

public enum EventsFormat { Text, Json }

/// <summary>The validated pype.* settings a process runs with.</summary>
public sealed record PypeSettings(
    string DataDir,
    EventsFormat Events,
    IdentitySettings Identity,
    NodeSettings Node,
    SeedSettings Seed,
    MediaSettings Media);

public sealed record IdentitySettings(int Argon2OpsLimit, int Argon2MemoryMiB)
{
    public Pype.Core.Identity.KeyFileCost KeyFileCost => new((uint)Argon2OpsLimit, (uint)Argon2MemoryMiB * 1024 * 1024);
}

public sealed record NodeSettings(
    bool Enabled,
    System.Net.IPEndPoint Listen,
    IReadOnlyList<Pype.Core.Seed.SeedEndpoint> Seeds,
    TimeSpan KeepaliveInterval,
    int OverlayDegree,
    TimeSpan PunchTimeout,
    ReplicationSettings Replication,
    ContactsSettings Contacts,
    CallSettings Calls,
    Pype.Core.Session.CandidateRanges CandidateRanges = Pype.Core.Session.CandidateRanges.Private);

/// <summary>How the node takes calls: answer unattended, and how long a call may ring.</summary>
/// <param name="PrepareMediaWhileRinging">
/// Start capture, encoder and decoder when a call is placed or starts ringing here, held until the
/// answer, so the first picture does not wait for their start-up (pype.node.prepare-media-while-ringing).
/// </param>
public sealed record CallSettings(bool AutoAnswer, TimeSpan RingingTimeout, bool PrepareMediaWhileRinging = true);

public sealed record ReplicationSettings(int AddressBookCapacity, int CallListCapacity, TimeSpan AntiEntropyInterval, int ItemsPerSecondPerLink);


public sealed record ContactsSettings(int SnapshotEvery, TimeSpan SnapshotInterval);

/// <param name="HandshakesPerSecondBeforeCookies">Past this many initiations a second the seed answers those without a valid cookie (mac2) with a cookie reply instead of a Diffie-Hellman; 0 asks every initiator for one.</param>
public sealed record SeedSettings(bool Enabled, System.Net.IPEndPoint Listen, TimeSpan KeepaliveInterval, int MaxPeers, SeedTurnSettings Turn, SeedClusterSettings Cluster, int HandshakesPerSecondBeforeCookies = 1_000);

/// <summary>pype.seed.turn: TURN servers (coturn, use-auth-secret) the seed hands its nodes; no servers, no relays.</summary>
public sealed record SeedTurnSettings(IReadOnlyList<System.Net.IPEndPoint> Servers, string Secret, TimeSpan CredentialLifetime)
{
    /// <summary>The relay options for the seed core, or null when no servers are configured.</summary>
    public Pype.Core.Seed.SeedRelayOptions? ToRelayOptions() =>
        Servers.Count == 0 ? null : new Pype.Core.Seed.SeedRelayOptions(Servers, Secret, CredentialLifetime);

    /// <summary>The secret stays out of logs and status, whatever prints the settings.</summary>
    public override string ToString() =>
        $"SeedTurnSettings {{ Servers = [{string.Join(", ", Servers)}], Secret = {(Secret.Length == 0 ? "(none)" : "(set)")}, CredentialLifetime = {CredentialLifetime} }}";
}

/// <summary>
/// Several seeds as one Akka.Cluster (TLS between them): the registry of online peers is shared,
/// so a peer registered at one seed can be introduced to a peer registered at another.
/// </summary>
public sealed record SeedClusterSettings(
    bool Enabled,
    System.Net.IPEndPoint Listen,
    IReadOnlyList<System.Net.IPEndPoint> Members,
    string CertificatePath,
    string CertificatePassword,
    bool SuppressCertificateValidation);

/// <summary>A setting that stops start-up; <see cref="Key"/> names the offending pype.* key.</summary>
public sealed class SettingsException(string key, string problem) : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
    public string Problem { get; } = problem;
}
