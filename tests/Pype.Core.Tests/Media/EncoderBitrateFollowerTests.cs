using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class EncoderBitrateFollowerTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Small_moves_are_ignored_and_a_big_cut_is_taken_at_once()
    {
        var follower = new EncoderBitrateFollower(1500, 1500);
        Assert.Null(follower.Follow(1_400_000, S(1)));
        Assert.Equal(1000, follower.Follow(1_000_000, S(1.1)));
        Assert.Equal(1000, follower.CurrentKbps);
    }

    [Fact]
    public void Cuts_are_half_a_second_apart_and_raises_two_seconds_apart()
    {
        var follower = new EncoderBitrateFollower(1500, 1500);
        Assert.Equal(1000, follower.Follow(1_000_000, S(1)));
        Assert.Null(follower.Follow(600_000, S(1.2)));
        Assert.Equal(600, follower.Follow(600_000, S(1.5)));
        Assert.Null(follower.Follow(900_000, S(3)));
        Assert.Equal(900, follower.Follow(900_000, S(3.5)));
    }

    [Fact]
    public void The_target_never_takes_the_encoder_past_its_maximum()
    {
        var follower = new EncoderBitrateFollower(1000, 1200);
        Assert.Equal(1200, follower.Follow(5_000_000, S(10)));
        Assert.Null(follower.Follow(5_000_000, S(20)));
    }

    [Fact]
    public void A_change_held_back_by_the_spacing_names_when_it_may_be_made()
    {
        var follower = new EncoderBitrateFollower(1500, 1500);
        Assert.Null(follower.HeldBackUntil(600_000));
        Assert.Equal(1000, follower.Follow(1_000_000, S(1)));
        Assert.Null(follower.Follow(600_000, S(1.2)));
        Assert.Equal(S(1.5), follower.HeldBackUntil(600_000));
        Assert.Equal(S(3), follower.HeldBackUntil(1_400_000));
        Assert.Null(follower.HeldBackUntil(950_000));
    }
}
