using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class EncoderIntakeTests
{
    private static TimeSpan Frame(int index, int fps) => TimeSpan.FromTicks(index * TimeSpan.TicksPerSecond / fps);

    [Fact]
    public void Frames_beyond_the_ones_in_flight_are_dropped_until_access_units_come_out()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 4, maxRestarts: 10);
        var taken = Enumerable.Range(0, 6).Select(i => intake.Admit(Frame(i, 30), 30, 30)).ToList();
        Assert.Equal([null, null, null, null, EncoderIntakeDrop.EncoderBacklog, EncoderIntakeDrop.EncoderBacklog], taken);
        intake.Encoded(640, 480, 30);
        Assert.Null(intake.Admit(Frame(6, 30), 30, 30));
        Assert.Equal(4, intake.FramesInFlight);
    }

    [Fact]
    public void Frames_are_thinned_to_the_encoding_frame_rate_before_the_backlog_counts_them()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 4, maxRestarts: 10);
        var drops = Enumerable.Range(0, 6).Select(i => intake.Admit(Frame(i, 30), 15, 30)).ToList();
        Assert.Equal([null, EncoderIntakeDrop.FrameRateRung, null, EncoderIntakeDrop.FrameRateRung, null, EncoderIntakeDrop.FrameRateRung], drops);
        Assert.Equal(3, intake.FramesInFlight);
    }

    [Fact]
    public void A_frame_the_encoder_refused_is_not_in_flight()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 1, maxRestarts: 10);
        Assert.Null(intake.Admit(Frame(0, 30), 30, 30));
        Assert.Equal(EncoderIntakeDrop.EncoderNotRunning, intake.Refused());
        Assert.Null(intake.Admit(Frame(1, 30), 30, 30));
    }

    [Fact]
    public void A_dead_process_frees_its_frames_and_late_units_do_not_go_below_zero()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 2, maxRestarts: 10);
        intake.Admit(Frame(0, 30), 30, 30);
        intake.Admit(Frame(1, 30), 30, 30);
        Assert.True(intake.Died());
        Assert.Equal(0, intake.FramesInFlight);
        intake.Encoded(640, 480, 30); // a unit the dead process had already cut
        Assert.Equal(0, intake.FramesInFlight);
        Assert.Null(intake.Admit(Frame(2, 30), 30, 30));
        Assert.Null(intake.Admit(Frame(3, 30), 30, 30));
        Assert.Equal(EncoderIntakeDrop.EncoderBacklog, intake.Admit(Frame(4, 30), 30, 30));
    }

    [Fact]
    public void The_restart_budget_is_spent_after_the_last_allowed_restart()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 4, maxRestarts: 3);
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => intake.Died()).ToList());
        Assert.Equal(4, intake.Restarts);
    }

    [Fact]
    public void A_change_of_encoded_format_is_told_once_the_first_unit_included()
    {
        var intake = new EncoderIntake(maxFramesInFlight: 4, maxRestarts: 10);
        var told = new[] { (640, 480, 30), (640, 480, 30), (320, 240, 30), (320, 240, 15), (320, 240, 15), (640, 480, 30) }
            .Select(f => intake.Encoded(f.Item1, f.Item2, f.Item3)).ToList();
        Assert.Equal([true, false, true, true, false, true], told);
    }
}
