using System.Net;
using CsCheck;
using Pype.Core.Replication;
using Pype.Core.Session;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

public sealed class ReplicationCodecPropertyTests
{
    private const int Cases = 100_000;
    private static readonly byte[] SampleRecord = Record(1).Encoded.ToArray();
    private static readonly byte[] SampleCall = Invite(1, 2, 42).Encoded.ToArray();
    private static readonly byte[][] SampleMessages = BuildSampleMessages();

    private static readonly Gen<Candidate> Candidate =
        Gen.Select(Gen.Enum<CandidateKind>(), Gen.Bool, Gen.Byte.Array[16], Gen.Int[1, 65535]).Select((kind, v6, address, port) =>
            new Candidate(kind, new IPEndPoint(new IPAddress(v6 ? address : address[..4]), port)));

    [Fact]
    public void Records_round_trip_through_their_encoding()
    {
        Gen.Select(Gen.ULong, Gen.Long[0, 4_000_000_000_000], Candidate.Array[0, 8], Gen.Byte.Array[0, 255]).Sample((sequence, ms, candidates, metadata) =>
        {
            var record = AddressBookRecord.Create(Peer(1), sequence, DateTimeOffset.FromUnixTimeMilliseconds(ms), candidates, metadata);

            Assert.True(AddressBookRecordCodec.TryDecode(record.Encoded.Span, out var decoded));
            Assert.Equal(sequence, decoded.Sequence);
            Assert.Equal(record.Expiry, decoded.Expiry);
            Assert.Equal(candidates, decoded.Candidates);
            Assert.Equal(metadata, decoded.Metadata.ToArray());
            Assert.True(decoded.HasValidSignature());
            Assert.True(decoded.Encoded.Length <= AddressBookRecordCodec.MaxEncodedLength);
        }, iter: 300);
    }

    [Fact]
    public void Gossip_messages_round_trip_and_fit_a_datagram()
    {
        foreach (var bytes in SampleMessages)
        {
            Assert.True(GossipCodec.TryDecode(bytes, out var message));
            Assert.Equal(bytes, GossipCodec.Encode(message));
            Assert.True(bytes.Length <= GossipCodec.MaxMessageLength);
        }
    }

    [Fact]
    public void Random_bytes_never_make_a_decoder_throw()
    {
        Gen.Byte.Array[0, 1300].Sample(bytes =>
        {
            AddressBookRecordCodec.TryDecode(bytes, out _);
            CallListEntryCodec.TryDecode(bytes, out _);
            GossipCodec.TryDecode(bytes, out _);
        }, iter: Cases);
    }

    [Fact]
    public void Random_bodies_behind_each_gossip_type_never_make_the_codec_throw()
    {
        Gen.Select(Gen.Byte[0x20, 0x26], Gen.Byte.Array[0, 1166]).Sample((type, body) =>
        {
            _ = GossipCodec.TryDecode([type, GossipCodec.ProtocolVersion, .. body], out _);
        }, iter: Cases);
    }

    [Fact]
    public void Truncations_never_decode_and_never_throw()
    {
        byte[][] samples = [SampleRecord, SampleCall, .. SampleMessages];
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 1167]).Sample((which, cut) =>
        {
            var sample = samples[which];
            var truncated = sample[..Math.Min(cut, sample.Length - 1)];

            Assert.False(AddressBookRecordCodec.TryDecode(truncated, out _) && which == 0);
            Assert.False(CallListEntryCodec.TryDecode(truncated, out _) && which == 1);
            GossipCodec.TryDecode(truncated, out _);
        }, iter: Cases);
    }

    [Fact]
    public void Bit_flips_never_make_a_decoder_throw()
    {
        byte[][] samples = [SampleRecord, SampleCall, .. SampleMessages];
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((which, position, mask) =>
        {
            var flipped = (byte[])samples[which].Clone();
            flipped[position % flipped.Length] ^= mask;

            AddressBookRecordCodec.TryDecode(flipped, out _);
            CallListEntryCodec.TryDecode(flipped, out _);
            GossipCodec.TryDecode(flipped, out _);
        }, iter: Cases);
    }

    [Fact]
    public void Bit_flipped_records_are_never_accepted()
    {
        var book = new AddressBookReplica();
        var calls = new CallListReplica();
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((position, mask) =>
        {
            var record = (byte[])SampleRecord.Clone();
            record[position % record.Length] ^= mask;
            var call = (byte[])SampleCall.Clone();
            call[position % call.Length] ^= mask;

            Assert.False(book.Offer(Now, record).IsAccepted);
            Assert.False(calls.Offer(Now, call).IsAccepted);
        }, iter: 3_000, threads: 1);
    }

    private static byte[][] BuildSampleMessages()
    {
        var tree = BookOf([Record(1), Record(2), Record(3)]).Digest;
        GossipMessage[] messages =
        [
            new GossipMessage.NewPeerRequest(),
            new GossipMessage.GetItems(GossipStore.AddressBook, [1, 2, ulong.MaxValue]),
            new GossipMessage.GetItems(GossipStore.CallList, [7]),
            new GossipMessage.Digest(GossipStore.AddressBook, 0, 0, tree.Children(0, 0)),
            new GossipMessage.Digest(GossipStore.CallList, 2, 0xAB00_0000_0000_0000, tree.Children(2, 0xAB00_0000_0000_0000)),
            new GossipMessage.KeyList(GossipStore.AddressBook, 0, 0, [.. tree.Under(0, 0)]),
            new GossipMessage.Records(GossipStore.AddressBook, true, [SampleRecord, Record(2).Encoded]),
            new GossipMessage.Records(GossipStore.CallList, false, [SampleCall]),
            GossipMessage.Connect2Call.Create(Peer(2), Invite(1, 2, 42), Now, Candidates),
        ];
        return [.. messages.Select(GossipCodec.Encode)];
    }
}
