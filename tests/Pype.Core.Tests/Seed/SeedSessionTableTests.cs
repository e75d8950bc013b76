using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// The seed's session tables: an answered handshake is half-open until its first transport
/// packet decrypts, half-open sessions are pushed out oldest first and never push out an
/// established one, and a full established table gives way only with its idlest stranger.
/// </summary>
public sealed class SeedSessionTableTests
{
    private static readonly DateTimeOffset Now = SeedScenario.Start;
    private static readonly LinkUpkeep Keepalive = new(SessionMessageType.Keepalive, 0);

    private readonly SeededRandomSource _random = new(31);
    private readonly IdentityKeyPair _seedIdentity = IdentityKeyPair.FromSeed(new byte[32]);
    private int _nextPeer = 1;

    private SeedServer Server(SeedServerOptions? options = null) => new(_seedIdentity, options ?? new SeedServerOptions(), _random);

    private RawSeedPeer Handshake(SeedServer server, DateTimeOffset at, IdentityKeyPair? identity = null)
    {
        var number = _nextPeer++;
        return new RawSeedPeer(server, _seedIdentity, identity ?? IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(number), .. new byte[28]]),
            new IPEndPoint(new IPAddress([203, 0, 113, (byte)number]), 4000 + number), at, _random);
    }

    private static RawSeedPeer Register(RawSeedPeer peer, DateTimeOffset at)
    {
        peer.Send(at, new SeedRegister(SignedPresence.Create(peer.Identity, at, [])));
        Assert.Contains(peer.Received(), m => m is SeedRegistered);
        return peer;
    }

    /// <summary>A keepalive on the peer's session is answered: the seed still holds that session.</summary>
    private static bool IsHeld(RawSeedPeer peer, DateTimeOffset at)
    {
        peer.Send(at, Keepalive);
        return peer.Received().Contains(Keepalive);
    }

    [Fact]
    public void An_answered_handshake_is_half_open_until_a_transport_packet_from_the_initiator_decrypts()
    {
        var server = Server();
        var peer = Handshake(server, Now);

        Assert.Equal((1, 0), (server.HalfOpenSessionCount, server.EstablishedSessionCount));

        Assert.True(IsHeld(peer, Now));
        Assert.Equal((0, 1), (server.HalfOpenSessionCount, server.EstablishedSessionCount));
    }

    [Fact]
    public void Half_open_handshakes_push_out_the_oldest_half_open_one_and_never_an_established_session()
    {
        var server = Server(new SeedServerOptions { MaxHalfOpenSessions = 5 });
        var registered = Register(Handshake(server, Now), Now);

        var floods = Enumerable.Range(0, 30).Select(_ => Handshake(server, Now)).ToList();

        Assert.Equal(5, server.HalfOpenSessionCount);
        Assert.Equal(25, server.HalfOpenEvictions);
        Assert.True(server.IsOnline(PeerKey.Of(registered.Identity)));
        Assert.True(IsHeld(registered, Now));
        // The pushed-out ones are gone, the newest five can still complete.
        Assert.False(IsHeld(floods[0], Now));
        Assert.True(IsHeld(floods[^1], Now));
    }

    [Fact]
    public void A_rekey_handshake_leaves_the_registered_session_in_place_until_the_new_session_carries_a_packet()
    {
        var server = Server();
        var old = Register(Handshake(server, Now), Now);
        var later = Now + TimeSpan.FromMinutes(2);

        var rekeyed = Handshake(server, later, old.Identity);
        Assert.True(IsHeld(old, later));

        Assert.True(IsHeld(rekeyed, later));
        Assert.False(IsHeld(old, later));
        Assert.True(server.IsOnline(PeerKey.Of(old.Identity)));
        Assert.Equal(1, server.EstablishedSessionCount);
    }

    [Fact]
    public void A_full_established_table_gives_way_with_its_idlest_unregistered_session_and_never_a_registered_one()
    {
        var server = Server(new SeedServerOptions { MaxSessions = 3 });
        var registered = Register(Handshake(server, Now), Now);
        var first = Handshake(server, Now);
        var second = Handshake(server, Now);
        Assert.True(IsHeld(first, Now + TimeSpan.FromSeconds(1)));
        Assert.True(IsHeld(second, Now + TimeSpan.FromSeconds(2)));
        Assert.True(IsHeld(first, Now + TimeSpan.FromSeconds(3)));

        var newcomer = Handshake(server, Now + TimeSpan.FromSeconds(4));
        Assert.True(IsHeld(newcomer, Now + TimeSpan.FromSeconds(4)));

        Assert.Equal(1, server.StrangerEvictions);
        Assert.False(IsHeld(second, Now + TimeSpan.FromSeconds(5)));
        Assert.True(IsHeld(first, Now + TimeSpan.FromSeconds(5)));
        Assert.True(IsHeld(registered, Now + TimeSpan.FromSeconds(5)));

        // With every established session registered, a newcomer is refused instead.
        Register(first, Now + TimeSpan.FromSeconds(6));
        Register(newcomer, Now + TimeSpan.FromSeconds(6));
        var refused = Handshake(server, Now + TimeSpan.FromSeconds(7));
        Assert.False(IsHeld(refused, Now + TimeSpan.FromSeconds(7)));
        Assert.Equal(1, server.Drops[SeedServerDrop.SessionTableFull]);
        Assert.Equal(3, server.RegisteredPeerCount);
        Assert.True(IsHeld(registered, Now + TimeSpan.FromSeconds(8)));
    }

    [Fact]
    public void A_half_open_session_nobody_completes_is_forgotten_after_the_half_open_timeout()
    {
        var server = Server();
        var silent = Handshake(server, Now);

        server.HandleTimeout(Now + new SeedServerOptions().HalfOpenTimeout);

        Assert.Equal(0, server.SessionCount);
        Assert.False(IsHeld(silent, Now + TimeSpan.FromSeconds(11)));
    }
}
