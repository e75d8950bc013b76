using System.Buffers.Binary;
using Pype.Core;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;

namespace Pype.Simulation;

/// <summary>
/// One call's media in the harness, as MediaSessionActor runs it: the real <see cref="MediaSession"/>
/// core, fed on the virtual clock, its outputs carried as the shell carries them and its timeout
/// run at its <see cref="MediaSession.NextDeadline"/>. The stages that need ffmpeg and devices are
/// synthetic: a sender that packetises a made-up access unit of a few FU-A packets with the real
/// <see cref="H264Packetizer"/> every <see cref="VideoInterval"/> (send time stamped, kept in a real
/// <see cref="RtpSendHistory"/> for NACKs) and a 20 ms Opus-sized audio packet with the real
/// <see cref="OpusRtpPacketizer"/>; a receiver that joins the video with the real
/// <see cref="H264Depacketizer"/>, giving a gap up at the repair window the core sets
/// (<see cref="HoldDeadline"/>, as VideoReceiverActor does), and counts what arrived.
/// Everything it sends goes to <paramref name="send"/>: the endpoint's <c>SendMedia</c>, as the
/// stages tell PeerListActor.
/// </summary>
public sealed class SimulatedMediaSession
{
    /// <summary>15 frames a second: enough packets to exercise loss and repair, few enough for a fast harness.</summary>
    public static readonly TimeSpan VideoInterval = TimeSpan.FromMilliseconds(1000.0 / 15);

    public static readonly TimeSpan AudioInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>A made-up slice this long goes out as three FU-A packets.</summary>
    public const int SliceLength = 2_600;

    private const int OpusPacketLength = 60;

    private readonly Action<byte[]> send;
    private readonly H264Packetizer video;
    private readonly OpusRtpPacketizer audio;
    private readonly RtpSendHistory history = new();
    private readonly H264Depacketizer depacketizer = new();
    private readonly HoldDeadline hold = new(TimeSpan.FromMilliseconds(110));
    private readonly uint videoTimestampOffset;
    private readonly uint audioTimestampOffset;
    private DateTimeOffset nextVideo;
    private DateTimeOffset nextAudio;
    private long audioFrames;
    private bool keyframeWanted = true;

    /// <param name="remote">The peer's offer; null for a caller preparing while the call rings.</param>
    /// <param name="flowing">False to prepare, held, until <see cref="Start"/>.</param>
    /// <param name="random">The node's random source, for the streams' first sequence numbers and timestamps (RFC 3550 §5.1).</param>
    public SimulatedMediaSession(UInt128 callId, HashAddress peer, MediaOffer local, MediaOffer? remote, bool flowing, DateTimeOffset now, IRandomSource random, Action<byte[]> send)
    {
        (CallId, Peer, this.send) = (callId, peer, send);
        var setup = new MediaSessionSetup(local, 320, 240, 15, 400, new MediaStagePlan(SendsVideo: true, SendsAudio: true, DecodesVideo: true, PlaysAudio: false));
        Core = new MediaSession(setup, remote, flowing, now);
        Span<byte> start = stackalloc byte[12];
        random.Fill(start);
        video = new H264Packetizer(local.VideoSsrc, BinaryPrimitives.ReadUInt16BigEndian(start));
        audio = new OpusRtpPacketizer(local.AudioSsrc, BinaryPrimitives.ReadUInt16BigEndian(start[2..]));
        (videoTimestampOffset, audioTimestampOffset) = (BinaryPrimitives.ReadUInt32BigEndian(start[4..]), BinaryPrimitives.ReadUInt32BigEndian(start[8..]));
        (nextVideo, nextAudio) = (now, now);
        Drain(now);
    }

    public UInt128 CallId { get; }

    public HashAddress Peer { get; }

    public MediaSession Core { get; }

    /// <summary>Every video frame sent: when, and its RTP timestamp.</summary>
    public List<(DateTimeOffset At, uint Timestamp)> VideoFramesSent { get; } = [];

    /// <summary>Every audio packet sent: when, and its sequence number.</summary>
    public List<(DateTimeOffset At, ushort Sequence)> AudioPacketsSent { get; } = [];

    /// <summary>RTP timestamps of the peer's video frames that arrived whole.</summary>
    public HashSet<uint> VideoFramesReceived { get; } = [];

    /// <summary>Sequence numbers of the peer's audio packets that arrived.</summary>
    public HashSet<ushort> AudioPacketsReceived { get; } = [];

    public long VideoPacketsResent { get; private set; }

    public long KeyframesSent { get; private set; }

