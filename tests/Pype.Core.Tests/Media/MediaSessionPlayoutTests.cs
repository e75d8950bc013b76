using Pype.Core.Media;
using Pype.Core.Rtp;
using Xunit;
using static Pype.Core.Tests.Media.MediaSessionCall;

namespace Pype.Core.Tests.Media;

/// <summary>Playout targets and the call's statistics, in virtual time.</summary>
public sealed class MediaSessionPlayoutTests
{
    private static DateTimeOffset At(double ms) => Start + TimeSpan.FromMilliseconds(ms);

    /// <summary>
    /// Audio every 20 ms and a one-packet video frame every 40 ms, arriving up to <paramref name="spreadMs"/>
    /// late (the first on time); <paramref name="before"/> runs before each arrival.
    /// </summary>
    private static void Stream(MediaSessionCall call, Random random, int fromMs, int toMs, int spreadMs, Action<DateTimeOffset>? before = null)
    {
        for (var ms = fromMs; ms < toMs; ms += 20)
        {
            var late = spreadMs == 0 || ms == 0 ? 0 : random.Next(0, spreadMs);
            before?.Invoke(At(ms + late));
            call.Receive(Framed(AudioPacket((ushort)(ms / 20))), At(ms + late));
            if (ms % 40 == 0) call.Receive(Framed(VideoPacket((ushort)(ms / 40)) with { Timestamp = (uint)ms * 90 }), At(ms + late));
        }
    }

    private static TimeSpan? LastTold(IEnumerable<MediaSessionOutput> outputs, MediaStreamKind stream) =>
        outputs.OfType<PlayoutTargetChanged>().LastOrDefault(t => t.Stream == stream)?.Target;

