using Akka.Actor;
using Pype.Actors.Calls;
using Pype.Actors.Media;
using Pype.Actors.Node;

namespace Pype.Cli.Demo;

/// <summary>Samples both nodes' media counters once a second, prints rates, and sums up at the end.</summary>
internal sealed class DemoStatistics(Action<string> say)
{
    private MediaStats? lastAlice, lastBob;
    private MediaStats? finalAlice, finalBob;

    public async Task SampleAsync(IActorRef alice, IActorRef bob, TimeSpan timeout)
    {
        var atAlice = await SampleOneAsync(alice, timeout);
        var atBob = await SampleOneAsync(bob, timeout);
        if (atAlice is null || atBob is null) return;
        say($"alice→bob {Direction(lastAlice, atAlice, lastBob, atBob)} | bob→alice {Direction(lastBob, atBob, lastAlice, atAlice)}");
        (lastAlice, lastBob) = (atAlice, atBob);
        (finalAlice, finalBob) = (atAlice, atBob);
    }

    /// <summary>Sent and received per second over the last sample, with the receiver's capture-to-screen latency.</summary>
    private static string Direction(MediaStats? senderBefore, MediaStats sender, MediaStats? receiverBefore, MediaStats receiver)
    {
        var sentFrames = sender.VideoFramesSent - (senderBefore?.VideoFramesSent ?? 0);
        var sentKbits = (sender.BytesSent - (senderBefore?.BytesSent ?? 0)) * 8 / 1000.0;
        var shown = receiver.VideoFramesDecoded - (receiverBefore?.VideoFramesDecoded ?? 0);
        var audio = receiver.AudioPacketsReceived - (receiverBefore?.AudioPacketsReceived ?? 0);
        var latency = receiver.CaptureToRenderP50 is { } p50 ? $"{p50.TotalMilliseconds:0.0} ms" : "—";
        return $"{sentFrames,2} fps {sentKbits,5:0} kbit/s, {shown,2} decoded/s, latency {latency}, audio {audio}/s";
    }

    private static async Task<MediaStats?> SampleOneAsync(IActorRef node, TimeSpan timeout)
    {
        var reply = await node.Ask<NodeReply>(GetCallStats.Instance, timeout);
        return reply is CallStatsReply { Calls: [var call, ..] } ? call.Media : null;
    }

    /// <summary>Why the demo showed nothing, or null when video was decoded both ways.</summary>
    public string? NothingArrived() =>
        finalAlice is null || finalBob is null ? "no statistics were collected"
        : finalBob.VideoFramesDecoded == 0 || finalAlice.VideoFramesDecoded == 0
            ? $"no video frame arrived (alice decoded {finalAlice.VideoFramesDecoded}, bob {finalBob.VideoFramesDecoded}); see the warnings above"
            : null;

    public void PrintSummary(double setupMs, string outputDirectory)
    {
        if (finalAlice is null || finalBob is null)
        {
            say("no statistics were collected");
            return;
        }
        say($"summary (call set up in {setupMs:0} ms):");
        Summarise("alice→bob", finalAlice, finalBob);
        Summarise("bob→alice", finalBob, finalAlice);
        foreach (var file in Directory.EnumerateFiles(outputDirectory, "*-received.*").Order(StringComparer.Ordinal))
            say($"  wrote {file} ({new FileInfo(file).Length / 1024.0 / 1024.0:0.0} MiB)");
    }

    private void Summarise(string direction, MediaStats sender, MediaStats receiver)
    {
        var arrived = sender.VideoFramesSent == 0 ? 0 : 100.0 * receiver.VideoFramesReceivedComplete / sender.VideoFramesSent;
        var latency = receiver.CaptureToRenderP50 is { } p50
            ? $"capture→shown p50 {p50.TotalMilliseconds:0.0} ms, p95 {receiver.CaptureToRenderP95!.Value.TotalMilliseconds:0.0} ms"
            : "no latency samples";
        say($"  {direction}: {sender.VideoFramesSent} frames sent ({sender.SendWidth}x{sender.SendHeight}@{sender.SendFrameRate}), "
            + $"{receiver.VideoFramesReceivedComplete} arrived whole ({arrived:0.0} %), {receiver.VideoFramesDecoded} decoded; {latency}; "
            + $"audio {sender.AudioPacketsSent} packets sent, {receiver.AudioPacketsReceived} received, {receiver.AudioFramesConcealed} concealed");
    }
}
