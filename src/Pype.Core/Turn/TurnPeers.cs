using System.Net;

namespace Pype.Core.Turn;

/// <summary>
/// One permission the owner wants on the allocation. Null times mean "not installed": the client
/// asks for it at the next opportunity.
/// </summary>
internal sealed class TurnPermission(IPAddress peer)
{
    public IPAddress Peer { get; } = peer;
    public bool Pending { get; set; }
    public DateTimeOffset? RefreshAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    public bool IsDue(DateTimeOffset now) => !Pending && (RefreshAt is not { } at || now >= at);

    public void Reset()
    {
        Pending = false;
        RefreshAt = null;
        ExpiresAt = null;
    }
}

/// <summary>A channel number tied to one peer transport address (RFC 8656 §12).</summary>
internal sealed class TurnChannel(IPEndPoint peer, ushort number)
{
    public IPEndPoint Peer { get; } = peer;
    public ushort Number { get; } = number;
    public bool Pending { get; set; }
    public bool Refused { get; set; }
    public DateTimeOffset? RefreshAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    public bool IsBound(DateTimeOffset now) => ExpiresAt is { } expiry && now < expiry;

    public bool IsDue(DateTimeOffset now) => !Pending && !Refused && (RefreshAt is not { } at || now >= at);
}

/// <summary>The permissions and channels of one allocation, keyed the way the server keys them.</summary>
internal sealed class TurnPeers
{
    private readonly Dictionary<IPAddress, TurnPermission> _permissions = [];
    private readonly Dictionary<IPEndPoint, TurnChannel> _channelsByPeer = [];
    private readonly Dictionary<ushort, TurnChannel> _channelsByNumber = [];
    private ushort _nextChannel = ChannelData.FirstChannel;

    public IReadOnlyCollection<TurnPermission> Permissions => _permissions.Values;
    public IReadOnlyCollection<TurnChannel> Channels => _channelsByPeer.Values;

    public TurnPermission Permit(IPAddress peer)
    {
        if (!_permissions.TryGetValue(peer, out var permission))
            _permissions[peer] = permission = new TurnPermission(peer);
        return permission;
    }

    public bool IsPermitted(IPAddress peer) => _permissions.ContainsKey(peer);

    public void Forget(IPAddress peer) => _permissions.Remove(peer);

    public TurnChannel? ChannelFor(IPEndPoint peer) => _channelsByPeer.GetValueOrDefault(peer);

    public TurnChannel? ChannelNumbered(ushort number) => _channelsByNumber.GetValueOrDefault(number);

    /// <summary>
    /// Numbers are never reused within an allocation: RFC 8656 §12 forbids rebinding a number to
    /// another peer until well after it expired, and 4096 numbers outlast any call.
    /// </summary>
    public TurnChannel? AssignChannel(IPEndPoint peer)
    {
        if (_nextChannel > ChannelData.LastChannel)
            return null;
        var channel = new TurnChannel(peer, _nextChannel++);
        _channelsByPeer[peer] = channel;
        _channelsByNumber[channel.Number] = channel;
        return channel;
    }

    /// <summary>A new allocation knows none of the old one's permissions or channels; the wanted permissions stay wanted.</summary>
    public void ResetForNewAllocation()
    {
        foreach (var permission in _permissions.Values)
            permission.Reset();
        _channelsByPeer.Clear();
        _channelsByNumber.Clear();
        _nextChannel = ChannelData.FirstChannel;
    }

    public DateTimeOffset? NextDeadline()
    {
        DateTimeOffset? next = null;
        foreach (var permission in _permissions.Values)
        {
            next = Earliest(next, permission.Pending ? null : permission.RefreshAt);
            next = Earliest(next, permission.ExpiresAt);
        }
        foreach (var channel in _channelsByPeer.Values)
        {
            next = Earliest(next, channel.Pending || channel.Refused ? null : channel.RefreshAt);
            next = Earliest(next, channel.ExpiresAt);
        }
        return next;
    }

    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
