using Pype.Core.Rtp.Playout;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class PlayoutTickerTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void A_late_or_early_timer_keeps_one_tick_per_period_on_average()
    {
        var ticker = new PlayoutTicker(20 * Ms);
        var ran = 0;
        // A 10 ms timer that fires up to 9 ms late, for 2 s: 100 periods.
        var random = new Random(3);
        for (var look = 0; look < 200; look++) ran += ticker.Due(look * 10 * Ms + random.Next(0, 9) * Ms);
        Assert.InRange(ran, 99, 101);
        Assert.Equal(0, ticker.Skipped);
    }

    [Fact]
    public void The_first_look_runs_one_tick_and_a_look_within_the_period_runs_none()
    {
        var ticker = new PlayoutTicker(20 * Ms);
        Assert.Equal(1, ticker.Due(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, ticker.Due(TimeSpan.FromSeconds(5) + 19 * Ms));
        Assert.Equal(1, ticker.Due(TimeSpan.FromSeconds(5) + 20 * Ms));
        Assert.Equal(2, ticker.Due(TimeSpan.FromSeconds(5) + 60 * Ms));
    }

    [Fact]
    public void A_stall_runs_at_most_three_ticks_and_the_rhythm_moves_on()
    {
        var ticker = new PlayoutTicker(20 * Ms);
        ticker.Due(TimeSpan.Zero);
        Assert.Equal(PlayoutTicker.MaxCatchUp, ticker.Due(500 * Ms)); // 25 due
        Assert.Equal(22, ticker.Skipped);
        Assert.Equal(0, ticker.Due(510 * Ms));
        Assert.Equal(1, ticker.Due(520 * Ms));
    }

    [Fact]
    public void The_next_tick_is_due_one_period_after_the_last_one_run()
    {
        var ticker = new PlayoutTicker(20 * Ms);
        Assert.Null(ticker.NextDue);
        ticker.Due(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5) + 20 * Ms, ticker.NextDue);
        ticker.Due(TimeSpan.FromSeconds(5) + 45 * Ms);
        Assert.Equal(TimeSpan.FromSeconds(5) + 60 * Ms, ticker.NextDue);
    }

    [Fact]
    public void Armed_at_each_next_due_time_a_timer_that_fires_up_to_55_ms_late_keeps_real_time()
    {
        // A busy machine: every firing comes 0-55 ms after the time it was armed for.
        var ticker = new PlayoutTicker(20 * Ms);
        var random = new Random(4);
        var now = TimeSpan.FromSeconds(3);
        var ran = ticker.Due(now);
        while (now < TimeSpan.FromSeconds(63))
        {
            now = ticker.NextDue!.Value + random.Next(0, 56) * Ms;
            ran += ticker.Due(now);
            Assert.True(ticker.NextDue > now, "after a look the next tick must lie ahead");
        }
        // One tick per 20 ms since the first look, to within the tick that is due but not yet run.
        var periods = (int)((now - TimeSpan.FromSeconds(3)) / (20 * Ms)) + 1;
        Assert.Equal(periods, ran);
        Assert.Equal(0, ticker.Skipped);
    }
}
