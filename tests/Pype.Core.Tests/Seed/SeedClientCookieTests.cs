using Pype.Core.Seed;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>The node's seed link against a seed that asks for cookies: it keeps the cookie and retries at once with mac2.</summary>
public sealed class SeedClientCookieTests
{
    private static readonly SeedServerOptions AlwaysUnderLoad = new() { HandshakesPerSecondBeforeCookies = 0 };

    [Fact]
    public void A_node_answered_with_a_cookie_retries_at_once_with_mac2_and_registers()
    {
        var scenario = new SeedScenario();
        var seed = scenario.AddSeed(AlwaysUnderLoad);
        var node = scenario.AddNode(seed);

        scenario.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(1));

        Assert.Equal(1, seed.Server.Drops[SeedServerDrop.HandshakeCookieRequired]);
        Assert.Equal(1, seed.Server.HandshakeDiffieHellmanRuns);
        Assert.Equal(0, node.Client.Drops.Total);
    }

    [Fact]
    public void A_registered_node_rekeys_with_the_cookie_it_is_given_again()
    {
        var scenario = new SeedScenario();
        var seed = scenario.AddSeed(AlwaysUnderLoad);
        var node = scenario.AddNode(seed);
        scenario.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(1));
        var first = node.Client.SessionEstablishedAt;

        scenario.RunFor(TimeSpan.FromMinutes(5));

        Assert.True(node.Client.IsRegistered);
        // Two rekeys, each answered with a cookie first (the one of two minutes ago has expired).
        Assert.True(node.Client.SessionEstablishedAt >= first + TimeSpan.FromMinutes(4));
        Assert.Equal(3, seed.Server.Drops[SeedServerDrop.HandshakeCookieRequired]);
        Assert.Equal(3, seed.Server.HandshakeDiffieHellmanRuns);
        Assert.True(seed.Server.IsOnline(node.Key));
    }

    [Fact]
    public void A_forged_cookie_reply_is_dropped_and_counted_and_sends_nothing_until_the_real_one()
    {
        var scenario = new SeedScenario();
        var seed = scenario.AddSeed(AlwaysUnderLoad);
        var node = scenario.AddNode(seed);
        var forgedOnce = false;
        var initiationsSent = 0;
        scenario.Loses = (from, to, datagram) =>
        {
            if (PypePacket.Classify(datagram) == PypePacketType.HandshakeInitiation)
                initiationsSent++;
            if (PypePacket.Classify(datagram) == PypePacketType.CookieReply && !forgedOnce)
            {
                // Damaged in flight: what an off-path forger's reply looks like to the node.
                forgedOnce = true;
                datagram[CookieReply.EncryptedCookieOffset] ^= 0xFF;
            }
            return false;
        };

        scenario.RunFor(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, node.Client.Drops[SeedClientDrop.CookieReplyRejected]);
        Assert.Equal(1, initiationsSent);
        Assert.False(node.Client.IsRegistered);

        // The next try on the regular back-off gets a genuine cookie.
        scenario.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(1));
        Assert.Equal(1, node.Client.Drops[SeedClientDrop.CookieReplyRejected]);
    }

    [Fact]
    public void A_cookie_reply_for_no_handshake_in_flight_is_dropped_as_an_unknown_index()
    {
        var scenario = new SeedScenario();
        var seed = scenario.AddSeed();
        var node = scenario.AddNode(seed);
        scenario.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(1));

        var stray = new byte[CookieReply.Length];
        stray[0] = (byte)PypePacketType.CookieReply;
        node.Client.HandleDatagram(scenario.Now, seed.EndPoint, stray);

        Assert.Equal(1, node.Client.Drops[SeedClientDrop.UnknownIndex]);
        Assert.True(node.Client.IsRegistered);
    }
}
