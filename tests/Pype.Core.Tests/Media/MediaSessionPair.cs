using Pype.Core.Calls;
using Pype.Core.Media;
using Pype.Core.Rtp;

namespace Pype.Core.Tests.Media;

/// <summary>
/// Both sides of a call's media control in virtual time over a lossy, jittery path: each side
/// sends synthetic video (a frame of <see cref="PacketsPerFrame"/> packets every 33 ms, with
/// send times) and audio (a packet every 20 ms), each side's RTCP reaches the other through the
/// same path, and NACKed packets are resent from the sender's history, as the sending stage does.
/// Each session is woken at its <see cref="MediaSession.NextDeadline"/> only, as its shell does;
/// <see cref="PollEvery"/> adds looks in between, to find what the deadlines missed.
/// </summary>
internal sealed class MediaSessionPair
{
    public const int PacketsPerFrame = 3;

    private static readonly TimeSpan VideoInterval = TimeSpan.FromMilliseconds(33);
    private static readonly TimeSpan AudioInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan HairBeforeDeadline = TimeSpan.FromMicroseconds(100);

    private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> events = new();
    private readonly Random random;
    private readonly double lossPercent;
    private readonly TimeSpan delay;
    private readonly TimeSpan jitter;
    private long order;

    public MediaSessionPair(int seed, double lossPercent, TimeSpan delay, TimeSpan jitter)
    {
        (random, this.lossPercent, this.delay, this.jitter) = (new Random(seed), lossPercent, delay, jitter);
        var (a, b) = (MediaOffer.Create(0xA1, 0xA2), MediaOffer.Create(0xB1, 0xB2));
        A = new Side(this, a, b);
        B = new Side(this, b, a);
        (A.Peer, B.Peer) = (B, A);
        foreach (var side in new[] { A, B })
        {
            At(Now, side.SendVideoFrame);
            At(Now, side.SendAudio);
        }
    }

    public Side A { get; }

    public Side B { get; }

    public DateTimeOffset Now { get; private set; } = MediaSessionCall.Start;

    /// <summary>When set, this side also gets a timeout this often, between its deadlines.</summary>
    public (Side Side, TimeSpan Interval)? PollEvery { get; set; }

    /// <summary>Runs every packet, deadline and look due up to <paramref name="end"/>.</summary>
    public void RunUntil(DateTimeOffset end)
    {
        var nextPoll = PollEvery is { } poll ? Now + poll.Interval : DateTimeOffset.MaxValue;
        while (true)
        {
            var (side, deadline) = Earliest();
            var eventAt = events.TryPeek(out _, out var key) ? key.At : DateTimeOffset.MaxValue;
            var next = new[] { deadline, eventAt, nextPoll }.Min();
            if (next > end) break;
            Now = next;
            if (deadline == next)
                side!.Timeout(polled: false);
            else if (eventAt == next)
                events.Dequeue()();
            else
            {
                PollEvery!.Value.Side.Timeout(polled: true);
                nextPoll += PollEvery.Value.Interval;
            }
        }
        Now = end;
    }

    private (Side? Side, DateTimeOffset At) Earliest()
    {
        var (a, b) = (A.Session.NextDeadline ?? DateTimeOffset.MaxValue, B.Session.NextDeadline ?? DateTimeOffset.MaxValue);
        return a <= b ? (A, a) : (B, b);
    }

    private void At(DateTimeOffset at, Action action) => events.Enqueue(action, (at, order++));

    /// <summary>The path drops a share of the packets and delays each by its base delay plus up to its jitter.</summary>
    private void Carry(Side to, byte[] payload)
    {
        if (random.NextDouble() * 100 < lossPercent) return;
        var late = delay + TimeSpan.FromTicks((long)(random.NextDouble() * jitter.Ticks));
        At(Now + late, () => to.Input(session => session.HandleReceived(Now, payload)));
    }

    internal sealed class Side
    {
        private readonly MediaSessionPair pair;
        private readonly MediaOffer local;
        private readonly Dictionary<ushort, RtpPacket> history = [];
        private ushort videoSequence;
        private ushort audioSequence;
        private uint frames;

