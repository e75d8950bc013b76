using Pype.Core.Calls;
using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class VideoSendFormatTests
{
    [Fact]
    public void A_capture_within_the_limits_is_sent_as_it_is()
    {
        var format = VideoSendFormat.Within(640, 480, 30, 1500, VideoLimits.Default);
        Assert.Equal(new VideoSendFormat(640, 480, 30, 1500), format);
    }

    [Fact]
    public void A_larger_capture_shrinks_to_the_limits_keeping_its_aspect_with_even_sides()
    {
        var format = VideoSendFormat.Within(1920, 1080, 60, 4000, new VideoLimits(1000, 1000, 25, 800));
        Assert.Equal(new VideoSendFormat(1000, 562, 25, 800), format);
    }

    [Fact]
    public void The_tighter_dimension_decides_the_scale()
    {
        var format = VideoSendFormat.Within(1280, 720, 30, 1500, new VideoLimits(1280, 360, 30, 2000));
        Assert.Equal((640, 360), (format.Width, format.Height));
    }

    [Fact]
    public void Tiny_limits_still_give_the_smallest_picture()
    {
        var format = VideoSendFormat.Within(640, 480, 30, 1500, new VideoLimits(16, 16, 1, 8));
        Assert.Equal(new VideoSendFormat(16, 16, 1, 8), format);
    }

    [Fact]
    public void The_keyframe_interval_is_counted_in_frames()
    {
        var format = new VideoSendFormat(640, 480, 30, 1500);
        Assert.Equal(60, format.KeyframeIntervalFrames(TimeSpan.FromSeconds(2)));
        Assert.Equal(1, format.KeyframeIntervalFrames(TimeSpan.FromMilliseconds(1)));
    }
}
