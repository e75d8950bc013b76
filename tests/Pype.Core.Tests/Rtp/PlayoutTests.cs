using Pype.Core.Rtp;
using Pype.Core.Rtp.Playout;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class PlayoutTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static RtpPacket Opus(int sequence) => new(false, 111, (ushort)sequence, (uint)(960 * sequence), 1, new byte[] { (byte)sequence });

    [Fact]
    public void Target_follows_jitter_at_once_upwards_and_slowly_downwards()
    {
        var estimator = new PlayoutDelayEstimator(PlayoutDelayOptions.Audio);

        Assert.Equal(20 * Ms, estimator.Update(TimeSpan.Zero, Start));
        Assert.Equal(40 * Ms, estimator.Update(10 * Ms, Start + 100 * Ms)); // 3 × 10 + 10
        Assert.Equal(30 * Ms, estimator.Update(TimeSpan.Zero, Start + 1100 * Ms)); // 10 ms per second down
        Assert.Equal(20 * Ms, estimator.Update(TimeSpan.Zero, Start + 5000 * Ms));
        Assert.Equal(150 * Ms, estimator.Update(200 * Ms, Start + 5100 * Ms));
        Assert.Equal(TimeSpan.Zero, new PlayoutDelayEstimator(PlayoutDelayOptions.Video).Update(TimeSpan.Zero, Start));
    }

    [Fact]
    public void A_steady_stream_waits_for_the_target_then_plays_every_frame_in_order()
    {
        var buffer = new AudioPlayoutBuffer();
        var actions = new List<AudioPlayoutAction>();
        var played = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            buffer.Push(Opus(65530 + i));
            var decision = buffer.Tick(40 * Ms);
            actions.Add(decision.Action);
            if (decision.Packet is { } packet)
                played.Add(packet.SequenceNumber);
        }

        Assert.Equal(AudioPlayoutAction.Wait, actions[0]);
        Assert.All(actions.Skip(1), a => Assert.Equal(AudioPlayoutAction.Play, a));
        Assert.Equal(Enumerable.Range(65530, 49).Select(s => s & 0xFFFF), played);
        Assert.Equal(0, buffer.Dropped + buffer.Stretched + buffer.Concealed);
    }

    [Fact]
    public void A_burst_far_beyond_the_target_is_skipped_at_once_to_the_newest_frames()
    {
        var buffer = new AudioPlayoutBuffer();
        for (var sequence = 0; sequence < 40; sequence++)
            buffer.Push(Opus(sequence)); // 800 ms arriving together after a stall upstream

        var first = buffer.Tick(40 * Ms);
        var second = buffer.Tick(40 * Ms);

        Assert.Equal((AudioPlayoutAction.Play, 38, 38), (first.Action, (int)first.Packet!.SequenceNumber, first.DroppedBefore));
        Assert.Equal((AudioPlayoutAction.Play, 39), (second.Action, (int)second.Packet!.SequenceNumber));
        Assert.Equal(38, buffer.Dropped);
    }

    [Fact]
    public void One_lost_frame_is_decoded_from_the_next_packets_FEC_two_are_concealed_first()
    {
        var buffer = new AudioPlayoutBuffer();
        foreach (var sequence in new[] { 0, 1, 3, 6, 7 })
            buffer.Push(Opus(sequence));

        var decisions = Enumerable.Range(0, 8).Select(_ => buffer.Tick(20 * Ms)).ToList();

        // 100 ms span against a 20 ms target: the first tick also drops frame 0 to shrink the buffer.
        Assert.Equal(1, decisions[0].DroppedBefore);
        Assert.Equal(
            [AudioPlayoutAction.Play, AudioPlayoutAction.DecodeFec, AudioPlayoutAction.Play, AudioPlayoutAction.Conceal,
             AudioPlayoutAction.DecodeFec, AudioPlayoutAction.Play, AudioPlayoutAction.Play, AudioPlayoutAction.Wait],
            decisions.Select(d => d.Action));
        Assert.Equal(3, decisions[1].Packet!.SequenceNumber);
        Assert.Equal(6, decisions[4].Packet!.SequenceNumber);
        Assert.Equal(1, buffer.Underruns);
    }

    [Fact]
    public void A_burst_is_drained_towards_the_target_one_drop_per_100_ms()
    {
        var buffer = new AudioPlayoutBuffer();
        for (var i = 0; i < 11; i++) // 220 ms: within CatchUpBeyond of the 40 ms target
            buffer.Push(Opus(i));

        var drops = new List<int>();
        for (var tick = 0; tick < 10; tick++)
        {
            if (buffer.Tick(40 * Ms).DroppedBefore > 0)
                drops.Add(tick);
        }

        Assert.Equal([0, 5], drops);
    }

    [Fact]
    public void A_raised_target_is_reached_by_stretching_and_late_packets_are_refused()
    {
        var buffer = new AudioPlayoutBuffer();
        buffer.Push(Opus(0));
        buffer.Push(Opus(1));
        Assert.Equal(AudioPlayoutAction.Play, buffer.Tick(20 * Ms).Action);
        buffer.Push(Opus(2));

        Assert.Equal(AudioPlayoutAction.Stretch, buffer.Tick(100 * Ms).Action);
        Assert.Equal(AudioPushOutcome.Late, buffer.Push(Opus(0)));
        Assert.Equal(AudioPushOutcome.Duplicate, buffer.Push(Opus(2)));
        Assert.Equal(2 * 20 * Ms, buffer.Depth);
    }

    [Fact]
    public void A_wild_jump_is_discarded_unless_the_next_packet_follows_it()
    {
        var buffer = new AudioPlayoutBuffer();
        buffer.Push(Opus(0));
        Assert.Equal(AudioPlayoutAction.Play, buffer.Tick(20 * Ms).Action);

        Assert.Equal(AudioPushOutcome.Discarded, buffer.Push(Opus(30_000)));
        Assert.Equal(AudioPushOutcome.Accepted, buffer.Push(Opus(1)));
        Assert.Equal(AudioPushOutcome.Discarded, buffer.Push(Opus(40_000)));
        Assert.Equal(AudioPushOutcome.Accepted, buffer.Push(Opus(40_001)));

        Assert.Equal(1, buffer.Restarts);
        Assert.Equal(20 * Ms, buffer.Depth);
        Assert.Equal(40_001, buffer.Tick(20 * Ms).Packet!.SequenceNumber);
    }

    [Fact]
    public void Video_frames_go_out_at_once_when_the_target_is_zero()
    {
        var gate = new VideoPlayoutGate<int>();
        gate.Push(1, 0, Start);

        Assert.Equal([1], gate.Release(Start, TimeSpan.Zero));
    }

    [Fact]
    public void Video_frames_wait_until_the_fastest_delay_plus_the_target()
    {
        var gate = new VideoPlayoutGate<int>();
        var capture = Start.ToUnixTimeMilliseconds() * 1000;
        gate.Push(1, capture, Start + 10 * Ms); // fastest path: 10 ms
        gate.Push(2, capture + 33_000, Start + 70 * Ms); // 37 ms late

        Assert.Empty(gate.Release(Start + 59 * Ms, 50 * Ms));
        Assert.Equal([1], gate.Release(Start + 60 * Ms, 50 * Ms));
        Assert.Equal(Start + 93 * Ms, gate.NextDeadline(50 * Ms));
        Assert.Equal([2], gate.Release(Start + 93 * Ms, 50 * Ms));
    }

    [Fact]
    public void No_more_than_thirty_video_frames_wait()
    {
        var gate = new VideoPlayoutGate<int>();
        for (var i = 0; i < 31; i++)
            gate.Push(i, 0, Start);

        Assert.Equal([0], gate.Release(Start, TimeSpan.FromDays(1)));
        Assert.Equal(1, gate.ReleasedEarly);
    }

    [Fact]
    public void Woken_only_at_its_next_deadline_the_video_gate_releases_each_frame_at_its_time_never_before()
    {
        var gate = new VideoPlayoutGate<int>();
        var random = new Random(8);
        var capture = Start.ToUnixTimeMilliseconds() * 1000;
        var target = 40 * Ms;
        var released = new List<int>();
        var now = Start;
        for (var frame = 0; frame < 300; frame++)
        {
            var arrival = Start + frame * 33 * Ms + random.Next(0, 60) * Ms;
            // A stage armed at the deadline runs it before taking a frame that arrives later.
            while (gate.NextDeadline(target) is { } due && due <= arrival)
            {
                Assert.Empty(gate.Release(due - TimeSpan.FromTicks(1), target));
                var batch = gate.Release(due, target);
                Assert.NotEmpty(batch);
                released.AddRange(batch);
                now = due;
            }
            now = arrival > now ? arrival : now;
            gate.Push(frame, capture + frame * 33_000L, now);
        }
        while (gate.NextDeadline(target) is { } due)
            released.AddRange(gate.Release(due, target));
        Assert.Equal(Enumerable.Range(0, 300), released);
        Assert.Equal(0, gate.ReleasedEarly);
    }

    [Fact]
    public void A_hold_deadline_is_the_moment_the_wait_is_due_and_follows_a_new_limit()
    {
        var hold = new Pype.Core.Media.HoldDeadline(110 * Ms);
        Assert.Null(hold.Deadline);
        hold.PacketTaken(TimeSpan.FromSeconds(1));
        hold.PacketTaken(TimeSpan.FromSeconds(1) + 30 * Ms);
        Assert.Equal(TimeSpan.FromSeconds(1) + 110 * Ms, hold.Deadline);
        Assert.False(hold.IsDue(hold.Deadline!.Value - TimeSpan.FromTicks(1)));
        Assert.True(hold.IsDue(hold.Deadline!.Value));
        hold.MaxHold = 270 * Ms;
        Assert.Equal(TimeSpan.FromSeconds(1) + 270 * Ms, hold.Deadline);
        hold.Progressed();
        Assert.Null(hold.Deadline);
    }
}
