using System.Net;

namespace Pype.Core.Seed;

/// <summary>
/// The TURN servers (coturn with <c>use-auth-secret</c>) a seed hands its registered nodes, and
/// the secret it shares with them to mint TURN REST credentials (<see cref="Turn.TurnRestCredentials"/>).
/// </summary>
public sealed record SeedRelayOptions(IReadOnlyList<IPEndPoint> Servers, string SharedSecret, TimeSpan CredentialLifetime)
{
    /// <summary>
    /// A node gets fresh credentials at every registration (rekeys included, every 2 min), so a
    /// lifetime well above that keeps one renewal in hand before the old credentials expire.
    /// </summary>
    public static readonly TimeSpan MinCredentialLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The secret never appears in logs, status or test output.</summary>
    public override string ToString() =>
        $"SeedRelayOptions {{ Servers = [{string.Join(", ", Servers)}], CredentialLifetime = {CredentialLifetime} }}";

    internal void Validate()
    {
        if (Servers.Count is 0 or > SeedRelayGrant.MaxServers || !Servers.All(SeedMessageCodec.IsEncodable))
            throw new ArgumentException($"relay servers: 1 to {SeedRelayGrant.MaxServers} IP:port endpoints");
        if (string.IsNullOrEmpty(SharedSecret))
            throw new ArgumentException("relay servers need the TURN shared secret");
        if (CredentialLifetime < MinCredentialLifetime)
            throw new ArgumentException($"relay credentials must live at least {MinCredentialLifetime}");
    }
}
