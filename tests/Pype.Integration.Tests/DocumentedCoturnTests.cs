using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Pype.Core;
using Pype.Core.Turn;
using Pype.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Integration.Tests;

/// <summary>
/// The coturn command docs/OPERATIONS.md tells operators to run, run as written (its addresses,
/// ports, secret and log file swapped for loopback ones): the relay must not reach private or
/// special-purpose addresses, and one credential may hold only so many allocations.
/// </summary>
public sealed partial class DocumentedCoturnTests(ITestOutputHelper output)
{
    private const string DocumentedAddress = "198.51.100.66";

    /// <summary>The turnserver command in the docs' code block, continuation lines joined, split like a shell would.</summary>
    private static IReadOnlyList<string> DocumentedArguments()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "OPERATIONS.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("turnserver ", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/OPERATIONS.md has no turnserver command");
        var command = "";
        for (var i = start; ; i++)
        {
            var line = lines[i].TrimEnd();
            command += " " + line.TrimEnd('\\');
            if (!line.EndsWith('\\')) break;
        }
        var words = Word().Matches(command).Select(m => m.Value.Trim('"')).ToList();
        Assert.Equal("turnserver", words[0]);
        return words[1..];
    }

    private static Coturn StartDocumented() => Coturn.Start((port, minRelayPort) =>
    {
        var arguments = DocumentedArguments().Select(a => a == DocumentedAddress ? "127.0.0.1" : a == "$TURN_SECRET" ? Coturn.Secret : a).ToList();
        void Set(string option, string value) => arguments[arguments.IndexOf(option) + 1] = value;
        Set("--listening-port", port.ToString());
        Set("--min-port", minRelayPort.ToString());
        Set("--max-port", (minRelayPort + 99).ToString());
        Set("--log-file", "stdout");
        return arguments;
    });

    private static ClientLoop Client(Coturn coturn, UdpClient socket, TurnCredentials credentials) =>
        new(new TurnClient(coturn.EndPoint, credentials, SystemRandomSource.Instance), socket, coturn);

    [Fact]
    public void The_documented_relay_refuses_private_and_special_purpose_peers_and_permits_a_public_one()
    {
        using var coturn = StartDocumented();
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var loop = Client(coturn, socket, TurnRestCredentials.Create(Coturn.Secret, DateTimeOffset.UtcNow.AddHours(1), "pype-test"));
        loop.Client.Start(DateTimeOffset.UtcNow);
        loop.WaitFor<TurnClientEvent.Allocated>();

        // One address from each refused range (the seed's private network, the carrier's shared
        // space, link-local with the cloud metadata address, loopback, benchmarking, multicast,
        // reserved), and one public address (a documentation range: nothing is ever sent to it).
        string[] refused = ["10.1.2.3", "172.16.5.4", "192.168.1.1", "100.64.0.1", "169.254.169.254", "127.0.0.1", "0.1.2.3", "192.0.0.170", "198.18.0.1", "224.0.0.251", "240.0.0.1"];
        const string permitted = "203.0.113.5";
        var now = DateTimeOffset.UtcNow;
        foreach (var peer in refused.Append(permitted)) loop.Client.Permit(now, IPAddress.Parse(peer));

        var answers = new Dictionary<string, string>();
        while (answers.Count < refused.Length + 1)
        {
            switch (loop.WaitFor<TurnClientEvent>())
            {
                case TurnClientEvent.PermissionCreated created:
                    answers[created.Peer.ToString()] = "created";
                    break;
                case TurnClientEvent.PermissionFailed failed:
                    answers[failed.Peer.ToString()] = $"{failed.Failure.ErrorCode} {failed.Failure.Reason}";
                    break;
            }
        }
        output.WriteLine(string.Join("\n", answers.Select(a => $"{a.Key}: {a.Value}")));
        Assert.All(refused, peer => Assert.StartsWith("403", answers[peer]));
        Assert.Equal("created", answers[permitted]);
    }

    [Fact]
    public void One_credential_holds_at_most_four_allocations_on_the_documented_relay()
    {
        using var coturn = StartDocumented();
        var credentials = TurnRestCredentials.Create(Coturn.Secret, DateTimeOffset.UtcNow.AddHours(1), "pype-test");
        var sockets = Enumerable.Range(0, 5).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToList();
        try
        {
            var loops = sockets.Select(s => Client(coturn, s, credentials)).ToList();
            foreach (var loop in loops.Take(4))
            {
                loop.Client.Start(DateTimeOffset.UtcNow);
                loop.WaitFor<TurnClientEvent.Allocated>();
            }
            loops[4].Client.Start(DateTimeOffset.UtcNow);
            var refused = loops[4].WaitFor<TurnClientEvent.AllocationFailed>();
            output.WriteLine($"fifth allocation: {refused.Failure}");
            Assert.Equal(486, refused.Failure.ErrorCode);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    [GeneratedRegex("\"[^\"]*\"|\\S+")]
    private static partial Regex Word();
}
