using Pype.Core.Media;
using Pype.Core.Rtp.Feedback;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Media;

/// <summary>
/// The shell wakes a session only at its <see cref="MediaSession.NextDeadline"/>: nothing may be
/// due that no deadline announced (it would wait for some unrelated input), and no deadline may
/// pass without effect (a shell would wake again and again for nothing).
/// </summary>
public sealed class MediaSessionDeadlineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static MediaSessionPair LossyCall(int seed) => new(seed, lossPercent: 5, delay: 20 * Ms, jitter: 15 * Ms);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Looks_between_the_deadlines_of_a_lossy_call_find_nothing_due(int seed)
    {
        var call = LossyCall(seed);
        call.PollEvery = (call.B, Ms);
        call.RunUntil(call.Now + TimeSpan.FromSeconds(20));

        var feedback = call.B.Session.Feedback;
        output.WriteLine($"B: {feedback.NacksSent} NACKs, {feedback.PlisSent} PLIs, {feedback.ReportsSent} reports, RTT {feedback.RoundTrip?.TotalMilliseconds:0.0} ms, "
            + $"{call.B.Outputs.Count} outputs at deadlines or inputs, found by polls: {string.Join("; ", call.B.FoundByPolls.Select(f => $"{(f.At - MediaSessionCall.Start).TotalMilliseconds:0} ms {f.Output}"))}");
        Assert.True(feedback.NacksSent > 20 && feedback.RoundTrip is not null, "the call should have been lossy, with its round trip measured");
        Assert.Empty(call.B.FoundByPolls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Woken_only_at_its_deadlines_a_session_never_finds_a_deadline_passed_without_effect(int seed)
    {
        var call = LossyCall(seed);
        call.RunUntil(call.Now + TimeSpan.FromSeconds(20));

        output.WriteLine($"timeouts A {call.A.Timeouts}, B {call.B.Timeouts}; spaced looks A {call.A.SpacedLooks}, B {call.B.SpacedLooks}; "
            + $"NACKs A {call.A.Session.Feedback.NacksSent}, B {call.B.Session.Feedback.NacksSent}");
        // A look may legitimately land a tick before a target's next step (then it is spaced by
        // the minimum); a deadline stuck in the past would be spaced every millisecond, thousands of times.
        Assert.InRange(call.A.SpacedLooks + call.B.SpacedLooks, 0, 5);
        // The old shell looked every 10 ms: 2,000 times in 20 s.
        Assert.InRange(call.A.Timeouts, 1, 1_000);
        Assert.InRange(call.B.Timeouts, 1, 1_000);
    }
}
