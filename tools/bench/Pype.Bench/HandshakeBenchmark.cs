using System.Diagnostics;
using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Noise;

namespace Pype.Bench;

/// <summary>
/// Full Noise IK handshakes (initiation, response, completion) on one thread: the CPU cost of
/// a session set-up, which bounds how many introductions a seed or node can turn into sessions.
/// </summary>
public static class HandshakeBenchmark
{
    public sealed record Result(int Handshakes, TimeSpan Elapsed, double PerSecondPerCore, double MicrosecondsEach);

    public static Result Run(TimeSpan duration)
    {
        var alice = NoiseStaticKey.From(IdentityKeyPair.Generate());
        var bob = NoiseStaticKey.From(IdentityKeyPair.Generate());
        var responder = new NoiseResponder(bob, _ => true);
        var random = SystemRandomSource.Instance;
        var now = DateTimeOffset.UtcNow;

        // Warm-up so JIT and libsodium initialisation are not measured.
        for (var i = 0; i < 200; i++) HandshakeOnce(alice, bob, responder, random, ref now, (uint)i);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < duration)
        {
            HandshakeOnce(alice, bob, responder, random, ref now, (uint)count);
            count++;
        }
        clock.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new Result(count, clock.Elapsed, count / cpuUsed.TotalSeconds, clock.Elapsed.TotalMicroseconds / count);
    }

    private static void HandshakeOnce(NoiseKeyPair alice, NoiseKeyPair bob, NoiseResponder responder, IRandomSource random, ref DateTimeOffset now, uint index)
    {
        // Each initiation needs a newer timestamp than the last one the responder saw from alice.
        now = now.AddMilliseconds(1);
        var initiator = new NoiseInitiator(alice, bob.PublicKey, index, now, random);
        var accepted = responder.Respond(initiator.InitiationPacket, index + 1, now, random);
        if (!accepted.IsSuccess) throw new InvalidOperationException($"handshake refused: {accepted.Reason}");
        var session = initiator.Complete(accepted.Value!.ResponsePacket, now);
        if (!session.IsSuccess) throw new InvalidOperationException($"handshake failed: {session.Reason}");
    }
}
