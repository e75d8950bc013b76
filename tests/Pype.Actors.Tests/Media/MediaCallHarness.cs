using System.Diagnostics;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Media;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Media;
using Pype.Media.Processes;
using Pype.Testing;

namespace Pype.Actors.Tests.Media;

/// <summary>Stands in for the network between two media sessions: delivers, drops (seeded) and reorders a few packets.</summary>
internal sealed class MediaRelay : ReceiveActor
{
    public sealed record Connect(HashAddress A, IActorRef SessionA, HashAddress B, IActorRef SessionB);

    public MediaRelay(double dropRate, double swapRate, int seed)
    {
        var random = new Random(seed);
        var routes = new Dictionary<HashAddress, IActorRef>();
        var held = new Dictionary<HashAddress, byte[]>();
        Receive<Connect>(c =>
        {
            routes[c.A] = c.SessionA;
            routes[c.B] = c.SessionB;
        });
        Receive<SendMediaPacket>(packet =>
        {
            if (!routes.TryGetValue(packet.Peer, out var to) || random.NextDouble() < dropRate) return;
            if (held.Remove(packet.Peer, out var earlier))
            {
                to.Tell(new MediaPacketReceived(packet.Payload));
                to.Tell(new MediaPacketReceived(earlier));
            }
            else if (random.NextDouble() < swapRate)
                held[packet.Peer] = packet.Payload;
            else
                to.Tell(new MediaPacketReceived(packet.Payload));
        });
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
    public static MediaSettings Settings(string videoSource, string videoOut, string audioSource, string audioOut, string keyframeInterval)
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
