using System.Net;
using Pype.Core.Seed;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Tests.Support;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

/// <summary>
/// The node's relay in virtual time: the fake server answers at the first granted address; the
/// second granted address is a server that never answers.
/// </summary>
public sealed class TurnRelayTests
{
    private static readonly IPEndPoint Silent = IPEndPoint.Parse("198.51.100.9:3478");
    private static readonly IPAddress PeerAddress = IPAddress.Parse("203.0.113.40");

    private readonly TurnRelay _relay = new(new SeededRandomSource(7));
    private readonly FakeTurnServer _server = new();
    private readonly List<TurnRelayEvent> _events = [];
    private DateTimeOffset _now = TurnHarness.Start;

    private static SeedRelayGrant Grant(DateTimeOffset expires, params IPEndPoint[] servers) =>
        new(servers, FakeTurnServer.Credentials, expires);

    /// <summary>Moves virtual time to <paramref name="until"/>, firing deadlines; the fake server answers what is sent to it when <paramref name="answer"/> says so.</summary>
    private List<(IPEndPoint To, ReceivedStunMessage Message)> Run(TimeSpan duration, Func<ReceivedStunMessage, byte[]?> answer)
    {
        var until = _now + duration;
        var sent = new List<(IPEndPoint, ReceivedStunMessage)>();
        while (true)
        {
            while (_relay.PollEvent() is { } relayEvent)
                _events.Add(relayEvent);
            if (_relay.PollTransmit() is { } transmit)
            {
                var message = FakeTurnServer.Parse(transmit);
                sent.Add((transmit.Destination, message));
                if (transmit.Destination.Equals(FakeTurnServer.EndPoint) && answer(message) is { } reply)
                    _relay.HandleDatagram(_now, FakeTurnServer.EndPoint, reply);
                continue;
            }
            if (_relay.NextDeadline is not { } deadline || deadline > until)
                break;
            Assert.True(deadline >= _now, "a deadline in the past would make the owner's timer spin");
            _now = deadline;
            _relay.HandleTimeout(_now);
        }
        _now = until;
        return sent;
    }

    private byte[]? Healthy(ReceivedStunMessage request) => _server.AnswerEverything(request);

