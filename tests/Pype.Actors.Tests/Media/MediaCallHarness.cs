using System.Diagnostics;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Media;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Media.Processes;
using Pype.Testing;

namespace Pype.Actors.Tests.Media;

/// <summary>
/// The path between two media sessions in a test: a one-way delay, seeded random loss, a few swapped
/// neighbours, and optionally a bottleneck (a token bucket of <see cref="CapBitsPerSecond"/> with
/// <see cref="CapBurstBytes"/> of depth; what does not fit is dropped, as a full router queue would).
/// </summary>
/// <see cref="DropFeedback"/> loses every RTCP packet (0x41), so nothing lost is repaired.
/// <see cref="DropEveryNthAudio"/> loses each n-th audio packet in each direction, on top of the random loss,
/// so a test of audio repair does not depend on where the random losses fall.
internal sealed record MediaLink(double DropRate = 0, double SwapRate = 0, TimeSpan OneWay = default, long CapBitsPerSecond = 0, int CapBurstBytes = 16_000, bool DropFeedback = false,
    int DropEveryNthAudio = 0);

/// <summary>Stands in for the network between two media sessions: delivers (after the link's delay), drops (seeded) and reorders a few packets.</summary>
internal sealed class MediaRelay : ReceiveActor
{
    public sealed record Connect(HashAddress A, IActorRef SessionA, HashAddress B, IActorRef SessionB);

    public MediaRelay(double dropRate, double swapRate, int seed)
        : this(new MediaLink(dropRate, swapRate), seed)
    {
    }

    public MediaRelay(MediaLink link, int seed)
    {
        var random = new Random(seed);
        var routes = new Dictionary<HashAddress, IActorRef>();
        var held = new Dictionary<HashAddress, byte[]>();
        var buckets = new Dictionary<HashAddress, TokenBucket>();
        var audioSeen = new Dictionary<HashAddress, long>();
        Receive<Connect>(c =>
        {
            routes[c.A] = c.SessionA;
            routes[c.B] = c.SessionB;
        });
        Receive<SendMediaPacket>(packet =>
        {
            if (!routes.TryGetValue(packet.Peer, out var to) || random.NextDouble() < link.DropRate) return;
            if (link.DropFeedback && packet.Payload is [0x41, ..]) return;
            if (link.DropEveryNthAudio > 0 && packet.Payload is [0x40, _, var marker, ..] && (marker & 0x7f) == RtpPayloadFormat.OpusPayloadType)
            {
                audioSeen[packet.Peer] = audioSeen.GetValueOrDefault(packet.Peer) + 1;
                if (audioSeen[packet.Peer] % link.DropEveryNthAudio == 0) return;
            }
            if (link.CapBitsPerSecond > 0)
            {
                if (!buckets.TryGetValue(packet.Peer, out var bucket)) buckets[packet.Peer] = bucket = new TokenBucket(link.CapBitsPerSecond, link.CapBurstBytes);
                if (!bucket.TryTake(packet.Payload.Length)) return;
            }
            if (held.Remove(packet.Peer, out var earlier))
            {
                Deliver(to, packet.Payload);
                Deliver(to, earlier);
            }
            else if (random.NextDouble() < link.SwapRate)
                held[packet.Peer] = packet.Payload;
            else
                Deliver(to, packet.Payload);
        });

        void Deliver(IActorRef to, byte[] payload)
        {
            if (link.OneWay <= TimeSpan.Zero)
                to.Tell(new MediaPacketReceived(payload));
            else
                Context.System.Scheduler.ScheduleTellOnce(link.OneWay, to, new MediaPacketReceived(payload), Self);
        }
    }

    private sealed class TokenBucket(long bitsPerSecond, int depthBytes)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private double tokens = depthBytes;
        private TimeSpan last;

        public bool TryTake(int bytes)
        {
            var now = clock.Elapsed;
            tokens = Math.Min(depthBytes, tokens + (now - last).TotalSeconds * bitsPerSecond / 8);
            last = now;
            if (tokens < bytes) return false;
            tokens -= bytes;
            return true;
        }
    }
}

/// <summary>A parent for a media session that passes its MediaProblems to a probe.</summary>
internal sealed class SessionParent : ReceiveActor
{
    public SessionParent(Props session, IActorRef probe)
    {
        var child = Context.ActorOf(session, "call");
        Receive<MediaProblem>(problem => probe.Tell(problem));
        ReceiveAny(message => child.Forward(message));
    }
}

internal static class MediaCall
{
    public const int Width = 640, Height = 480, FrameRate = 30;

    public static HashAddress NewAddress() => HashAddress.FromPublicKey(IdentityKeyPair.Generate().PublicKey.Span);

    public static (MediaSessionSpec A, MediaSessionSpec B) Specs(UInt128 callId, HashAddress a, HashAddress b)
    {
        var offerA = MediaOffer.Create(0xA11CE001, 0xA11CE002);
        var offerB = MediaOffer.Create(0xB0B00001, 0xB0B00002);
        return (new MediaSessionSpec(callId, b, offerA, offerB), new MediaSessionSpec(callId, a, offerB, offerA));
    }

    /// <summary>Media settings as the loader reads them from pype.media.* flags.</summary>
    public static MediaSettings Settings(string videoSource, string videoOut, string audioSource, string audioOut, string keyframeInterval, int bitrateKbps = 1500)
    {
        var flags = new Dictionary<string, string>
        {
            ["pype.media.video.source"] = videoSource,
            ["pype.media.video.out"] = videoOut,
            ["pype.media.audio.source"] = audioSource,
            ["pype.media.audio.out"] = audioOut,
            ["pype.media.video.keyframe-interval"] = keyframeInterval,
            ["pype.media.video.width"] = $"{Width}",
            ["pype.media.video.height"] = $"{Height}",
            ["pype.media.video.frame-rate"] = $"{FrameRate}",
            ["pype.media.video.bitrate-kbps"] = $"{bitrateKbps}",
        };
        return SettingsLoader.Load([], flags, _ => null).Settings.Media;
    }

    /// <summary>The ffmpeg children whose command line holds <paramref name="fragment"/>, busiest first (CPU time from /proc).</summary>
    public static IReadOnlyList<int> FfmpegChildren(string fragment) =>
        ChildProcesses.Named("ffmpeg").Where(p => p.CommandLine.Contains(fragment, StringComparison.Ordinal))
            .OrderByDescending(p => CpuTicks(p.Id)).Select(p => p.Id).ToList();

    public static void Kill(int processId)
    {
        using var process = Process.GetProcessById(processId);
        process.Kill(); // SIGKILL on Linux
    }

    private static long CpuTicks(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The test source's first <paramref name="count"/> pictures, made again by stock ffmpeg and stamped.</summary>
    public static List<byte[]> SourceFrames(string dir, int count) => MediaSignals.SourceFrames(dir, count, Width, Height, FrameRate);

    /// <summary>Stock ffprobe reads the file: (frames it counted, its error output).</summary>
    public static (int Frames, string Errors) Probe(string y4m) => MediaSignals.ProbeY4m(y4m);
}
