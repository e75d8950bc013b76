using System.Net;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

public class TurnServerRotationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint A = IPEndPoint.Parse("198.51.100.1:3478");
    private static readonly IPEndPoint B = IPEndPoint.Parse("198.51.100.2:3478");
    private static readonly IPEndPoint C = IPEndPoint.Parse("198.51.100.3:3478");
    private static readonly TurnFailure TimedOut = new(TurnFailureKind.TimedOut, null, "no answer");
    private static readonly TurnFailure Refused = new(TurnFailureKind.Unauthenticated, 401, "Unauthorized");

    [Fact]
    public void When_every_server_refused_us_a_fresh_grant_is_wanted_at_once_then_at_most_every_30_seconds_until_one_comes()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A, B]);
        Assert.Null(rotation.FreshGrantWantedAt);
        rotation.Failed(Start, Refused);
        Assert.Null(rotation.FreshGrantWantedAt); // B is still to be tried

        Assert.Null(rotation.Failed(Start, Refused));
        Assert.True(rotation.FreshGrantWantedAt <= Start);
        rotation.FreshGrantRequested(Start);
        Assert.Equal(Start + TimeSpan.FromSeconds(30), rotation.FreshGrantWantedAt);

        // The fresh grant makes the servers usable again: nothing is wanted until they refuse once more.
        rotation.Grant([A, B]);
        Assert.Null(rotation.FreshGrantWantedAt);
        rotation.Failed(Start + TimeSpan.FromSeconds(1), Refused);
        rotation.Failed(Start + TimeSpan.FromSeconds(1), Refused);
        Assert.Equal(Start + TimeSpan.FromSeconds(30), rotation.FreshGrantWantedAt);
    }

    [Fact]
    public void The_first_granted_server_is_used_first()
    {
        var rotation = new TurnServerRotation();
        Assert.True(rotation.Grant([A, B]));
        Assert.Equal(A, rotation.Current);
    }

    [Fact]
    public void A_failed_server_hands_over_to_the_next_at_once_and_a_full_round_of_failures_backs_off_doubling_to_the_cap()
    {
        var rotation = new TurnServerRotation(new TurnRotationOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(5) });
        rotation.Grant([A, B]);

        var attempts = new List<(IPEndPoint Server, double Wait)>();
        for (var i = 0; i < 10; i++)
        {
            var attempt = rotation.Failed(Start, TimedOut)!;
            attempts.Add((attempt.Server, (attempt.At - Start).TotalSeconds));
        }

        Assert.Equal(
            [(B, 0), (A, 1), (B, 0), (A, 2), (B, 0), (A, 4), (B, 0), (A, 5), (B, 0), (A, 5)],
            attempts);
    }

    [Fact]
    public void A_single_server_is_retried_with_a_doubling_back_off()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A]);

        var waits = Enumerable.Range(0, 6).Select(_ => (rotation.Failed(Start, TimedOut)!.At - Start).TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 8, 15, 15], waits);
        Assert.Equal(A, rotation.Current);
    }

    [Fact]
    public void A_successful_allocation_starts_the_back_off_over()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A]);
        rotation.Failed(Start, TimedOut);
        rotation.Failed(Start, TimedOut);

        rotation.Allocated();

        Assert.Equal(0, rotation.FailuresInARow);
        Assert.Equal(Start + TimeSpan.FromSeconds(1), rotation.Failed(Start, TimedOut)!.At);
    }

    [Fact]
    public void A_server_that_refuses_our_credentials_is_skipped_without_waiting_until_the_next_grant()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A, B, C]);

        var next = rotation.Failed(Start, Refused)!;
        Assert.Equal(new TurnAttempt(B, Start), next);
        Assert.Equal(C, rotation.Failed(Start, TimedOut)!.Server);
        // A is skipped: B then C make the round.
        Assert.Equal(new TurnAttempt(B, Start + TimeSpan.FromSeconds(1)), rotation.Failed(Start, TimedOut));

        rotation.Grant([A, B, C]);
        Assert.Equal(B, rotation.Current);
        rotation.Failed(Start, TimedOut);
        Assert.Equal(A, rotation.Failed(Start, TimedOut)!.Server);
    }

    [Fact]
    public void When_every_server_refuses_us_there_is_nothing_to_try_until_the_next_grant()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A, B]);

        Assert.NotNull(rotation.Failed(Start, Refused));
        Assert.Null(rotation.Failed(Start, Refused));
        Assert.Null(rotation.Current);
        Assert.Null(rotation.Failed(Start, TimedOut));

        Assert.True(rotation.Grant([A, B]));
        Assert.Equal(A, rotation.Current);
    }

    [Fact]
    public void A_grant_keeps_the_server_in_use_when_it_is_still_granted_and_moves_off_one_that_is_not()
    {
        var rotation = new TurnServerRotation();
        rotation.Grant([A, B]);
        rotation.Failed(Start, TimedOut);
        Assert.Equal(B, rotation.Current);

        Assert.False(rotation.Grant([A, B]));
        Assert.Equal(B, rotation.Current);

        Assert.True(rotation.Grant([C]));
        Assert.Equal(C, rotation.Current);
    }

    [Fact]
    public void An_empty_grant_leaves_no_server_and_duplicates_or_dual_mode_addresses_count_once()
    {
        var rotation = new TurnServerRotation();
        Assert.False(rotation.Grant([]));
        Assert.Null(rotation.Current);
        Assert.Null(rotation.Failed(Start, TimedOut));

        rotation.Grant([A, new IPEndPoint(A.Address.MapToIPv6(), A.Port), A]);
        Assert.Equal([A], rotation.Servers);
    }
}
