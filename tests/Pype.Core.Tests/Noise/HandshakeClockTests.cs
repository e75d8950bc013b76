using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class HandshakeClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly SeededRandomSource Random = new(9);
    private const long Granule = 1L << 24;

    private static NoiseKeyPair Node(int n) =>
        NoiseStaticKey.From(IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)n, 32).ToArray()));

    [Fact]
    public void Labels_are_whole_granules_of_2_to_the_24_nanoseconds_and_never_finer()
    {
        var clock = new HandshakeClock();
        var exact = Start.AddTicks(1_234_567); // 123.4567 ms into the second
        var label = clock.Next(exact);

        Assert.Equal(0, label.ToUnixNanoseconds() % Granule);
        Assert.InRange(Tai64NTimestamp.From(exact).ToUnixNanoseconds() - label.ToUnixNanoseconds(), 0, Granule - 1);
    }

    [Fact]
    public void Labels_grow_when_the_wall_clock_stands_still_or_steps_back_an_hour()
    {
        var clock = new HandshakeClock();
        var labels = new[] { Start, Start, Start.AddMilliseconds(1), Start.AddHours(-1), Start.AddHours(-1) }.Select(clock.Next).ToList();

        for (var i = 1; i < labels.Count; i++) Assert.True(labels[i] > labels[i - 1], $"label {i} did not grow");
        Assert.Equal(Granule, labels[1].ToUnixNanoseconds() - labels[0].ToUnixNanoseconds());
    }

    [Fact]
    public void A_responder_keeps_accepting_a_node_whose_clock_was_set_back_which_plain_wall_clock_labels_lose()
    {
        var seed = Node(60);
        var alice = Node(61);
        var withClock = new NoiseResponder(seed, _ => true);
        var withWallClock = new NoiseResponder(seed, _ => true);
        var clock = new HandshakeClock();

        foreach (var (at, index) in new[] { (Start, 1u), (Start.AddMinutes(-30), 2u), (Start.AddMinutes(-29), 3u) })
        {
            var initiation = new NoiseInitiator(alice, seed.PublicKey, index, at, Random, clock).InitiationPacket;
            Assert.True(withClock.Respond(initiation, 10 + index, at, Random).IsSuccess, $"initiation {index} was refused");
        }
        Assert.True(withWallClock.Respond(new NoiseInitiator(alice, seed.PublicKey, 1, Start, Random).InitiationPacket, 20, Start, Random).IsSuccess);
        Assert.Equal(HandshakeRejection.ReplayedInitiation,
            withWallClock.Respond(new NoiseInitiator(alice, seed.PublicKey, 2, Start.AddMinutes(-30), Random).InitiationPacket, 21, Start, Random).Reason);
    }

    [Fact]
    public void The_mark_is_persisted_before_any_label_beyond_it_and_only_once_per_reservation()
    {
        var persisted = new List<Tai64NTimestamp>();
        var clock = new HandshakeClock(persist: persisted.Add);
        var labels = new List<Tai64NTimestamp>();
        // One initiation a second for an hour: six reservations of ten minutes, not 3,600 writes.
        for (var second = 0; second < 3600; second++)
        {
            labels.Add(clock.Next(Start.AddSeconds(second)));
            Assert.True(labels[^1] <= persisted[^1], $"label at {second} s is beyond the persisted mark");
        }

        Assert.InRange(persisted.Count, 6, 7);
        Assert.Equal(clock.Reserved, persisted[^1]);
    }

    [Fact]
    public void A_restarted_node_labels_above_the_mark_it_loaded_even_with_its_clock_set_back_a_day()
    {
        Tai64NTimestamp? kept = null;
        var before = new HandshakeClock(persist: mark => kept = mark);
        var lastBefore = before.Next(Start);

        var after = new HandshakeClock(kept, _ => { });
        var firstAfter = after.Next(Start.AddDays(-1));

        Assert.True(firstAfter > lastBefore);
        Assert.True(firstAfter > kept!.Value);
    }

    [Fact]
    public void A_persister_that_throws_is_heard_by_the_caller_and_no_label_goes_out_unreserved()
    {
        var clock = new HandshakeClock(persist: _ => throw new IOException("disk full"));
        Assert.Throws<IOException>(() => clock.Next(Start));
        Assert.Null(clock.Reserved);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1_700_000_000_123_456_789L)]
    [InlineData(-1L)]
    [InlineData(-1_500_000_000L)]
    public void Unix_nanoseconds_go_through_a_label_and_back_unchanged(long nanoseconds)
    {
        var label = Tai64NTimestamp.FromUnixNanoseconds(nanoseconds);
        Assert.InRange(label.Nanoseconds, 0u, 999_999_999u);
        Assert.Equal(nanoseconds, label.ToUnixNanoseconds());
        Assert.Equal(label, Tai64NTimestamp.FromUnixNanoseconds(label.ToUnixNanoseconds()));
    }

    [Fact]
    public void A_label_from_a_datetime_and_from_its_nanoseconds_agree()
    {
        var at = Start.AddTicks(987_654_321);
        Assert.Equal(Tai64NTimestamp.From(at), Tai64NTimestamp.FromUnixNanoseconds((at - DateTimeOffset.UnixEpoch).Ticks * 100));
    }
}
