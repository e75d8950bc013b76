namespace Pype.Actors.Seed;

/// <summary>Commands the console sends to the SeedGuardian.</summary>
public interface ISeedCommand;

public sealed record SeedWhoAmI : ISeedCommand;
public sealed record GetSeedStatus : ISeedCommand;

public sealed record SeedIdentityView(string PublicKeyHex, string Address, string Hash, bool KeyEncrypted, string KeyFile);
public sealed record SeedStatus(string Address, string Hash, TimeSpan Uptime, string DataDir, Transport.TransportStatus Transport, SeedServerStatus Server)
{
    /// <summary>Membership in the seed cluster, when it is enabled.</summary>
    public SeedClusterStatus? Cluster { get; init; }
}

public sealed record GetSeedServerStatus
{
    public static readonly GetSeedServerStatus Instance = new();
}

public sealed record SeedServerStatus(
    int RegisteredPeers,
    int Sessions,
    int PendingIntroductions,
    long IntroductionsMade,
    double IntroductionsPerSecond,
    long IntroductionsAbandoned,
    IReadOnlyDictionary<string, long> Drops,
    long RelayCredentialsIssued = 0)
{
    public int PeersElsewhereInCluster { get; init; }
    public long IntroductionsFromCluster { get; init; }

    /// <summary>Answered handshakes whose initiator has not yet sent a transport packet (counted in <see cref="Sessions"/> too).</summary>
    public int HalfOpenSessions { get; init; }

    /// <summary>Half-open sessions pushed out by newer ones: a handshake flood shows here first.</summary>
    public long HalfOpenEvictions { get; init; }

    /// <summary>Unregistered established sessions pushed out to make room for a newly established one.</summary>
    public long StrangerSessionEvictions { get; init; }

    /// <summary>Initiations that got as far as the Diffie-Hellman, the expensive part (cookies keep floods short of it).</summary>
    public long HandshakeDiffieHellmanRuns { get; init; }

    /// <summary>Source addresses the handshake rate limiter is tracking (bounded; the one unheard of longest makes room).</summary>
    public int RateLimitedAddresses { get; init; }
}
