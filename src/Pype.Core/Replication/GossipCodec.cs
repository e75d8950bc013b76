using System.Diagnostics.CodeAnalysis;
using Pype.Core.Identity;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Replication;

/// <summary>
/// Byte layout of the gossip messages, all big-endian, all starting with the session message
/// type and the gossip version (1). Every count and length is bounded and every message fits
/// <see cref="MaxMessageLength"/>; decoding rejects trailing bytes and never throws.
/// </summary>
public static class GossipCodec
{
    public const byte ProtocolVersion = 1;

    /// <summary>The plaintext a Noise transport packet carries within a 1,200-byte datagram.</summary>
    public const int MaxMessageLength = 1168;

    public const int MaxKeyPrefixes = 64;
    public const int MaxKeyListEntries = 40;
    public const int DigestLength = 2 + 1 + 1 + 8 + DigestTree.Fanout * 12;
    public const int RecordsHeaderLength = 2 + 1 + 1 + 1;
    private const int KeyListEntryLength = 24;

    public static byte[] Encode(GossipMessage message)
    {
        var buffer = new byte[MaxMessageLength];
        var writer = new WireWriter(buffer);
        writer.U8((byte)TypeOf(message));
        writer.U8(ProtocolVersion);
        switch (message)
        {
            case GossipMessage.NewPeerRequest:
                break;
            case GossipMessage.GetItems get:
                Require(get.KeyPrefixes.Count is > 0 and <= MaxKeyPrefixes, "1 to 64 key prefixes");
                writer.U8((byte)get.KeyPrefixes.Count);
                foreach (var prefix in get.KeyPrefixes) writer.U64(prefix);
                break;
            case GossipMessage.Digest digest:
                Require(digest.Depth < DigestTree.MaxDepth && DigestTree.IsValidNode(digest.Depth, digest.Prefix), "a digest node");
                Require(digest.Children.Count == DigestTree.Fanout, "sixteen children");
                WriteNode(ref writer, digest.Store, digest.Depth, digest.Prefix);
                foreach (var child in digest.Children)
                {
                    writer.U64(child.Fingerprint);
                    writer.U32(child.Count);
                }
                break;
            case GossipMessage.KeyList list:
                Require(DigestTree.IsValidNode(list.Depth, list.Prefix), "a digest node");
                Require(list.Entries.Count <= MaxKeyListEntries, "at most 40 entries");
                WriteNode(ref writer, list.Store, list.Depth, list.Prefix);
                writer.U8((byte)list.Entries.Count);
                foreach (var entry in list.Entries)
                {
                    writer.U64(entry.KeyPrefix);
                    writer.U64(entry.Version);
                    writer.U64(entry.Fingerprint);
                }
                break;
            case GossipMessage.Records records:
                Require(records.Items.Count is > 0 and <= byte.MaxValue, "1 to 255 items");
                Require(RecordsLength(records.Items) <= MaxMessageLength, "a records message within 1,168 bytes");
                writer.U8((byte)records.Store);
                writer.U8(records.Push ? (byte)1 : (byte)0);
                writer.U8((byte)records.Items.Count);
                foreach (var item in records.Items)
                {
                    writer.U16((ushort)item.Length);
                    writer.Bytes(item.Span);
                }
                break;
            case GossipMessage.Connect2Call connect:
                writer.Bytes(Connect2CallBody(connect));
                writer.Bytes(connect.Signature.Span);
                break;
        }

        return buffer[..writer.Offset];
    }

    /// <summary>The bytes a records message with these items takes.</summary>
    public static int RecordsLength(IEnumerable<ReadOnlyMemory<byte>> items) => RecordsHeaderLength + items.Sum(item => 2 + item.Length);

    public static bool TryDecode(ReadOnlySpan<byte> source, [NotNullWhen(true)] out GossipMessage? message)
    {
        message = null;
        if (source.Length is < 2 or > MaxMessageLength || source[1] != ProtocolVersion)
        {
            return false;
        }

        var reader = new WireReader(source[2..]);
        message = (SessionMessageType)source[0] switch
        {
            SessionMessageType.GossipNewPeerRequest => new GossipMessage.NewPeerRequest(),
            SessionMessageType.GossipGetAddressBook => ReadGet(ref reader, GossipStore.AddressBook),
            SessionMessageType.GossipGetCallList => ReadGet(ref reader, GossipStore.CallList),
            SessionMessageType.GossipDigest => ReadDigest(ref reader),
            SessionMessageType.GossipKeyList => ReadKeyList(ref reader),
            SessionMessageType.GossipRecords => ReadRecords(ref reader),
            SessionMessageType.GossipConnect2Call => ReadConnect2Call(ref reader),
            _ => null,
        };
        if (message is null || !reader.AtEnd)
        {
            message = null;
            return false;
        }

        return true;
    }

