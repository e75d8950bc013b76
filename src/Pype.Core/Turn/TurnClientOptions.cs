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
