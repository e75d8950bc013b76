using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// One registered peer used to be able to fill all 10,000 pending-introduction slots (targets that
/// never acknowledge keep theirs for 5 s) and ask for introductions as fast as it could send.
/// </summary>
public sealed class SeedIntroductionLimitsTests
{
    private static readonly DateTimeOffset Now = SeedScenario.Start;
    private readonly SeededRandomSource _random = new(11);
    private readonly IdentityKeyPair _seedIdentity = IdentityKeyPair.FromSeed(new byte[32]);

    private static IdentityKeyPair Identity(int n) => IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)n, 32).ToArray());

    /// <summary>A registered peer that never acknowledges an introduction.</summary>
    private RawSeedPeer Registered(SeedServer server, int n)
    {
        var identity = Identity(n);
        var peer = new RawSeedPeer(server, _seedIdentity, identity, new IPEndPoint(IPAddress.Parse("203.0.113.10"), 4000 + n), Now, _random);
        peer.Send(Now, new SeedRegister(SignedPresence.Create(identity, Now, [new Candidate(CandidateKind.Host, new IPEndPoint(IPAddress.Parse("10.0.0.1"), 4000 + n))])));
        Assert.IsType<SeedRegistered>(peer.Received().First());
        return peer;
    }

    private static SeedConnectStatus? Connect(RawSeedPeer asker, RawSeedPeer target, uint requestId, DateTimeOffset at)
    {
        asker.Send(at, new SeedConnectRequest(requestId, PeerKey.Of(target.Identity)));
        return asker.Received().OfType<SeedConnectResult>().SingleOrDefault(r => r.RequestId == requestId)?.Status;
    }

    [Fact]
    public void One_asker_holds_only_its_share_of_pending_introductions_and_others_are_still_introduced()
    {
        var server = new SeedServer(_seedIdentity, new SeedServerOptions { MaxPendingIntroductionsPerAsker = 6 }, _random);
        var asker = Registered(server, 1);
        var targets = Enumerable.Range(10, 5).Select(n => Registered(server, n)).ToList();

        var answers = targets.Select((target, i) => Connect(asker, target, (uint)i, Now)).ToList();

        Assert.Equal([SeedConnectStatus.Introduced, SeedConnectStatus.Introduced, SeedConnectStatus.Introduced, null, null], answers);
        Assert.Equal(2, server.Drops[SeedServerDrop.PendingIntroductionsPerAskerFull]);
        Assert.Equal(6, server.PendingIntroductionCount);
        var someoneElse = Registered(server, 2);
        Assert.Equal(SeedConnectStatus.Introduced, Connect(someoneElse, targets[4], 99, Now));

        // Unanswered introductions are given up after their attempts; then the asker has room again.
        var later = Now;
        while (server.NextDeadline is { } deadline && server.PendingIntroductionCount > 0)
        {
            later = deadline;
            server.HandleTimeout(later);
        }
        Assert.InRange(later - Now, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10));
        Assert.Equal(SeedConnectStatus.Introduced, Connect(asker, targets[3], 100, later));
    }

    [Fact]
    public void Connect_requests_beyond_the_burst_are_dropped_until_the_rate_refills()
    {
        var server = new SeedServer(_seedIdentity, new SeedServerOptions { ConnectBurst = 3, ConnectsPerSecond = 1 }, _random);
        var asker = Registered(server, 1);
        var target = Registered(server, 10);

        var burst = Enumerable.Range(0, 5).Select(i => Connect(asker, target, (uint)i, Now)).ToList();
        Assert.Equal(3, burst.Count(a => a == SeedConnectStatus.Introduced));
        Assert.Equal(2, server.Drops[SeedServerDrop.ConnectRateLimited]);

        Assert.Null(Connect(asker, target, 10, Now.AddMilliseconds(500)));
        Assert.Equal(SeedConnectStatus.Introduced, Connect(asker, target, 11, Now.AddMilliseconds(1500)));
    }

    [Fact]
    public void Many_askers_hold_only_the_targets_share_of_pending_introductions_and_other_targets_are_still_introduced()
    {
        var server = new SeedServer(_seedIdentity, new SeedServerOptions { MaxPendingIntroductionsPerTarget = 4 }, _random);
        var target = Registered(server, 10);
        var askers = Enumerable.Range(20, 6).Select(n => Registered(server, n)).ToList();

        var answers = askers.Select((asker, i) => Connect(asker, target, (uint)i, Now)).ToList();

        Assert.Equal(4, answers.Count(a => a == SeedConnectStatus.Introduced));
        Assert.Equal(2, answers.Count(a => a is null));
        Assert.Equal(2, server.Drops[SeedServerDrop.PendingIntroductionsPerTargetFull]);
        Assert.Equal(2 * 4, server.PendingIntroductionCount);
        var other = Registered(server, 11);
        Assert.Equal(SeedConnectStatus.Introduced, Connect(askers[5], other, 99, Now));

        // The target never acknowledges: its introductions are given up, and it has room again.
        var later = Now;
        while (server.NextDeadline is { } deadline && server.PendingIntroductionCount > 0)
        {
            later = deadline;
            server.HandleTimeout(later);
        }
        Assert.Equal(SeedConnectStatus.Introduced, Connect(askers[4], target, 100, later));
    }

    [Fact]
    public void Introductions_to_one_target_beyond_its_burst_are_dropped_until_its_rate_refills()
    {
        var server = new SeedServer(_seedIdentity, new SeedServerOptions { IntroductionsPerTargetBurst = 3, IntroductionsPerTargetPerSecond = 1 }, _random);
        var target = Registered(server, 10);
        var askers = Enumerable.Range(20, 5).Select(n => Registered(server, n)).ToList();

        var burst = askers.Select((asker, i) => Connect(asker, target, (uint)i, Now)).ToList();
        Assert.Equal(3, burst.Count(a => a == SeedConnectStatus.Introduced));
        Assert.Equal(2, server.Drops[SeedServerDrop.IntroductionsPerTargetRateLimited]);

        Assert.Null(Connect(askers[3], target, 10, Now.AddMilliseconds(500)));
        Assert.Equal(SeedConnectStatus.Introduced, Connect(askers[4], target, 11, Now.AddMilliseconds(1500)));
    }
}
