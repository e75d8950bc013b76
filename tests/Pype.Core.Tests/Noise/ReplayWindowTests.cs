using CsCheck;
using Pype.Core.Noise;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class ReplayWindowTests
{
    [Fact]
    public void A_counter_is_accepted_once_and_then_reported_as_replayed()
    {
        var window = new ReplayWindow();

        Assert.True(window.TryAccept(5));
        Assert.False(window.TryAccept(5));
    }

    [Fact]
    public void Late_counters_inside_the_window_are_accepted_and_older_ones_are_not()
    {
        var window = new ReplayWindow();
        window.TryAccept(10_000);

        Assert.True(window.TryAccept(10_000 - ReplayWindow.WindowSize + 1));
        Assert.False(window.TryAccept(10_000 - ReplayWindow.WindowSize));
    }

    [Fact]
    public void Checking_a_counter_does_not_consume_it()
    {
        var window = new ReplayWindow();

        Assert.True(window.IsAcceptable(3));
        Assert.True(window.TryAccept(3));
    }

    [Fact]
    public void Window_agrees_with_a_set_of_seen_counters_for_any_arrival_order()
    {
        var nearby = Gen.ULong[0, 3 * ReplayWindow.RingBits];
        var jump = Gen.ULong[0, 200_000];
        var counters = Gen.Frequency((8, nearby), (1, jump)).Array[1, 400];

        counters.Sample(arrivals =>
        {
            var window = new ReplayWindow();
            var seen = new HashSet<ulong>();
            ulong highest = 0;
            foreach (var counter in arrivals)
            {
                var expected = !seen.Contains(counter) && (counter > highest || highest - counter < ReplayWindow.WindowSize);
                Assert.Equal(expected, window.TryAccept(counter));
                if (expected)
                {
                    seen.Add(counter);
                    highest = Math.Max(highest, counter);
                }
            }
        }, iter: 5_000);
    }
}
