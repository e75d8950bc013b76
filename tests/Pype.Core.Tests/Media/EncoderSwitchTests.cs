using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class EncoderSwitchTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void A_keyframe_request_with_the_standby_ready_switches_at_once()
    {
        var switcher = new EncoderSwitch(Limit);
        Assert.Equal(new EncoderSwitchStep(true, false, null), switcher.KeyframeWanted(Ms(0), standbyReady: true));
        Assert.False(switcher.IsPending);
    }

    [Fact]
    public void A_switch_waits_for_the_standby_and_is_made_when_it_is_ready()
    {
        var switcher = new EncoderSwitch(Limit);
        Assert.Equal(new EncoderSwitchStep(false, false, Limit), switcher.KeyframeWanted(Ms(0), standbyReady: false));
        Assert.True(switcher.IsPending);
        Assert.Equal(new EncoderSwitchStep(false, false, Ms(1700)), switcher.Check(Ms(300), standbyReady: false));
        Assert.Equal(new EncoderSwitchStep(true, false, null), switcher.Check(Ms(450), standbyReady: true));
        Assert.False(switcher.IsPending);
    }

    [Fact]
    public void A_standby_that_is_not_ready_in_time_is_switched_to_anyway()
    {
        var switcher = new EncoderSwitch(Limit);
        switcher.Reconfigured(Ms(100), standbyReady: false);
        Assert.False(switcher.Check(Ms(2099), standbyReady: false).SwitchNow);
        Assert.Equal(new EncoderSwitchStep(true, true, null), switcher.Check(Ms(2100), standbyReady: false));
    }

    [Fact]
    public void A_keyframe_request_while_a_switch_waits_changes_nothing()
    {
        var switcher = new EncoderSwitch(Limit);
        switcher.Reconfigured(Ms(0), standbyReady: false);
        Assert.Equal(EncoderSwitchStep.None, switcher.KeyframeWanted(Ms(500), standbyReady: false));
        // The waiting switch still brings its new settings, and with them the keyframe.
        Assert.Equal(new EncoderSwitchStep(true, true, null), switcher.Check(Ms(600), standbyReady: true));
    }

    [Fact]
    public void New_settings_while_a_keyframe_switch_waits_join_it_without_moving_its_deadline()
    {
        var switcher = new EncoderSwitch(Limit);
        switcher.KeyframeWanted(Ms(0), standbyReady: false);
        // The standby was restarted with the new settings, so it is not ready; the wait is what was left.
        Assert.Equal(new EncoderSwitchStep(false, false, Ms(800)), switcher.Reconfigured(Ms(1200), standbyReady: false));
        Assert.Equal(new EncoderSwitchStep(true, true, null), switcher.Check(Ms(2000), standbyReady: false));
    }

    [Fact]
    public void Once_switched_a_look_changes_nothing_and_the_next_request_starts_a_new_wait()
    {
        var switcher = new EncoderSwitch(Limit);
        switcher.Reconfigured(Ms(0), standbyReady: true);
        Assert.Equal(EncoderSwitchStep.None, switcher.Check(Ms(3000), standbyReady: true));
        // A reconfiguration already switched to does not make the next keyframe a reconfiguration.
        Assert.Equal(new EncoderSwitchStep(false, false, Limit), switcher.KeyframeWanted(Ms(5000), standbyReady: false));
        Assert.Equal(new EncoderSwitchStep(true, false, null), switcher.Check(Ms(7000), standbyReady: false));
    }
}