    [Fact]
    public void Jitter_in_the_first_two_seconds_moves_no_target_and_the_grace_ends_at_its_own_deadline()
    {
        var call = new MediaSessionCall();
        Stream(call, new Random(3), 0, 1_900, spreadMs: 40);
        Assert.Empty(call.Take().OfType<PlayoutTargetChanged>());
        Assert.True(call.Session.Feedback.AudioJitter > TimeSpan.FromMilliseconds(3), "the stream should have been jittery");

        call.RunUntil(At(2_000) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(call.Take().OfType<PlayoutTargetChanged>());
        call.RunUntil(At(2_000));
        var told = call.Take().OfType<PlayoutTargetChanged>().ToList();
        var audio = Assert.Single(told, t => t.Stream == MediaStreamKind.Audio).Target;
        Assert.Equal(call.Session.Feedback.AudioJitter * 3 + TimeSpan.FromMilliseconds(10), audio);
        Assert.Equal(audio, call.Session.AudioPlayoutDelay);
        Assert.Single(told, t => t.Stream == MediaStreamKind.Video && t.Target > TimeSpan.Zero);
    }

    [Fact]
    public void A_target_rises_at_once_and_decays_slowly_once_the_path_is_calm()
    {
        var call = new MediaSessionCall();
        var random = new Random(5);
        Stream(call, random, 0, 4_000, spreadMs: 40);
        var high = LastTold(call.Take(), MediaStreamKind.Audio)!.Value;
        Assert.True(high > TimeSpan.FromMilliseconds(40), $"audio target {high.TotalMilliseconds} ms");

        Stream(call, random, 4_000, 6_000, spreadMs: 0);
        var calmer = LastTold(call.Take(), MediaStreamKind.Audio)!.Value;
        Assert.InRange(high - calmer, TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(21));
    }

    [Fact]
    public void Driven_only_at_its_deadlines_a_session_tells_the_targets_one_looked_at_every_10_ms_tells()
    {
        var (byDeadline, polled) = (new MediaSessionCall(), new MediaSessionCall());
        var (told, toldPolled) = (new Dictionary<MediaStreamKind, TimeSpan>(), new Dictionary<MediaStreamKind, TimeSpan>());
        void Note(MediaSessionCall call, Dictionary<MediaStreamKind, TimeSpan> targets)
        {
            foreach (var target in call.Take().OfType<PlayoutTargetChanged>()) targets[target.Stream] = target.Target;
        }
        var nextPoll = Start;
        void Poll(DateTimeOffset upTo)
        {
            for (; nextPoll <= upTo; nextPoll += TimeSpan.FromMilliseconds(10))
                polled.Do((session, now) => session.HandleTimeout(now), nextPoll);
        }
        void Compare(DateTimeOffset at)
        {
            byDeadline.RunUntil(at);
            Poll(at);
            Note(byDeadline, told);
            Note(polled, toldPolled);
            foreach (var stream in new[] { MediaStreamKind.Audio, MediaStreamKind.Video })
            {
                var difference = (told.GetValueOrDefault(stream) - toldPolled.GetValueOrDefault(stream)).Duration();
                Assert.True(difference <= 2 * MediaSession.TargetStep, $"{stream} at {at:ss.fff}: {told.GetValueOrDefault(stream)} vs {toldPolled.GetValueOrDefault(stream)}");
            }
        }

        var (randomA, randomB) = (new Random(9), new Random(9));
        for (var second = 0; second < 8; second++)
        {
            var spread = second is >= 5 and < 7 ? 120 : 0;
            Stream(byDeadline, randomA, second * 1000, second * 1000 + 1000, spread);
            Stream(polled, randomB, second * 1000, second * 1000 + 1000, spread, Poll);
            Compare(At(second * 1000 + 1000));
        }
        for (var ms = 8_100; ms <= 14_000; ms += 100) Compare(At(ms));
        Assert.True(told[MediaStreamKind.Audio] < TimeSpan.FromMilliseconds(100), "the audio target should have decayed after the packets stopped");
    }

    [Fact]
    public void Shown_frames_give_the_first_picture_once_the_latency_and_the_freezes()
    {
        var call = new MediaSessionCall(remote: null, flowing: false);
        call.Do((session, now) => session.HandleStart(now, Peer), At(1_000));
        call.Take();
        call.Do((session, now) => session.HandleFrameShown(now, TimeSpan.FromMilliseconds(80)), At(1_450));
        call.Do((session, now) => session.HandleFrameShown(now, TimeSpan.FromMilliseconds(90)), At(1_483));
        call.Do((session, now) => session.HandleFrameShown(now, TimeSpan.FromMilliseconds(70)), At(1_783));

        var first = Assert.Single(call.Take().OfType<FirstPictureReached>());
        Assert.Equal(TimeSpan.FromMilliseconds(450), first.AfterFlowStart);
        Assert.Equal(TimeSpan.FromMilliseconds(80), call.Session.Counters.Latency.Percentile(50));
        Assert.Equal(1, call.Session.Freezes);
        Assert.Equal(TimeSpan.FromMilliseconds(300), call.Session.FreezeTime(At(1_800)));
        Assert.Equal(TimeSpan.FromMilliseconds(300 + 250), call.Session.FreezeTime(At(2_033)));
        var rates = call.Session.Rates(At(1_800));
        Assert.Equal(3, rates.FramesRendered);
        Assert.Equal(80, rates.GlassToGlassP50Ms!.Value, 3);
    }

    [Fact]
    public void Stage_counts_drops_and_the_encoders_format_are_kept_for_the_stats()
    {
        var call = new MediaSessionCall();
        call.Do((session, now) => session.HandleCount(now, MediaCounter.BytesSent, 1_250), At(100));
        call.Do((session, now) => session.HandleCount(now, MediaCounter.VideoFramesSent, 1), At(100));
        call.Do((session, _) => session.HandleDrop("encoder-backlog", 2));
        call.Do((session, _) => session.HandleEncodedFormat(320, 240, 15));
        call.Do((session, _) => session.HandleAudioPlayed(TimeSpan.FromMilliseconds(60)));

        Assert.Equal(1_250, call.Session.Counters[MediaCounter.BytesSent]);
        Assert.Equal(2, call.Session.Counters.DropsByReason()["encoder-backlog"]);
        Assert.Equal((320, 240, 15), call.Session.SentFormat);
        Assert.Equal(TimeSpan.FromMilliseconds(60), call.Session.Counters.AudioLatency.Percentile(95));
        var rates = call.Session.Rates(At(500));
        Assert.Equal(1_250 * 8, rates.SendBitrate);
        Assert.Equal(1, rates.FramesSent);
    }
}
