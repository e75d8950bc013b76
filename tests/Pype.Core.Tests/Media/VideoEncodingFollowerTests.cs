using Pype.Core.Media;
using Pype.Core.Rtp.RateControl;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class VideoEncodingFollowerTests
{
    private static readonly IReadOnlyList<VideoRung> Ladder = VideoRung.LadderWithin(640, 480, 30);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void It_starts_at_the_rung_it_is_given()
    {
        var follower = new VideoEncodingFollower(300, 1500, Ladder[1]);
        Assert.Equal(new VideoEncoding(300, 640, 480, 15), follower.Current);
        Assert.Null(follower.Follow(300_000, Ladder[1], S(1)));
    }

    [Fact]
    public void A_new_rung_is_taken_at_once_even_when_the_bitrate_hardly_moved()
    {
        var follower = new VideoEncodingFollower(400, 400, Ladder[0]);
        Assert.Equal(new VideoEncoding(400, 640, 480, 15), follower.Follow(380_000, Ladder[1], S(1)));
        Assert.Equal(new VideoEncoding(400, 640, 480, 15), follower.Current);
    }

    [Fact]
    public void A_rung_and_a_bitrate_that_move_together_are_one_change()
    {
        var follower = new VideoEncodingFollower(800, 800, Ladder[0]);
        Assert.Equal(new VideoEncoding(150, 320, 240, 30), follower.Follow(150_000, Ladder[2], S(1)));
        Assert.Null(follower.Follow(150_000, Ladder[2], S(1.01)));
    }

    [Fact]
    public void Rung_changes_are_half_a_second_apart_and_a_held_back_one_lands_later()
    {
        var follower = new VideoEncodingFollower(800, 800, Ladder[0]);
        Assert.Equal((640, 480, 15), follower.Follow(300_000, Ladder[1], S(1))!.Value.Format);
        Assert.Null(follower.Follow(300_000, Ladder[2], S(1.2)));
        Assert.Equal((640, 480, 15), follower.Current.Format);
        Assert.Equal((320, 240, 30), follower.Follow(300_000, Ladder[2], S(1.5))!.Value.Format);
    }

    [Fact]
    public void Climbing_back_to_the_top_restores_the_full_format()
    {
        var follower = new VideoEncodingFollower(800, 800, Ladder[0]);
        follower.Follow(90_000, Ladder[3], S(1));
        Assert.Equal(new VideoEncoding(90, 320, 240, 15), follower.Current);
        for (var rung = 2; rung >= 0; rung--)
            follower.Follow(800_000, Ladder[rung], S(10 - 2 * rung));
        Assert.Equal(new VideoEncoding(800, 640, 480, 30), follower.Current);
    }
}
