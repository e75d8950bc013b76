namespace Pype.Core.Turn;

/// <summary>Timers and choices of a <see cref="TurnClient"/>; the defaults follow RFC 8656.</summary>
public sealed record TurnClientOptions
{
    public static TurnClientOptions Default { get; } = new();

    /// <summary>Asked for in Allocate; null lets the server choose (RFC 8656 §3.9 default 600 s).</summary>
    public TimeSpan? RequestedLifetime { get; init; }

    /// <summary>Refresh this long before the allocation expires; lifetimes under twice this are refreshed at half-life.</summary>
    public TimeSpan RefreshMargin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>RFC 8656 §9: a permission lasts 300 s; we renew it after 240 s.</summary>
    public TimeSpan PermissionRefreshInterval { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>RFC 8656 §12: a channel binding lasts 600 s; we renew it after 540 s.</summary>
    public TimeSpan ChannelRefreshInterval { get; init; } = TimeSpan.FromSeconds(540);

    /// <summary>Bind a channel to every peer we send to, so data costs 4 bytes of overhead instead of 36 or more.</summary>
    public bool UseChannels { get; init; } = true;

    /// <summary>Stale-nonce retries in a row for one request before it counts as failed.</summary>
    public int MaxStaleNonceRetries { get; init; } = 3;

    /// <summary>Re-allocations after a loss that may fail in a row before the client gives up.</summary>
    public int MaxConsecutiveRestarts { get; init; } = 3;

    /// <summary>
    /// Liveness: when relayed data went out but nothing has come from the server (a response or
    /// relayed data) for this long, a Refresh asks whether the allocation is still there, so a
    /// restarted or dead server is noticed in seconds rather than at the next scheduled refresh.
    /// Null turns the probe off.
    /// </summary>
    public TimeSpan? ProbeAfterSilence { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A liveness probe not answered within this long counts as a lost allocation.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Every other request gives up after this long; null keeps RFC 8489's full 39.5 s schedule.
    /// An owner that retries on its own (with back-off, or on another server) wants it short.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Payload bound for Send and ChannelData, keeping every datagram under an Ethernet MTU.</summary>
    public int MaxPayloadLength { get; init; } = 1400;

    public string? Software { get; init; } = "pype";
}

public static class TurnLifetimes
{
    /// <summary>RFC 8656 §9.</summary>
    public static readonly TimeSpan Permission = TimeSpan.FromSeconds(300);

    /// <summary>RFC 8656 §12.</summary>
    public static readonly TimeSpan ChannelBinding = TimeSpan.FromSeconds(600);
}