    [Fact]
    public void A_grant_allocates_on_the_first_server_and_publishes_the_relayed_address()
    {
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint, Silent));
        Run(TimeSpan.FromSeconds(1), Healthy);

        Assert.Equal(TurnClientState.Allocated, _relay.State);
        Assert.Equal(FakeTurnServer.EndPoint, _relay.Server);
        Assert.Equal(new TurnRelayEvent.AllocatingOn(FakeTurnServer.EndPoint), _events[0]);
        Assert.Contains(new TurnRelayEvent.RelayedAddressChanged(FakeTurnServer.Relayed), _events);
        Assert.Equal(1, _relay.Allocations);
    }

    [Fact]
    public void Peers_permitted_before_an_allocation_are_permitted_on_it_and_on_the_next_server_too()
    {
        _relay.Permit(_now, [PeerAddress]);
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), Silent, FakeTurnServer.EndPoint));
        var sent = Run(TimeSpan.FromSeconds(10), Healthy);

        Assert.Equal(TurnClientState.Allocated, _relay.State);
        Assert.Equal(FakeTurnServer.EndPoint, _relay.Server);
        Assert.Contains(sent, s => s.To.Equals(FakeTurnServer.EndPoint) && s.Message.Type.Method == StunMethod.CreatePermission);
    }

    [Fact]
    public void A_server_that_never_answers_is_left_for_the_next_granted_one_when_its_requests_time_out()
    {
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), Silent, FakeTurnServer.EndPoint));
        Run(TimeSpan.FromSeconds(10), Healthy);

        var failed = Assert.Single(_events.OfType<TurnRelayEvent.AllocationFailed>());
        Assert.Equal((Silent, TurnFailureKind.TimedOut, FakeTurnServer.EndPoint), (failed.Server, failed.Failure.Kind, failed.Next!.Server));
        Assert.Equal([Silent, FakeTurnServer.EndPoint], _events.OfType<TurnRelayEvent.AllocatingOn>().Select(a => a.Server));
        Assert.Equal(TurnClientState.Allocated, _relay.State);
        Assert.Equal(FakeTurnServer.Relayed, _relay.RelayedAddress);
    }

    [Fact]
    public void When_every_server_refuses_the_credentials_a_fresh_grant_is_wanted_at_once_then_at_most_every_30_s()
    {
        // Every signed request is refused as a 401 again: the credentials are wrong.
        byte[]? refuse(ReceivedStunMessage request) => _server.Challenge(request);
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromSeconds(1), refuse);

        Assert.Equal(TurnClientState.Failed, _relay.State);
        Assert.Single(_events.OfType<TurnRelayEvent.FreshGrantWanted>());
        Assert.Null(Assert.Single(_events.OfType<TurnRelayEvent.AllocationFailed>()).Next);

        Run(TimeSpan.FromSeconds(28), refuse);
        Assert.Single(_events.OfType<TurnRelayEvent.FreshGrantWanted>());
        Run(TimeSpan.FromSeconds(2), refuse);
        Assert.Equal(2, _events.OfType<TurnRelayEvent.FreshGrantWanted>().Count());

        // The fresh grant's credentials work: a new allocation begins at once.
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromSeconds(1), Healthy);
        Assert.Equal(TurnClientState.Allocated, _relay.State);
        Run(TimeSpan.FromMinutes(2), Healthy);
        Assert.Equal(2, _events.OfType<TurnRelayEvent.FreshGrantWanted>().Count());
    }

    [Fact]
    public void A_fresh_grant_the_server_still_holds_against_the_refused_username_is_tried_again_until_the_server_lets_go()
    {
        // coturn binds our address to the first username it saw, refused or not, until that
        // session's 60 s allocation timeout; until then it answers a new username's Allocate with
        // an unsigned 437, since it holds no key of ours.
        byte[]? refuse(ReceivedStunMessage request) => _server.Challenge(request);
        var refusedAt = _now;
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromSeconds(1), refuse);
        Assert.Single(_events.OfType<TurnRelayEvent.FreshGrantWanted>());

        var boundUntil = refusedAt + TimeSpan.FromSeconds(60);
        byte[]? holdAddress(ReceivedStunMessage request) =>
            _now >= boundUntil ? Healthy(request)
            : request.HasMessageIntegrity ? _server.Error(request, ErrorCodeAttribute.AllocationMismatch, signed: false)
            : _server.Challenge(request);
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromMilliseconds(100), holdAddress);

        var mismatch = _events.OfType<TurnRelayEvent.AllocationFailed>().Last();
        Assert.Equal(TurnFailureKind.AllocationMismatch, mismatch.Failure.Kind);
        Assert.NotNull(mismatch.Next);
        Assert.False(_relay.Drops.ContainsKey(TurnDropReason.MissingIntegrity));

        Run(TimeSpan.FromSeconds(75), holdAddress);
        Assert.Equal(TurnClientState.Allocated, _relay.State);
        Assert.Single(_events.OfType<TurnRelayEvent.FreshGrantWanted>());
    }

    [Fact]
    public void Fresh_credentials_are_kept_until_half_the_current_ones_lifetime_is_gone_then_a_new_allocation_takes_them()
    {
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromMinutes(10), Healthy);
        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromMinutes(21), Healthy);
        Assert.Single(_events.OfType<TurnRelayEvent.AllocatingOn>());
        Assert.Empty(_events.OfType<TurnRelayEvent.RenewingCredentials>());

        _relay.HandleGrant(_now, Grant(_now.AddHours(1), FakeTurnServer.EndPoint));
        Run(TimeSpan.FromSeconds(1), Healthy);

        Assert.Single(_events.OfType<TurnRelayEvent.RenewingCredentials>());
        Assert.Equal(2, _events.OfType<TurnRelayEvent.AllocatingOn>().Count());
        Assert.Equal((TurnClientState.Allocated, 2), (_relay.State, _relay.Allocations));
    }
}
