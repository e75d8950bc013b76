using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Pype.Core.Turn;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>A seed with TURN servers hands each registered node servers and short-lived TURN REST credentials.</summary>
public sealed class SeedRelayGrantTests
{
    private const string Secret = "lab-shared-secret";
    private static readonly TimeSpan Registration = TimeSpan.FromSeconds(2);
    private static readonly IPEndPoint Turn = IPEndPoint.Parse("198.51.100.66:3479");

    private static SeedServerOptions WithRelay(TimeSpan? lifetime = null) =>
        new() { Relay = new SeedRelayOptions([Turn], Secret, lifetime ?? TimeSpan.FromHours(1)) };

    [Fact]
    public void A_registered_node_gets_the_servers_and_credentials_the_turn_server_will_accept()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay());
        var node = network.AddNode(seed);

        network.RunUntil(() => node.EventsOf<RelayGrantReceived>().Any(), Registration);

        var grant = node.EventsOf<RelayGrantReceived>().First().Grant;
        Assert.Equal([Turn], grant.Servers);
        var expiry = network.Now + TimeSpan.FromHours(1);
        Assert.InRange(grant.Expires, expiry - TimeSpan.FromSeconds(3), expiry);
        Assert.Equal($"{grant.Expires.ToUnixTimeSeconds()}:{HashAddress.FromPublicKey(node.Key.Span).Short}", grant.Credentials.Username);
        Assert.Equal(TurnRestCredentials.PasswordFor(Secret, grant.Credentials.Username), grant.Credentials.Password);
        Assert.Equal(node.EventsOf<RelayGrantReceived>().Count(), seed.Server.RelayCredentialsIssued);
    }

    [Fact]
    public void Every_rekey_brings_fresh_credentials_long_before_the_old_ones_expire()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay(TimeSpan.FromMinutes(10)));
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, Registration);

        network.RunFor(TimeSpan.FromMinutes(9));

        var expiries = node.EventsOf<RelayGrantReceived>().Select(g => g.Grant.Expires).ToList();
        Assert.True(expiries.Count >= 4, $"{expiries.Count} grants in 9 minutes");
        Assert.Equal(expiries.Order(), expiries);
        Assert.True(expiries[^1] - network.Now > TimeSpan.FromMinutes(7), "the newest credentials have most of their lifetime left");
    }

    [Fact]
    public void A_node_that_asks_for_a_fresh_grant_gets_one_at_once_and_an_unregistered_one_cannot_ask()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay());
        var node = network.AddNode(seed);
        Assert.False(node.Client.RequestRelayGrant(network.Now));
        network.RunUntil(() => node.EventsOf<RelayGrantReceived>().Any(), Registration);
        network.RunFor(TimeSpan.FromSeconds(5));
        var before = node.EventsOf<RelayGrantReceived>().Count();

        Assert.True(node.Client.RequestRelayGrant(network.Now));
        network.RunUntil(() => node.EventsOf<RelayGrantReceived>().Count() > before, TimeSpan.FromSeconds(1));
        Assert.Equal(before + 1, seed.Server.RelayCredentialsIssued);
    }

    /// <summary>A grant's packet (about 100 bytes) is the only transport packet from the seed this large while no introductions flow.</summary>
    private static bool IsGrant(SeedServerHost seed, IPEndPoint source, byte[] datagram) =>
        source.Equals(seed.EndPoint) && PypePacket.Classify(datagram) == PypePacketType.TransportData && datagram.Length > 60;

    [Fact]
    public void A_lost_grant_is_repaired_within_a_second_by_registering_again()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay());
        var node = network.AddNode(seed);
        var grantsSent = 0;
        network.Loses = (source, _, datagram) => IsGrant(seed, source, datagram) && ++grantsSent == 1;
        network.RunUntil(() => node.Client.IsRegistered, Registration);
        var registeredAt = network.Now;

        network.RunUntil(() => node.EventsOf<RelayGrantReceived>().Any(), TimeSpan.FromSeconds(1));

        Assert.Equal(2, grantsSent);
        Assert.Equal(2, seed.Server.RelayCredentialsIssued);
        Assert.InRange(network.Now - registeredAt, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1));
        network.RunFor(TimeSpan.FromSeconds(5));
        Assert.Single(node.EventsOf<RelayGrantReceived>());
        Assert.Equal(2, seed.Server.RelayCredentialsIssued);
    }

    [Fact]
    public void A_node_whose_grants_keep_getting_lost_gives_up_after_a_few_tries_until_its_next_rekey()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay());
        var node = network.AddNode(seed);
        network.Loses = (source, _, datagram) => IsGrant(seed, source, datagram);
        network.RunUntil(() => node.Client.IsRegistered, Registration);

        network.RunFor(TimeSpan.FromSeconds(30));

        Assert.Equal(1 + new SeedClientOptions { Identity = node.Identity, Seeds = [] }.RelayGrantRetries, seed.Server.RelayCredentialsIssued);
        Assert.True(node.Client.IsRegistered);
    }

    [Fact]
    public void A_seed_without_relays_sends_no_grant_and_the_node_waits_for_none()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, Registration);
        var registrations = 0;
        network.Loses = (source, destination, datagram) =>
        {
            registrations += source.Equals(node.EndPoint) && datagram.Length > 100 ? 1 : 0;
            return false;
        };
        network.RunFor(TimeSpan.FromSeconds(5));

        Assert.Empty(node.EventsOf<RelayGrantReceived>());
        Assert.Equal(0, seed.Server.RelayCredentialsIssued);
        Assert.Equal(0, registrations);
        Assert.Equal(0, node.Client.Drops.Total);
    }

    [Fact]
    public void A_relayed_candidate_reaches_the_seed_at_once_and_travels_in_introductions()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed(WithRelay());
        var alice = network.AddNode(seed);
        var bob = network.AddNode(seed);
        network.RunUntil(() => alice.Client.IsRegistered && bob.Client.IsRegistered, Registration);
        var relayed = IPEndPoint.Parse("198.51.100.66:49160");

        alice.Client.SetRelayedCandidate(network.Now, relayed);
        network.Pump();
        bob.Client.RequestConnect(alice.Key);
        network.Pump();

        var introduced = Assert.Single(bob.EventsOf<IntroductionReceived>());
        Assert.Equal(new Candidate(CandidateKind.Relayed, relayed), introduced.Peer.Candidates[^1]);
    }

    [Fact]
    public void Neither_the_secret_nor_a_password_shows_in_text()
    {
        var options = WithRelay().Relay!;
        var credentials = TurnRestCredentials.Create(Secret, SeedScenario.Start, "abc");
        var grant = new SeedRelayGrant([Turn], credentials, SeedScenario.Start);

        Assert.DoesNotContain(Secret, options.ToString());
        Assert.DoesNotContain(credentials.Password, grant.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Bad_relay_settings_are_refused_at_start(int servers)
    {
        var options = new SeedServerOptions { Relay = new SeedRelayOptions([.. Enumerable.Repeat(Turn, servers)], Secret, TimeSpan.FromHours(1)) };
        Assert.Throws<ArgumentException>(() => new SeedServer(IdentityKeyPair.Generate(), options, new SeededRandomSource(1)));
        var noSecret = new SeedServerOptions { Relay = new SeedRelayOptions([Turn], "", TimeSpan.FromHours(1)) };
        Assert.Throws<ArgumentException>(() => new SeedServer(IdentityKeyPair.Generate(), noSecret, new SeededRandomSource(1)));
    }

    [Fact]
    public void A_grant_naming_a_server_that_is_not_a_relay_kind_or_an_empty_username_is_malformed()
    {
        var encoded = SeedMessageCodec.Encode(new SeedRelayGrant([Turn], new TurnCredentials("u", "p"), SeedScenario.Start));
        var kindAt = 1 + 8 + 1;
        var wrongKind = encoded.ToArray();
        wrongKind[kindAt] = (byte)CandidateKind.Host;
        Assert.Equal(SeedMessageError.InvalidField, SeedMessageCodec.Decode(wrongKind).Reason);

        var usernameLengthAt = kindAt + 1 + 1 + 4 + 2;
        var emptyName = encoded.ToArray();
        emptyName[usernameLengthAt] = 0;
        Assert.False(SeedMessageCodec.Decode(emptyName).IsSuccess);
    }
}
