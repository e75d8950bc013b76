namespace Pype.Core.Stun;

/// <summary>Retransmission over UDP, RFC 8489 §6.2.1, with the RFC's recommended defaults.</summary>
public static class StunRetransmission
{
    /// <summary>RTO: the first wait, doubled after every retransmission.</summary>
    public static readonly TimeSpan InitialRto = TimeSpan.FromMilliseconds(500);

    /// <summary>Rc: requests sent in total, the first one included.</summary>
    public const int MaxRequests = 7;

    /// <summary>Rm: after the last request, wait this many initial RTOs before giving up.</summary>
    public const int FinalWaitMultiplier = 16;
}