    /// <summary>The earliest of the core's deadline, the receiver's gap given up, and (while flowing) the senders' next frames.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            var next = Core.NextDeadline;
            if (hold.Deadline is { } gap) next = Earliest(next, DateTimeOffset.UnixEpoch + gap);
            return Core.Flowing ? Earliest(next, nextVideo < nextAudio ? nextVideo : nextAudio) : next;
        }
    }

    /// <summary>The call was answered with <paramref name="remote"/>: the core lets media flow (StartMediaFlow).</summary>
    public void Start(DateTimeOffset now, MediaOffer remote)
    {
        Core.HandleStart(now, remote);
        (nextVideo, nextAudio) = (now, now);
        Drain(now);
    }

    /// <summary>A media payload from the peer's link (MediaPacketReceived).</summary>
    public void Receive(DateTimeOffset now, byte[] payload)
    {
        Core.HandleReceived(now, payload);
        Drain(now);
    }

    /// <summary>Whatever has come due: the core's timeout (the shell's one timer), a gap given up, the next frames sent.</summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        if (Core.NextDeadline <= now)
            Core.HandleTimeout(now);
        if (hold.IsDue(Elapsed(now)))
        {
            depacketizer.Flush();
            hold.Progressed();
            TakeFrames();
        }
        if (Core.Flowing)
        {
            while (nextVideo <= now)
            {
                SendVideoFrame(nextVideo, now);
                nextVideo += VideoInterval;
            }
            while (nextAudio <= now)
            {
                SendAudio(nextAudio, now);
                nextAudio += AudioInterval;
            }
        }
        Drain(now);
    }

    private void SendVideoFrame(DateTimeOffset capturedAt, DateTimeOffset now)
    {
        var captureMicros = (capturedAt - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        var timestamp = RtpPayloadFormat.TimestampAt(captureMicros, RtpPayloadFormat.H264ClockRate, videoTimestampOffset);
        var packets = video.Packetize(AccessUnit.Parse(Slice(keyframeWanted)), timestamp, captureMicros);
        if (keyframeWanted) KeyframesSent++;
        keyframeWanted = false;
        var octets = 0;
        foreach (var packet in packets)
        {
            history.Add(packet, now);
            octets += packet.Payload.Length;
            send(MediaPacketDemux.Frame(packet with { SendTime = RtpSendTimeExtension.From(now) }));
        }
        VideoFramesSent.Add((now, timestamp));
        Core.HandleSent(now, MediaStreamKind.Video, timestamp, packets.Count, octets);
        Core.HandleCount(now, MediaCounter.VideoFramesSent);
        Core.HandleCount(now, MediaCounter.VideoPacketsSent, packets.Count);
    }

    private void SendAudio(DateTimeOffset capturedAt, DateTimeOffset now)
    {
        var timestamp = unchecked(audioTimestampOffset + (uint)(audioFrames++ * OpusRtpPacketizer.DefaultFrameTicks));
        var captureMicros = (capturedAt - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        var packet = audio.Packetize(new byte[OpusPacketLength], timestamp, captureMicros);
        AudioPacketsSent.Add((now, packet.SequenceNumber));
        send(MediaPacketDemux.Frame(packet));
        Core.HandleSent(now, MediaStreamKind.Audio, timestamp, 1, OpusPacketLength);
        Core.HandleCount(now, MediaCounter.AudioPacketsSent);
    }

    /// <summary>The shell's drain: each output to the network or to the stage that acts on it.</summary>
    private void Drain(DateTimeOffset now)
    {
        while (Core.TryPoll(out var output))
        {
            // Encoding changes (the synthetic encoder keeps one size), playout targets and the flow start need no stage here.
            switch (output)
            {
                case MediaDatagram datagram:
                    send(datagram.Payload);
                    break;
                case MediaForStage { Stream: MediaStreamKind.Video } packet:
                    hold.PacketTaken(Elapsed(now));
                    depacketizer.Push(packet.Packet);
                    TakeFrames();
                    break;
                case MediaForStage packet:
                    AudioPacketsReceived.Add(packet.Packet.SequenceNumber);
                    break;
                case VideoResendRequested resend:
                    foreach (var packet in history.Retransmit(resend.SequenceNumbers, now, resend.MinInterval))
                    {
                        VideoPacketsResent++;
                        send(MediaPacketDemux.Frame(packet with { SendTime = RtpSendTimeExtension.From(now) }));
                    }
                    break;
                case KeyframeRequested:
                    keyframeWanted = true;
                    break;
                case HoldLimitChanged limit:
                    hold.MaxHold = limit.MaxHold;
                    break;
            }
        }
    }

    private void TakeFrames()
    {
        while (depacketizer.TryTake(out var frame))
        {
            hold.Progressed();
            if (frame.IsComplete) VideoFramesReceived.Add(frame.RtpTimestamp);
        }
    }

    /// <summary>An Annex B access unit of one made-up slice (IDR or not), with no start-code look-alikes in it.</summary>
    private static byte[] Slice(bool keyframe)
    {
        var unit = new byte[4 + 1 + SliceLength];
        unit[3] = 1;
        unit[4] = keyframe ? (byte)0x65 : (byte)0x41;
        Array.Fill(unit, (byte)0x5A, 5, SliceLength);
        return unit;
    }

    private static TimeSpan Elapsed(DateTimeOffset now) => now - DateTimeOffset.UnixEpoch;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
