namespace Pype.Core.Media;

/// <summary>What the encoder stage does after telling an <see cref="EncoderSwitch"/> something.</summary>
/// <param name="SwitchNow">Move to the standby now (its first picture is an IDR).</param>
/// <param name="IsReconfiguration">The switch brings new settings (a rung or bitrate), not only a keyframe.</param>
/// <param name="WaitFor">A switch waits for the standby: look again after this long at the latest.</param>
public readonly record struct EncoderSwitchStep(bool SwitchNow, bool IsReconfiguration, TimeSpan? WaitFor)
{
    public static readonly EncoderSwitchStep None = default;
}

/// <summary>
/// When an encoder that makes keyframes by switching to a warm standby process should switch, sans
/// IO (time and the standby's readiness passed in). A keyframe request (a PLI) and new settings (a
/// rung or bitrate change, for which a standby with them was just started) both wait until the
/// standby is primed, since frames sent to an ffmpeg still starting would stall the picture; but
/// at most <paramref name="readyLimit"/> from the first request, because past that a keyframe from
/// a process still starting beats none at all. Requests that come while a switch waits join it:
/// one switch brings the keyframe and the newest settings, and a later request does not push the
/// deadline out.
/// </summary>
public sealed class EncoderSwitch(TimeSpan readyLimit)
{
    private TimeSpan? deadline;
    private bool reconfiguration;

    public bool IsPending => deadline is not null;

    /// <summary>A keyframe was asked for. A switch already waiting brings one anyway, so then nothing changes.</summary>
    public EncoderSwitchStep KeyframeWanted(TimeSpan now, bool standbyReady) =>
        IsPending ? EncoderSwitchStep.None : Want(now, standbyReady, isReconfiguration: false);

    /// <summary>New settings were handed to the encoder (its standby restarted with them): switch to them once it is ready.</summary>
    public EncoderSwitchStep Reconfigured(TimeSpan now, bool standbyReady) => Want(now, standbyReady, isReconfiguration: true);

    /// <summary>The standby became ready, or the wait from the last step is over: switch if either is so.</summary>
    public EncoderSwitchStep Check(TimeSpan now, bool standbyReady)
    {
        if (deadline is not { } due) return EncoderSwitchStep.None;
        if (!standbyReady && now < due) return new EncoderSwitchStep(false, false, due - now);
        var step = new EncoderSwitchStep(true, reconfiguration, null);
        (deadline, reconfiguration) = (null, false);
        return step;
    }

    private EncoderSwitchStep Want(TimeSpan now, bool standbyReady, bool isReconfiguration)
    {
        deadline ??= now + readyLimit;
        reconfiguration |= isReconfiguration;
        return Check(now, standbyReady);
    }
}
