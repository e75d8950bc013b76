using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class DecodeGateTests
{
    [Fact]
    public void Nothing_is_decoded_before_the_first_keyframe()
    {
        var gate = new DecodeGate();
        Assert.Equal(DecodeDecision.DropAwaitingKeyframe, gate.Admit(1, isComplete: true, isKeyframe: false));
        Assert.Equal(DecodeDecision.Decode, gate.Admit(2, isComplete: true, isKeyframe: true));
        Assert.Equal(DecodeDecision.Decode, gate.Admit(3, isComplete: true, isKeyframe: false));
    }

    [Fact]
    public void After_an_incomplete_frame_the_next_keyframe_is_awaited()
    {
        var gate = new DecodeGate();
        gate.Admit(1, true, true);
        Assert.Equal(DecodeDecision.DropIncomplete, gate.Admit(2, isComplete: false, isKeyframe: false));
        Assert.Equal(DecodeDecision.DropAwaitingKeyframe, gate.Admit(3, true, false));
        Assert.Equal(DecodeDecision.DropIncomplete, gate.Admit(4, isComplete: false, isKeyframe: true));
        Assert.Equal(DecodeDecision.Decode, gate.Admit(5, true, true));
        Assert.False(gate.AwaitingKeyframe);
    }

    [Fact]
    public void A_restarted_decoder_waits_for_a_keyframe()
    {
        var gate = new DecodeGate();
        gate.Admit(1, true, true);
        gate.DecoderRestarted();
        Assert.Equal(DecodeDecision.DropAwaitingKeyframe, gate.Admit(2, true, false));
        Assert.Equal(DecodeDecision.Decode, gate.Admit(3, true, true));
    }

    [Fact]
    public void The_second_half_of_a_frame_cut_by_a_flush_is_not_decoded()
    {
        var gate = new DecodeGate();
        gate.Admit(1, true, true);
        Assert.Equal(DecodeDecision.DropIncomplete, gate.Admit(2, isComplete: false, isKeyframe: true));
        Assert.Equal(DecodeDecision.DropIncomplete, gate.Admit(2, isComplete: true, isKeyframe: true));
        Assert.True(gate.AwaitingKeyframe);
    }
}
