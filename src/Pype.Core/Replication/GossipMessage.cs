using Pype.Core.Identity;
using Pype.Core.Session;

namespace Pype.Core.Replication;

/// <summary>Which replicated set a gossip message is about.</summary>
public enum GossipStore : byte
{
    AddressBook = 1,
    CallList = 2,
}

/// <summary>
/// The gossip messages, one sealed record each; <see cref="GossipCodec"/> holds their exact byte
/// layout and docs/protocol/replication.md their meaning.
/// </summary>
public abstract record GossipMessage
{
    private GossipMessage()
    {
    }

    /// <summary>newPeerRequest: a joining node asks a neighbour to reconcile both sets with it now.</summary>
    public sealed record NewPeerRequest : GossipMessage;

    /// <summary>getAddressBook / getCallList: the items whose key starts with any of these 64-bit prefixes.</summary>
    public sealed record GetItems(GossipStore Store, IReadOnlyList<ulong> KeyPrefixes) : GossipMessage;

    /// <summary>The sixteen child summaries of the digest-tree node at (depth, prefix).</summary>
    public sealed record Digest(GossipStore Store, int Depth, ulong Prefix, IReadOnlyList<DigestSummary> Children) : GossipMessage;

    /// <summary>Every item the sender holds under the digest-tree node at (depth, prefix).</summary>
    public sealed record KeyList(GossipStore Store, int Depth, ulong Prefix, IReadOnlyList<KeyListEntry> Entries) : GossipMessage;

    /// <summary>Encoded records or call entries; a push is forwarded on by whoever accepts it, a reply is not.</summary>
    public sealed record Records(GossipStore Store, bool Push, IReadOnlyList<ReadOnlyMemory<byte>> Items) : GossipMessage;

    /// <summary>
    /// connect2call: the callee of a call it found in the call list asks the caller to connect
    /// back, giving its own candidates; signed by the callee so no one else can ask on its behalf.
    /// </summary>
    public sealed record Connect2Call(
        ReadOnlyMemory<byte> CalleePublicKey,
        HashAddress Caller,
        UInt128 CallId,
        DateTimeOffset Sent,
        IReadOnlyList<Candidate> Candidates,
        ReadOnlyMemory<byte> Signature) : GossipMessage
    {
        internal static ReadOnlySpan<byte> SigningDomain => "pype connect2call v1"u8;

        public HashAddress Callee => HashAddress.FromPublicKey(CalleePublicKey.Span);

        /// <summary>The callee's signed request for the call <paramref name="entry"/>.</summary>
        public static Connect2Call Create(IdentityKeyPair callee, CallListEntry entry, DateTimeOffset now, IReadOnlyList<Candidate> candidates)
        {
            var unsigned = new Connect2Call(callee.PublicKey, entry.Caller, entry.CallId, now, candidates, Array.Empty<byte>());
            return unsigned with { Signature = callee.Sign([.. SigningDomain, .. GossipCodec.Connect2CallBody(unsigned)]) };
        }

        public bool HasValidSignature() =>
            IdentityKeyPair.Verify(CalleePublicKey.Span, [.. SigningDomain, .. GossipCodec.Connect2CallBody(this)], Signature.Span);
    }
}
