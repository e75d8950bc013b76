using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Session;

namespace Pype.Core.Connection;

/// <summary>
/// Path validation (docs/protocol/connection.md §5): an authenticated packet proves who sent it,
/// not where it came from, since a peer may forge its source address. Before the path moves to a
/// new address the link sends a small challenge there and waits for its token to come back from
/// that very address; until then the old path carries on. Kept apart from the path choice in
/// PeerLink.Paths.cs.
/// </summary>
public sealed partial class PeerLink
{
    private readonly List<PendingPathChallenge> _pathChallenges = [];

    /// <summary>Bounds the answers, which go wherever a challenge claims to come from.</summary>
    private readonly TokenBucket _pathResponses = new(PeerLinkOptions.PathResponsesPerSecond, 2 * PeerLinkOptions.PathResponsesPerSecond, DateTimeOffset.MinValue);

    /// <summary>The addresses challenged and not yet answered, at most <see cref="PeerLinkOptions.MaxPendingPathChallenges"/>.</summary>
    internal int PendingPathChallenges => _pathChallenges.Count;

    /// <summary>
    /// One challenge per address while it is pending; a bounded number pending at once, each for
    /// <see cref="PeerLinkOptions.PathChallengeTimeout"/>. So a peer that forges sources can make
    /// the link send at most a few 41-byte packets a second, none larger than what it sent.
    /// </summary>
    private void ChallengePath(DateTimeOffset now, IPEndPoint source, bool viaRelay)
    {
        _pathChallenges.RemoveAll(c => c.Until <= now);
        if (_pathChallenges.Exists(c => c.ViaRelay == viaRelay && c.EndPoint.Equals(source)))
            return;
        if (_pathChallenges.Count >= PeerLinkOptions.MaxPendingPathChallenges)
        {
            Drops.Add(LinkDropReason.PathChallengesFull);
            return;
        }
        var token = RandomToken();
        if (SendLinkMessageTo(now, source, viaRelay, LinkMessages.PathChallenge(token)))
            _pathChallenges.Add(new PendingPathChallenge(source, viaRelay, token, now + PeerLinkOptions.PathChallengeTimeout));
    }

    /// <summary>The answer goes back to where the challenge came from, which need not be the active path (that is the point).</summary>
    private void AnswerPathChallenge(DateTimeOffset now, IPEndPoint source, bool viaRelay, ulong token)
    {
        if (!_pathResponses.TryTake(now))
        {
            Drops.Add(LinkDropReason.PathChallengeRateLimited);
            return;
        }
        SendLinkMessageTo(now, source, viaRelay, LinkMessages.PathResponse(token));
    }

    private void AcceptPathResponse(DateTimeOffset now, IPEndPoint source, bool viaRelay, ulong token)
    {
        var index = _pathChallenges.FindIndex(c => c.Token == token && c.Until > now);
        if (index < 0 || State != PeerLinkState.Connected)
        {
            Drops.Add(LinkDropReason.UnexpectedPathResponse);
            return;
        }
        var challenge = _pathChallenges[index];
        if (challenge.ViaRelay != viaRelay || !challenge.EndPoint.Equals(source))
        {
            Drops.Add(LinkDropReason.PathResponseFromElsewhere);
            return;
        }
        _pathChallenges.RemoveAt(index);
        MovePath(now, source, viaRelay);
    }

    private bool SendLinkMessageTo(DateTimeOffset now, IPEndPoint destination, bool viaRelay, byte[] message)
    {
        var session = _sessions.Sending(now);
        if (session is null)
            return false;
        var packet = session.Noise.Encrypt(message);
        if (!packet.IsSuccess)
            return false;
        Transmit(now, destination, packet.Value, viaRelay);
        return true;
    }

    private ulong RandomToken()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        _random.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    private sealed record PendingPathChallenge(IPEndPoint EndPoint, bool ViaRelay, ulong Token, DateTimeOffset Until);
}
