using Pype.Core.Identity;

namespace Pype.Core.Calls;

/// <summary>The queues and counters a <see cref="CallBook"/> and its sessions share.</summary>
internal sealed class CallOutbox
{
    private readonly long[] _drops = new long[Enum.GetValues<CallDropReason>().Length];

    public Queue<OutgoingCallMessage> Sends { get; } = new();

    /// <summary>Events with the peer of the call that raised them: call ids are the caller's choice, so only the pair names a call.</summary>
    public Queue<(HashAddress Peer, CallEvent Event)> Events { get; } = new();

    public long Retransmissions { get; private set; }

    public long DropCount(CallDropReason reason) => _drops[(int)reason];

    public void Drop(CallDropReason reason) => _drops[(int)reason]++;

    public void Send(HashAddress peer, CallMessage message) => Sends.Enqueue(new OutgoingCallMessage(peer, CallMessageCodec.Encode(message)));

    public void Resend(HashAddress peer, byte[] bytes)
    {
        Retransmissions++;
        Sends.Enqueue(new OutgoingCallMessage(peer, bytes));
    }

    public void Raise(HashAddress peer, CallEvent callEvent) => Events.Enqueue((peer, callEvent));
}