    internal static byte[] Connect2CallBody(GossipMessage.Connect2Call connect)
    {
        var body = new byte[IdentityKeyPair.PublicKeyLength + HashAddress.Length + 16 + 8 + CandidateCodec.MaxEncodedLength];
        var writer = new WireWriter(body);
        writer.Bytes(connect.CalleePublicKey.Span);
        connect.Caller.CopyTo(writer.Rest);
        writer.Advance(HashAddress.Length);
        writer.U64((ulong)(connect.CallId >> 64));
        writer.U64((ulong)connect.CallId);
        writer.Time(connect.Sent);
        writer.Candidates(connect.Candidates);
        return body[..writer.Offset];
    }

    private static SessionMessageType TypeOf(GossipMessage message) => message switch
    {
        GossipMessage.NewPeerRequest => SessionMessageType.GossipNewPeerRequest,
        GossipMessage.GetItems { Store: GossipStore.AddressBook } => SessionMessageType.GossipGetAddressBook,
        GossipMessage.GetItems => SessionMessageType.GossipGetCallList,
        GossipMessage.Digest => SessionMessageType.GossipDigest,
        GossipMessage.KeyList => SessionMessageType.GossipKeyList,
        GossipMessage.Records => SessionMessageType.GossipRecords,
        GossipMessage.Connect2Call => SessionMessageType.GossipConnect2Call,
        _ => throw new ArgumentException("not a gossip message", nameof(message)),
    };

    private static void WriteNode(ref WireWriter writer, GossipStore store, int depth, ulong prefix)
    {
        writer.U8((byte)store);
        writer.U8((byte)depth);
        writer.U64(prefix);
    }

    private static bool TryReadNode(ref WireReader reader, out GossipStore store, out int depth, out ulong prefix)
    {
        store = (GossipStore)reader.U8();
        depth = reader.U8();
        prefix = reader.U64();
        return !reader.Failed && Enum.IsDefined(store) && DigestTree.IsValidNode(depth, prefix);
    }

    private static GossipMessage.GetItems? ReadGet(ref WireReader reader, GossipStore store)
    {
        var count = reader.U8();
        if (count is 0 or > MaxKeyPrefixes) return null;
        var prefixes = new ulong[count];
        for (var i = 0; i < count; i++) prefixes[i] = reader.U64();
        return reader.Failed ? null : new GossipMessage.GetItems(store, prefixes);
    }

    private static GossipMessage.Digest? ReadDigest(ref WireReader reader)
    {
        if (!TryReadNode(ref reader, out var store, out var depth, out var prefix) || depth >= DigestTree.MaxDepth) return null;
        var children = new DigestSummary[DigestTree.Fanout];
        for (var i = 0; i < children.Length; i++) children[i] = new DigestSummary(reader.U64(), reader.U32());
        return reader.Failed ? null : new GossipMessage.Digest(store, depth, prefix, children);
    }

    private static GossipMessage.KeyList? ReadKeyList(ref WireReader reader)
    {
        if (!TryReadNode(ref reader, out var store, out var depth, out var prefix)) return null;
        var count = reader.U8();
        if (count > MaxKeyListEntries || reader.Remaining != count * KeyListEntryLength) return null;
        var mask = DigestTree.MaskOf(depth);
        var entries = new KeyListEntry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new KeyListEntry(reader.U64(), reader.U64(), reader.U64());
            if ((entries[i].KeyPrefix & mask) != prefix) return null;
        }

        return reader.Failed ? null : new GossipMessage.KeyList(store, depth, prefix, entries);
    }

    private static GossipMessage.Records? ReadRecords(ref WireReader reader)
    {
        var store = (GossipStore)reader.U8();
        var flags = reader.U8();
        var count = reader.U8();
        if (reader.Failed || !Enum.IsDefined(store) || flags > 1 || count == 0) return null;
        var items = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            var length = reader.U16();
            if (length == 0 || length > reader.Remaining) return null;
            items[i] = reader.Bytes(length);
        }

        return reader.Failed ? null : new GossipMessage.Records(store, flags == 1, items);
    }

    private static GossipMessage.Connect2Call? ReadConnect2Call(ref WireReader reader)
    {
        var calleePublicKey = reader.Bytes(IdentityKeyPair.PublicKeyLength);
        var caller = reader.Bytes(HashAddress.Length);
        var callId = ((UInt128)reader.U64() << 64) | reader.U64();
        var sent = reader.Time();
        if (reader.Failed) return null;
        var rest = reader.Bytes(reader.Remaining);
        if (!CandidateCodec.TryRead(rest, out var candidates, out var consumed) || rest.Length - consumed != IdentityKeyPair.SignatureLength)
        {
            reader.Fail();
            return null;
        }

        return new GossipMessage.Connect2Call(
            calleePublicKey, HashAddress.FromBytes(caller), callId, sent, candidates, rest[consumed..]);
    }

    private static void Require(bool condition, string what)
    {
        if (!condition) throw new ArgumentException($"a gossip message needs {what}");
    }
}
