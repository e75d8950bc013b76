using CsCheck;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>
/// Issue #14, done-when: a stateful <see cref="GossipEngine"/> fed 100,000 hostile inputs from
/// several neighbours (random bytes, real messages with bytes flipped or cut, real messages,
/// neighbours coming and going, time moving on) never lets an exception escape, keeps every
/// table within its bound, and never answers a new neighbour more than three times what it sent.
/// </summary>
public sealed class GossipEngineHostileInputTests(ITestOutputHelper output)
{
    private const int Runs = 50;
    private const int StepsPerRun = 2_000;
    private static readonly Lazy<AddressBookReplica> Book = new(() => BookOf(Enumerable.Range(500_000, 300).Select(i => Record(i))));
    private static readonly Lazy<byte[][]> RealMessages = new(BuildRealMessages);

    [Fact]
    public void A_hundred_thousand_hostile_inputs_never_throw_and_keep_the_engine_within_its_bounds()
    {
        var inputs = 0L;
        Gen.Int.Sample(seed => Interlocked.Add(ref inputs, Run(seed)), iter: Runs);

        output.WriteLine($"{inputs} inputs in {Runs} runs");
        Assert.True(inputs >= 100_000);
    }

    private static int Run(int seed)
    {
        var random = new Random(seed);
        var options = new GossipOptions { MaxNeighbours = 6, MaxPendingAnswersPerLink = 16, MaxPendingItemsPerLink = 200 };
        var engine = new GossipEngine(Peer(1), new SeededRandomSource(seed), Now, options, Book.Value.Clone());
        var peers = Enumerable.Range(70, 8).Select(i => Peer(i).Hash).ToArray();
        var received = peers.ToDictionary(p => p, _ => 0L);
        var answered = peers.ToDictionary(p => p, _ => 0L);
        var addedAt = new Dictionary<HashAddress, DateTimeOffset>();
        var now = Now;
        for (var step = 0; step < StepsPerRun; step++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 300));
            var peer = peers[random.Next(peers.Length)];
            switch (random.Next(20))
            {
                case 0:
                    engine.NeighbourAdded(now, peer);
                    if (engine.Neighbours.Contains(peer) && addedAt.TryAdd(peer, now))
                        (received[peer], answered[peer]) = (0, 0);
                    break;
                case 1:
                    engine.NeighbourRemoved(peer);
                    addedAt.Remove(peer);
                    break;
                case 2:
                    engine.HandleTimeout(now);
                    break;
                default:
                    var message = Hostile(random);
                    engine.HandleMessage(now, peer, message);
                    received[peer] += message.Length;
                    break;
            }

            while (engine.PollEvent() is not null)
            {
            }

            while (engine.PollSend() is { } sent)
            {
                Assert.True(sent.Bytes.Length <= GossipCodec.MaxMessageLength);
                // Pushes are not answers: another neighbour's new item goes to everyone.
                var isPush = GossipCodec.TryDecode(sent.Bytes, out var decoded) && decoded is GossipMessage.Records { Push: true };
                if (!isPush && addedAt.TryGetValue(sent.Peer, out var since) && now < since + options.NewNeighbourAge)
                    answered[sent.Peer] += sent.Bytes.Length;
            }

            Assert.True(engine.Neighbours.Count <= options.MaxNeighbours);
            Assert.True(engine.DeferredEnds <= GossipEngine.MaxDeferredEnds);
            Assert.True(engine.AddressBook.Count <= engine.AddressBook.Limits.Capacity);
            Assert.True(engine.CallList.Count <= engine.CallList.Limits.Capacity);
            foreach (var neighbour in engine.Neighbours)
            {
                var (messages, items) = engine.Backlog(neighbour);
                Assert.True(messages <= options.MaxPendingAnswersPerLink && items <= options.MaxPendingItemsPerLink);
                Assert.True(answered[neighbour] <= GossipOptions.NewNeighbourAnswerFactor * received[neighbour],
                    $"{answered[neighbour]} bytes answered to a new neighbour that sent {received[neighbour]}");
            }
        }

        return StepsPerRun;
    }

    /// <summary>Random bytes behind a gossip type, a real message with bytes flipped or cut short, or a real one as it is.</summary>
    private static byte[] Hostile(Random random)
    {
        var real = RealMessages.Value;
        switch (random.Next(4))
        {
            case 0:
                var garbage = new byte[random.Next(0, 200)];
                random.NextBytes(garbage);
                return [(byte)random.Next(0x20, 0x27), GossipCodec.ProtocolVersion, .. garbage];
            case 1:
                var flipped = (byte[])real[random.Next(real.Length)].Clone();
                for (var i = random.Next(1, 4); i > 0; i--)
                    flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                return flipped;
            case 2:
                var whole = real[random.Next(real.Length)];
                return whole[..random.Next(0, whole.Length + 1)];
            default:
                return real[random.Next(real.Length)];
        }
    }

    private static byte[][] BuildRealMessages()
    {
        var book = Book.Value;
        var other = BookOf(Enumerable.Range(500_000, 40).Select(i => Record(i, sequence: 2)));
        var keys = book.Digest.Under(0, 0).Select(e => e.KeyPrefix).ToList();
        var empty = Enumerable.Repeat(new DigestSummary(0, 0), 16).ToList();
        var messages = new List<GossipMessage>
        {
            new GossipMessage.NewPeerRequest(),
            new GossipMessage.GetItems(GossipStore.AddressBook, keys.Take(64).ToList()),
            new GossipMessage.GetItems(GossipStore.CallList, keys.Take(3).ToList()),
            new GossipMessage.Digest(GossipStore.AddressBook, 0, 0, empty),
            new GossipMessage.Digest(GossipStore.CallList, 0, 0, empty),
            Reconciler.RootDigest(GossipStore.AddressBook, other.Digest),
            new GossipMessage.Digest(GossipStore.AddressBook, 1, keys[0] & DigestTree.MaskOf(1), other.Digest.Children(1, keys[0] & DigestTree.MaskOf(1))),
            new GossipMessage.KeyList(GossipStore.AddressBook, 0, 0, []),
            new GossipMessage.KeyList(GossipStore.AddressBook, 1, keys[1] & DigestTree.MaskOf(1), []),
            new GossipMessage.KeyList(GossipStore.AddressBook, 0, 0, other.Digest.Under(0, 0).Take(40).ToList()),
            new GossipMessage.Records(GossipStore.AddressBook, true, other.Records.Take(4).Select(r => r.Encoded).ToList()),
            new GossipMessage.Records(GossipStore.AddressBook, false, [Record(600_001).Encoded]),
            new GossipMessage.Records(GossipStore.CallList, true, [Invite(71, 1, 3).Encoded]),
            GossipMessage.Connect2Call.Create(Peer(72), Invite(1, 72, 4), Now, Candidates),
        };
        return messages.Select(GossipCodec.Encode).ToArray();
    }
}
