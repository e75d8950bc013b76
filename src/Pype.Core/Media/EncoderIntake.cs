namespace Pype.Core.Media;

/// <summary>Why the encoder stage threw a frame away (kebab-case in the call's drop counts).</summary>
public enum EncoderIntakeDrop
{
    /// <summary>Thinned to the frame rate of the encoder in use.</summary>
    FrameRateRung,

    /// <summary>Too many frames already inside the encoder.</summary>
    EncoderBacklog,

    /// <summary>The encoder process was not there to take it.</summary>
    EncoderNotRunning,
}

/// <summary>
/// Which captured frames an encoder stage hands its encoder, sans IO: frames are thinned by a
/// <see cref="FrameDecimator"/> to the frame rate of the process in use, so the encoder's
/// per-frame budget matches the frames it gets; and when <paramref name="maxFramesInFlight"/> are
/// inside it (a process starting, a busy machine) new frames are dropped rather than queued, since
/// a queue is only latency. Also keeps the restart budget: a process that dies more than
/// <paramref name="maxRestarts"/> times is given up on.
/// Access units are counted out (<see cref="Encoded"/>) by the stage's reader thread, not its
/// mailbox: the frames-in-flight count, which both touch, is kept with interlocked operations, and
/// the encoded format is the reader's alone.
/// </summary>
public sealed class EncoderIntake(int maxFramesInFlight, int maxRestarts)
{
    private readonly FrameDecimator decimator = new();
    private int framesInFlight;
    private (int Width, int Height, int FrameRate)? encodedFormat;

    public int Restarts { get; private set; }

    public int FramesInFlight => Volatile.Read(ref framesInFlight);

    /// <summary>
    /// Null when the frame captured at <paramref name="captureTime"/> goes to the encoder (it is then
    /// counted in flight), else why not. <paramref name="encodingFrameRate"/>: the rate of the process
    /// frames go to now; <paramref name="sourceFrameRate"/>: the rate frames are captured at.
    /// </summary>
    public EncoderIntakeDrop? Admit(TimeSpan captureTime, int encodingFrameRate, int sourceFrameRate)
    {
        if (!decimator.Admit(captureTime, encodingFrameRate, sourceFrameRate)) return EncoderIntakeDrop.FrameRateRung;
        if (FramesInFlight >= maxFramesInFlight) return EncoderIntakeDrop.EncoderBacklog;
        Interlocked.Increment(ref framesInFlight);
        return null;
    }

    /// <summary>An admitted frame the encoder did not take: it is not in flight after all.</summary>
    public EncoderIntakeDrop Refused()
    {
        Interlocked.Decrement(ref framesInFlight);
        return EncoderIntakeDrop.EncoderNotRunning;
    }

    /// <summary>
    /// An access unit of this picture size and frame rate came out: true when they differ from the
    /// previous unit's (and for the first), since what is sent then changed. The in-flight count
    /// never goes below zero: a unit of a frame a dead process held may still come after <see cref="Died"/>.
    /// </summary>
    public bool Encoded(int width, int height, int frameRate)
    {
        if (Interlocked.Decrement(ref framesInFlight) < 0) Interlocked.Exchange(ref framesInFlight, 0);
        if ((width, height, frameRate) == encodedFormat) return false;
        encodedFormat = (width, height, frameRate);
        return true;
    }

    /// <summary>The encoder process died: true to restart it, false when the budget is spent.</summary>
    public bool Died()
    {
        // Frames the dead process held never come back as access units.
        Interlocked.Exchange(ref framesInFlight, 0);
        return ++Restarts <= maxRestarts;
    }
}
