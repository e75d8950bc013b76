using Pype.Actors.Node;
using Pype.Core.Calls;
using Pype.Core.Identity;

namespace Pype.Actors.Calls;

/// <summary>The node events and views a <see cref="CallDesk"/>'s events and calls become, in the words the console and its scripts read.</summary>
public static class CallNodeEvents
{
    public static NodeReply From(CallDeskEvent deskEvent)
    {
        var id = deskEvent.CallId.ToString("x32");
        return deskEvent switch
        {
            CallDeskEvent.Incoming incoming => new CallIncoming(id, incoming.Caller.ToString(),
                incoming.CallerPublicKey is { } key ? PypeAddress.Encode(key) : "",
                incoming.Source == IncomingCallSource.Direct ? "direct" : "call-list"),
            CallDeskEvent.Ringing ringing => new CallRinging(id, ringing.Peer?.ToString() ?? ""),
            CallDeskEvent.Established established => new CallEstablished(id, established.Peer.ToString(),
                established.Role == CallRole.Caller ? "caller" : "callee", established.SetupTime.TotalMilliseconds,
                VideoText(established.LocalMedia, established.RemoteMedia), "opus 48 kHz 20 ms"),
            CallDeskEvent.Ended ended => new CallEnded(id, ended.Peer?.ToString() ?? "", ReasonText(ended.Reason), ended.Duration),
            _ => throw new ArgumentOutOfRangeException(nameof(deskEvent), deskEvent, "a call desk event this node cannot name"),
        };
    }

    public static LiveCallView View(LiveCall call, DateTimeOffset now) => new(
        call.CallId.ToString("x32"), call.Peer.ToString(), call.PeerPublicKey is { } key ? PypeAddress.Encode(key) : "",
        call.Role == CallRole.Caller ? "caller" : "callee", call.Phase.ToString().ToLowerInvariant(), now - call.StartedAt);

    public static string ReasonText(CallEndReason reason) => reason switch
    {
        CallEndReason.Rejected => "rejected",
        CallEndReason.Busy => "busy",
        CallEndReason.HungUpLocal => "hung-up-here",
        CallEndReason.HungUpRemote => "hung-up-by-peer",
        CallEndReason.TimeoutRinging => "no-answer",
        CallEndReason.TimeoutNoAnswerFromPeer => "peer-unreachable",
        CallEndReason.Unsupported => "unsupported-media",
        CallEndReason.Superseded => "superseded",
        CallEndReason.ConnectionLost => "connection-lost",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static string VideoText(MediaOffer local, MediaOffer remote)
    {
        var limits = local.Limits.Intersect(remote.Limits);
        return $"h264 up to {limits.MaxWidth}x{limits.MaxHeight}@{limits.MaxFramesPerSecond} {limits.MaxKilobitsPerSecond} kbps";
    }
}
