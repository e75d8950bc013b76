using CsCheck;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Tests.Support;
using Xunit;
using Command = Pype.Core.Calls.CallDeskCommand;

namespace Pype.Core.Tests.Calls;

/// <summary>
/// A desk fed random signalling from a handful of peers (well-formed messages with ids from a small
/// pool, and garbage), call-list finds, tombstones, lost links, failed media and the user's commands
/// with random prefixes, in random order and at random times: it never throws, stays within its
/// caps, and its media commands always make sense (a route names an open session, only open
/// sessions are let flow or stopped, none is opened twice).
/// </summary>
public sealed class CallDeskHostileInputTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Random_hostile_input_never_throws_and_keeps_the_desk_within_its_caps_and_its_media_commands_consistent()
    {
        Gen.Int.Sample(seed => Run(seed, steps: 400), iter: 60);
    }

    [Fact]
    public void A_flood_of_invites_from_many_peers_keeps_the_desk_within_its_caps()
    {
        Gen.Int.Sample(seed => Run(seed, steps: 3_000, peers: 400), iter: 3);
    }

    private static void Run(int seed, int steps, int peers = 5)
    {
        var random = new Random(seed);
        var selfKey = Key(0);
        var desk = new CallDesk(HashAddress.FromPublicKey(selfKey), new SeededRandomSource(seed), new CallDeskOptions { AutoAnswer = random.Next(2) == 0 });
        var keys = Enumerable.Range(1, peers).Select(Key).ToArray();
        var ids = Enumerable.Range(1, 12).Select(n => (UInt128)random.NextInt64() << 64 | (UInt128)n).ToList();
        var open = new Dictionary<UInt128, bool>();
        var now = Start;
        for (var step = 0; step < steps; step++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 3_000));
            var key = keys[random.Next(keys.Length)];
            var peer = HashAddress.FromPublicKey(key);
            var callId = random.Next(4) == 0 ? (UInt128)random.NextInt64() : ids[random.Next(ids.Count)];
            switch (random.Next(12))
            {
                case 0 or 1 or 2:
                    desk.HandleSignal(now, peer, key, CallMessageCodec.Encode(RandomMessage(random, callId)));
                    break;
                case 3:
                    var garbage = new byte[random.Next(0, 80)];
                    random.NextBytes(garbage);
                    desk.HandleSignal(now, peer, key, garbage);
                    break;
                case 4:
                    desk.HandleInviteFound(now, callId, random.Next(10) == 0 ? [1, 2, 3] : key, random.Next(5) == 0 ? [9, 9] : Offer(random).Encode());
                    break;
                case 5:
                    desk.HandleTombstone(now, callId, peer, (CallEntryKind)random.Next(0, 4));
                    break;
                case 6:
                    desk.HandleLinkLost(now, peer);
                    break;
                case 7:
                    desk.HandleMediaGone(now, callId);
                    open.Remove(callId);
                    break;
                case 8:
                    ids.Add(desk.Place(now, random.Next(8) == 0 ? selfKey : key).CallId);
                    break;
                case 9:
                    var prefix = random.Next(3) == 0 ? null : callId.ToString("x32")[..random.Next(0, 33)];
                    _ = random.Next(3) switch
                    {
                        0 => desk.Answer(now, prefix),
                        1 => desk.Reject(now, prefix),
                        _ => desk.HangUp(now, prefix),
                    };
                    break;
                default:
                    if (desk.NextDeadline is { } deadline)
                    {
                        now = deadline > now ? deadline : now;
                        desk.HandleTimeout(now);
                    }

                    break;
            }

            Check(desk, open);
            Assert.InRange(desk.Book.Calls.Count, 0, CallBook.MaxCalls);
            Assert.All(desk.Book.Calls.GroupBy(call => call.Peer), withPeer => Assert.InRange(withPeer.Count(), 0, CallBook.MaxCallsPerPeer));
            Assert.True(desk.NextDeadline is null || desk.Book.Calls.Count > 0);
        }
    }

    /// <summary>Replays the desk's media commands on a model of its sessions (call id → flowing).</summary>
    private static void Check(CallDesk desk, Dictionary<UInt128, bool> open)
    {
        while (desk.PollCommand() is { } command)
        {
            switch (command)
            {
                case Command.PrepareMedia prepare:
                    Assert.True(open.TryAdd(prepare.CallId, false), "a session opened twice");
                    break;
                case Command.StartMedia start:
                    Assert.True(open.TryAdd(start.CallId, true), "a session opened twice");
                    break;
                case Command.ReleaseMedia release:
                    Assert.False(open[release.CallId], "a flowing session let flow again");
                    open[release.CallId] = true;
                    break;
                case Command.StopMedia stop:
                    Assert.True(open.Remove(stop.CallId), "a session stopped that is not open");
                    break;
                case Command.RouteMedia { CallId: { } routed }:
                    Assert.True(open.ContainsKey(routed), "media routed to a session that is not open");
                    break;
            }
        }

        while (desk.PollEvent() is not null)
        {
        }

        Assert.Equal(open.Where(pair => pair.Value).Select(pair => pair.Key).Order(), desk.FlowingCalls.Select(call => call.CallId).Order());
    }

    private static CallMessage RandomMessage(Random random, UInt128 callId) => random.Next(6) switch
    {
        0 => new CallMessage.Invite(callId, Offer(random)),
        1 => new CallMessage.Ringing(callId),
        2 => new CallMessage.Accept(callId, Offer(random)),
        3 => new CallMessage.Reject(callId, (Pype.Core.Calls.RejectReason)random.Next(0, 4)),
        4 => new CallMessage.HangUp(callId, (HangUpReason)random.Next(0, 4)),
        _ => new CallMessage.Ack(callId, (Session.SessionMessageType)random.Next(0x30, 0x36)),
    };

    private static MediaOffer Offer(Random random) => MediaOffer.Create((uint)random.Next(1, 5), (uint)random.Next(5, 9));

    private static byte[] Key(int n) => Enumerable.Range(0, IdentityKeyPair.PublicKeyLength).Select(i => (byte)(n * 7 + i + (n >> 8))).ToArray();
}
