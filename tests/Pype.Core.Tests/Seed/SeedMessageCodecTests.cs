using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Seed;

public sealed class SeedMessageCodecTests
{
    private static readonly DateTimeOffset Now = SeedScenario.Start;
    private static readonly IdentityKeyPair Identity = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)5, 32).ToArray());

    private static readonly IReadOnlyList<Candidate> Candidates =
    [
        new(CandidateKind.Host, IPEndPoint.Parse("10.1.2.3:4000")),
        new(CandidateKind.Host, IPEndPoint.Parse("[fd00::1]:4000")),
        new(CandidateKind.ServerReflexive, IPEndPoint.Parse("203.0.113.7:61000")),
    ];

    private static SignedPresence Presence => SignedPresence.Create(Identity, Now, Candidates);

    public static TheoryData<string> MessageNames => new(Examples().Select(e => e.Name));

    internal static IEnumerable<(string Name, SeedMessage Message)> Examples()
    {
        yield return ("register", new SeedRegister(Presence));
        yield return ("registered", new SeedRegistered(15, IPEndPoint.Parse("203.0.113.7:61000")));
        yield return ("registered, grant follows", new SeedRegistered(2, IPEndPoint.Parse("[2001:db8::7]:61000"), SeedRegistered.RelayGrantFollowsFlag));
        yield return ("peer list request", new SeedPeerListRequest(32));
        yield return ("peer list", new SeedPeerList([.. Enumerable.Range(0, 32).Select(i => PeerKey.Parse(Enumerable.Repeat((byte)i, 32).ToArray()))]));
        yield return ("connect", new SeedConnectRequest(0xDEADBEEF, PeerKey.Of(Identity)));
        yield return ("connect result", new SeedConnectResult(7, SeedConnectStatus.NotRegistered));
        yield return ("introduction", new SeedIntroduction(9, Presence, [new Candidate(CandidateKind.ServerReflexive, IPEndPoint.Parse("[2001:db8::9]:5"))]));
        yield return ("introduction ack", new SeedIntroductionAck(uint.MaxValue));
        yield return ("relay grant", new SeedRelayGrant([IPEndPoint.Parse("198.51.100.66:3479"), IPEndPoint.Parse("[2001:db8::66]:3479")],
            new Pype.Core.Turn.TurnCredentials("1900000000:0a1b2c3d", "c2VjcmV0IHBhc3N3b3JkIGhlcmU="), DateTimeOffset.FromUnixTimeSeconds(1_900_000_000)));
        yield return ("keepalive", new LinkUpkeep(SessionMessageType.Keepalive, 0));
        yield return ("ping", new LinkUpkeep(SessionMessageType.Ping, ulong.MaxValue));
    }

    private static SeedMessage Example(string name) => Examples().Single(e => e.Name == name).Message;

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Every_message_survives_a_round_trip_byte_for_byte(string name)
    {
        var encoded = SeedMessageCodec.Encode(Example(name));

        var decoded = SeedMessageCodec.Decode(encoded);

        Assert.True(decoded.IsSuccess, decoded.Reason.ToString());
        Assert.Equal(encoded, SeedMessageCodec.Encode(decoded.Value));
        Assert.InRange(encoded.Length, 1, SeedMessageCodec.MaxMessageLength);
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Every_truncation_and_any_trailing_byte_is_refused(string name)
    {
        var encoded = SeedMessageCodec.Encode(Example(name));

        for (var length = 0; length < encoded.Length; length++)
        {
            var cut = SeedMessageCodec.Decode(encoded.AsSpan(0, length));
            // Without its optional flags byte a registration is the older form, which promises no grant.
            if (length == encoded.Length - 1 && cut.IsSuccess && cut.Value is SeedRegistered { RelayGrantFollows: false }
                && Example(name) is SeedRegistered { RelayGrantFollows: true })
                continue;
            Assert.False(cut.IsSuccess, $"{length} of {encoded.Length} bytes");
        }
        Assert.False(SeedMessageCodec.Decode([.. encoded, 0]).IsSuccess);
        if (Example(name) is not SeedRegistered { RelayGrantFollows: false })
            Assert.Equal(SeedMessageError.TrailingBytes, SeedMessageCodec.Decode([.. encoded, 0]).Reason);
    }

    [Fact]
    public void The_largest_messages_fit_one_transport_payload()
    {
        var fullPresence = SignedPresence.Create(Identity, Now,
            [.. Enumerable.Range(1, 8).Select(i => new Candidate(CandidateKind.Host, new IPEndPoint(IPAddress.IPv6Loopback, i)))]);
        var introduction = SeedMessageCodec.Encode(new SeedIntroduction(1, fullPresence,
            [.. Enumerable.Range(1, 8).Select(i => new Candidate(CandidateKind.ServerReflexive, new IPEndPoint(IPAddress.IPv6Loopback, i)))]));

        Assert.InRange(introduction.Length, 1, SeedMessageCodec.MaxMessageLength);
        Assert.InRange(SeedMessageCodec.Encode(Example("peer list")).Length, 1, SeedMessageCodec.MaxMessageLength);
    }

    [Fact]
    public void A_peer_list_claiming_more_than_thirty_two_keys_is_refused()
    {
        byte[] message = [(byte)SessionMessageType.SeedPeerList, 33, .. new byte[33 * 32]];
        Assert.Equal(SeedMessageError.InvalidField, SeedMessageCodec.Decode(message).Reason);
    }

    [Fact]
    public void A_connect_result_with_an_unknown_status_is_refused() =>
        Assert.Equal(SeedMessageError.InvalidField, SeedMessageCodec.Decode([(byte)SessionMessageType.SeedConnectResult, 0, 0, 0, 1, 9]).Reason);

    [Fact]
    public void A_registered_answer_says_a_grant_follows_only_in_its_optional_flags_byte()
    {
        static bool GrantFollows(byte[] encoded) => Assert.IsType<SeedRegistered>(SeedMessageCodec.Decode(encoded).Value).RelayGrantFollows;
        var older = SeedMessageCodec.Encode(Example("registered"));
        Assert.False(GrantFollows(older));
        Assert.Equal(12, older.Length);
        Assert.Equal(SeedMessageError.InvalidField, SeedMessageCodec.Decode([.. older, 0]).Reason);
        // Reserved bits are ignored, so a later flag does not make this node refuse the registration.
        Assert.False(GrantFollows([.. older, 0x80]));
        Assert.True(GrantFollows([.. older, 0x81]));
    }

    [Fact]
    public void A_registered_answer_must_carry_exactly_one_server_reflexive_candidate()
    {
        var encoded = SeedMessageCodec.Encode(Example("registered"));
        encoded[4] = (byte)CandidateKind.Host;
        Assert.Equal(SeedMessageError.InvalidField, SeedMessageCodec.Decode(encoded).Reason);
    }

    [Fact]
    public void Empty_and_unknown_messages_are_told_apart()
    {
        Assert.Equal(SeedMessageError.Empty, SeedMessageCodec.Decode([]).Reason);
        Assert.Equal(SeedMessageError.UnknownType, SeedMessageCodec.Decode([0x1F]).Reason);
    }

    [Fact]
    public void A_fresh_presence_verifies_and_keeps_its_fields()
    {
        var presence = Presence;

        Assert.Equal(PresenceVerdict.Valid, presence.Verify(Now, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        Assert.Equal(PeerKey.Of(Identity), presence.PublicKey);
        Assert.Equal(Now, presence.Time);
        Assert.Equal(Candidates, presence.Candidates);
    }

    [Fact]
    public void A_presence_outside_its_time_window_is_stale_or_from_the_future()
    {
        var presence = Presence;

        Assert.Equal(PresenceVerdict.Stale, presence.Verify(Now + TimeSpan.FromSeconds(61), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        Assert.Equal(PresenceVerdict.FromTheFuture, presence.Verify(Now - TimeSpan.FromSeconds(31), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Changing_any_byte_of_a_presence_breaks_its_signature_or_its_form()
    {
        var encoded = Presence.Encode();
        for (var i = 0; i < encoded.Length; i++)
        {
            var tampered = encoded.ToArray();
            tampered[i] ^= 0x01;
            if (SignedPresence.TryDecode(tampered, out var decoded))
                Assert.NotEqual(PresenceVerdict.Valid, decoded.Verify(Now, TimeSpan.FromDays(365 * 100), TimeSpan.FromDays(365 * 100)));
        }
    }

    [Fact]
    public void A_presence_time_beyond_the_calendar_is_refused_not_thrown()
    {
        var encoded = Presence.Encode();
        encoded.AsSpan(32, 8).Fill(0xFF);
        Assert.False(SignedPresence.TryDecode(encoded, out _));
    }
}
