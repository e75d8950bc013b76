using System.Net;
using CsCheck;
using Pype.Core.Stun;
using Pype.Core.Tests.Stun;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

public class TurnClientPropertyTests
{
    private const int Cases = 20_000;

    /// <summary>Random bytes, STUN-shaped bytes and ChannelData-shaped bytes, in the three states that read input.</summary>
    private static readonly Gen<byte[]> Garbage = Gen.OneOf(
        Gen.Byte.Array[0, 1600],
        StunGenerators.HeaderShapedBytes,
        Gen.Select(Gen.UShort[0x4000, 0x4FFF], Gen.Byte.Array[0, 64], Gen.UShort[0, 80], (channel, payload, declared) =>
        {
            var bytes = new byte[4 + payload.Length];
            bytes[0] = (byte)(channel >> 8);
            bytes[1] = (byte)channel;
            bytes[2] = (byte)(declared >> 8);
            bytes[3] = (byte)declared;
            payload.CopyTo(bytes, 4);
            return bytes;
        }));

    [Fact]
    public void Garbage_from_the_server_never_throws_and_never_changes_the_state()
    {
        var idle = new TurnHarness(seed: 2);
        var allocating = new TurnHarness(seed: 3);
        allocating.Client.Start(allocating.Now);
        var allocated = new TurnHarness(seed: 4).Allocated();
        allocated.Client.Send(allocated.Now, TurnHarness.Peer, [1]);

        Garbage.Sample(bytes =>
        {
            foreach (var harness in new[] { idle, allocating, allocated })
                harness.Deliver(bytes);
        }, iter: Cases, threads: 1);

        Assert.Equal(TurnClientState.Idle, idle.Client.State);
        Assert.Equal(TurnClientState.Allocating, allocating.Client.State);
        Assert.Equal(TurnClientState.Allocated, allocated.Client.State);
        Assert.True(allocated.Client.Drops.Total > Cases / 2);
    }

    /// <summary>Valid-looking responses with our transaction ids but random content must not throw either.</summary>
    [Fact]
    public void Well_formed_responses_with_random_attributes_to_real_requests_never_throw() =>
        Gen.Select(StunGenerators.Message, Gen.Int[0, 3], Gen.Bool).Sample((message, method, signed) =>
        {
            var harness = new TurnHarness(seed: method);
            harness.Client.Start(harness.Now);
            var request = harness.SentOne(StunMethod.Allocate);
            harness.Deliver(harness.Server.Challenge(request));
            var signedRequest = harness.SentOne(StunMethod.Allocate);
            var reply = message with
            {
                TransactionId = signedRequest.TransactionId,
                Type = new StunMessageType(message.Type.Class, StunMethod.Allocate),
            };
            harness.Deliver(StunMessageEncoder.Encode(reply,
                signed ? StunMessageProtection.WithIntegrity(harness.Server.Key) : StunMessageProtection.FingerprintOnly));
            harness.Client.HandleTimeout(harness.Now + TimeSpan.FromMinutes(1));
            harness.Events();
        }, iter: 5_000);

    [Fact]
    public void Random_sequences_of_inputs_never_throw_and_never_leave_a_deadline_in_the_past() =>
        Gen.Int[0, 5].Array[1, 40].Select(Gen.Int[1, 4000].Array[40], Garbage.Array[40]).Sample((steps, gaps, garbage) =>
        {
            var harness = new TurnHarness(seed: steps.Length);
            for (var i = 0; i < steps.Length; i++)
            {
                harness.Now += TimeSpan.FromMilliseconds(gaps[i] * 50);
                switch (steps[i])
                {
                    case 0: harness.Client.Start(harness.Now); break;
                    case 1: harness.Client.HandleTimeout(harness.Now); break;
                    case 2: harness.Client.Send(harness.Now, TurnHarness.Peer, [1, 2]); break;
                    case 3: harness.Client.Stop(harness.Now); break;
                    case 4: harness.Deliver(garbage[i]); break;
                    default:
                        foreach (var request in harness.Sent())
                            if (harness.Server.AnswerEverything(request) is { } answer)
                                harness.Deliver(answer);
                        break;
                }
                if (harness.Client.NextDeadline is { } deadline && deadline < harness.Now)
                    harness.Client.HandleTimeout(harness.Now);
                if (harness.Client.NextDeadline is { } after && after < harness.Now)
                    return false;
                harness.Events();
            }
            return true;
        }, iter: 2_000);
}