        public Side(MediaSessionPair pair, MediaOffer local, MediaOffer remote)
        {
            (this.pair, this.local) = (pair, local);
            var setup = new MediaSessionSetup(local, 640, 480, 30, 1500, MediaSessionCall.Everything);
            Session = new MediaSession(setup, remote, flowing: true, pair.Now);
        }

        public MediaSession Session { get; }

        public Side Peer { get; set; } = null!;

        /// <summary>What this side's session asked for, with when, from deadlines and inputs.</summary>
        public List<(DateTimeOffset At, MediaSessionOutput Output)> Outputs { get; } = [];

        /// <summary>What a look between deadlines found to do: anything here was due without a deadline saying so.</summary>
        public List<(DateTimeOffset At, MediaSessionOutput Output)> FoundByPolls { get; } = [];

        public int Timeouts { get; private set; }

        /// <summary>Timeouts after which the session's next deadline was only the minimum spacing away: a deadline that passed without effect.</summary>
        public int SpacedLooks { get; private set; }

        public long VideoFramesSent => frames;

        public void Timeout(bool polled)
        {
            var pending = Session.NextDeadline;
            if (!polled) Timeouts++;
            Session.HandleTimeout(pair.Now);
            if (!polled && Session.NextDeadline == pair.Now + MediaSession.MinLookSpacing) SpacedLooks++;
            if (!polled)
            {
                Drain(Outputs);
                return;
            }
            var found = new List<(DateTimeOffset, MediaSessionOutput)>();
            Drain(found);
            // Each poll's update rounds the decay of a playout target to a tick, so a polled target
            // crosses its step a few ticks before the deadline worked out from one update: not a miss.
            var hairBeforeDeadline = pending is { } at && at - pair.Now <= HairBeforeDeadline;
            FoundByPolls.AddRange(found.Where(f => !(f.Item2 is PlayoutTargetChanged && hairBeforeDeadline)));
            Outputs.AddRange(found);
        }

        public void Input(Action<MediaSession> input)
        {
            input(Session);
            Drain(Outputs);
        }

        public void SendVideoFrame()
        {
            var timestamp = frames++ * 3000u;
            for (var i = 0; i < PacketsPerFrame; i++)
            {
                var sendTime = (uint)((pair.Now - MediaSessionCall.Start).Ticks * 262_144 / TimeSpan.TicksPerSecond) & 0xFFFFFF;
                var packet = new RtpPacket(i == PacketsPerFrame - 1, RtpPayloadFormat.H264PayloadType, videoSequence++, timestamp, local.VideoSsrc, new byte[] { 0x41, 1, 2, 3 })
                {
                    SendTime = sendTime,
                };
                history[packet.SequenceNumber] = packet;
                pair.Carry(Peer, MediaPacketDemux.Frame(packet));
            }
            Input(session => session.HandleSent(pair.Now, MediaStreamKind.Video, timestamp, PacketsPerFrame, PacketsPerFrame * 4));
            pair.At(pair.Now + VideoInterval, SendVideoFrame);
        }

        public void SendAudio()
        {
            var packet = new RtpPacket(false, RtpPayloadFormat.OpusPayloadType, audioSequence, audioSequence * 960u, local.AudioSsrc, new byte[] { 0xFC, 1 });
            audioSequence++;
            pair.Carry(Peer, MediaPacketDemux.Frame(packet));
            Input(session => session.HandleSent(pair.Now, MediaStreamKind.Audio, packet.Timestamp, 1, 2));
            pair.At(pair.Now + AudioInterval, SendAudio);
        }

        private void Drain(List<(DateTimeOffset, MediaSessionOutput)> into)
        {
            while (Session.TryPoll(out var output))
            {
                into.Add((pair.Now, output));
                switch (output)
                {
                    case MediaDatagram datagram:
                        pair.Carry(Peer, datagram.Payload);
                        break;
                    case VideoResendRequested resend:
                        foreach (var sequence in resend.SequenceNumbers)
                        {
                            if (history.TryGetValue(sequence, out var packet)) pair.Carry(Peer, MediaPacketDemux.Frame(packet));
                        }
                        break;
                }
            }
        }
    }
}
