using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Turn;

internal enum TurnRequestKind
{
    Allocate,
    Refresh,
    /// <summary>A Refresh with LIFETIME 0, sent by Stop: its outcome ends the client whatever it is.</summary>
    Deallocate,
    CreatePermission,
    ChannelBind,
}

/// <summary>
/// A request as the client means it, before authentication: the attributes that say what is
/// asked for. The transaction layer adds USERNAME, REALM, NONCE and MESSAGE-INTEGRITY, and builds
/// it again with a fresh transaction id when the server asks for a new nonce.
/// </summary>
internal sealed record TurnRequest(TurnRequestKind Kind, StunMethod Method, IReadOnlyList<StunAttribute> Body)
{
    public IPAddress? PermissionPeer { get; init; }
    public TurnChannel? Channel { get; init; }

    /// <summary>How long the transaction may take in all; null for the client's <see cref="TurnClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? TimeLimit { get; init; }

    public static TurnRequest Allocate(TurnClientOptions options)
    {
        var body = new List<StunAttribute> { new RequestedTransportAttribute(RequestedTransportAttribute.Udp) };
        if (options.RequestedLifetime is { } lifetime)
            body.Add(new LifetimeAttribute(Seconds(lifetime)));
        if (options.Software is { } software)
            body.Add(new SoftwareAttribute(software));
        return new TurnRequest(TurnRequestKind.Allocate, StunMethod.Allocate, body);
    }

    public static TurnRequest Refresh(TurnClientOptions options) =>
        new(TurnRequestKind.Refresh, StunMethod.Refresh,
            options.RequestedLifetime is { } lifetime ? [new LifetimeAttribute(Seconds(lifetime))] : []);

    /// <summary>A Refresh sent to learn whether the allocation still exists: answered quickly or taken as lost.</summary>
    public static TurnRequest Probe(TurnClientOptions options) => Refresh(options) with { TimeLimit = options.ProbeTimeout };

    public static TurnRequest Deallocate() =>
        new(TurnRequestKind.Deallocate, StunMethod.Refresh, [new LifetimeAttribute(0)]);

    /// <summary>The port is ignored by the server (RFC 8656 §9): permissions are per IP address.</summary>
    public static TurnRequest CreatePermission(IPAddress peer) =>
        new(TurnRequestKind.CreatePermission, StunMethod.CreatePermission, [new XorPeerAddressAttribute(new IPEndPoint(peer, 0))])
        {
            PermissionPeer = peer,
        };

    public static TurnRequest ChannelBind(TurnChannel channel) =>
        new(TurnRequestKind.ChannelBind, StunMethod.ChannelBind,
            [new ChannelNumberAttribute(channel.Number), new XorPeerAddressAttribute(channel.Peer)])
        {
            Channel = channel,
        };

    private static uint Seconds(TimeSpan lifetime) => (uint)Math.Clamp(lifetime.TotalSeconds, 0, uint.MaxValue);
}

/// <summary>How a request ended once authentication and nonce retries are behind it: a success response or a failure.</summary>
internal readonly record struct TurnOutcome(TurnRequest Request, ReceivedStunMessage? Success, TurnFailure? Failure);
