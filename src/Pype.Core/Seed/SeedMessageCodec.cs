using System.Net.Sockets;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Seed;

/// <summary>Why a plaintext was not a seed-protocol message.</summary>
public enum SeedMessageError
{
    None,
    Empty,
    UnknownType,
    /// <summary>A field ran past the end of the message.</summary>
    Truncated,
    /// <summary>Bytes were left after the last field.</summary>
    TrailingBytes,
    /// <summary>A field held a value outside its range (a kind, a family, a zero port, a count, a status).</summary>
    InvalidField,
    TooLong,
}

/// <summary>
/// Wire form of the seed protocol: first byte the <see cref="SessionMessageType"/>, integers
/// big-endian, every field bounded. Decoding returns an outcome and never throws.
/// </summary>
public static class SeedMessageCodec
{
    public const int MaxMessageLength = TransportData.MaxPayloadLength;
    public const int MaxPeersInList = 32;

    public static byte[] Encode(SeedMessage message)
    {
        Span<byte> buffer = stackalloc byte[MaxMessageLength];
        var writer = new SpanWriter(buffer);
        switch (message)
        {
            case SeedRegister register:
                writer.Byte((byte)SessionMessageType.SeedRegister);
                register.Presence.WriteTo(ref writer);
                break;
            case SeedRegistered registered:
                writer.Byte((byte)SessionMessageType.SeedRegistered);
                writer.UInt16(registered.KeepaliveIntervalSeconds);
                writer.Candidates([new Candidate(CandidateKind.ServerReflexive, registered.ObservedEndPoint)]);
                break;
            case SeedPeerListRequest request:
                writer.Byte((byte)SessionMessageType.SeedPeerListRequest);
                writer.Byte(request.Max);
                break;
            case SeedPeerList list:
                if (list.Peers.Count > MaxPeersInList)
                    throw new ArgumentException($"a peer list holds at most {MaxPeersInList} keys", nameof(message));
                writer.Byte((byte)SessionMessageType.SeedPeerList);
                writer.Byte((byte)list.Peers.Count);
                foreach (var peer in list.Peers)
                    writer.Bytes(peer.Span);
                break;
            case SeedConnectRequest connect:
                writer.Byte((byte)SessionMessageType.SeedConnectRequest);
                writer.UInt32(connect.RequestId);
                writer.Bytes(connect.Target.Span);
                break;
            case SeedConnectResult result:
                writer.Byte((byte)SessionMessageType.SeedConnectResult);
                writer.UInt32(result.RequestId);
                writer.Byte((byte)result.Status);
                break;
            case SeedIntroduction introduction:
                writer.Byte((byte)SessionMessageType.SeedIntroduction);
                writer.UInt32(introduction.IntroductionId);
                introduction.Presence.WriteTo(ref writer);
                writer.Candidates(introduction.Observed);
                break;
            case SeedIntroductionAck ack:
                writer.Byte((byte)SessionMessageType.SeedIntroductionAck);
                writer.UInt32(ack.IntroductionId);
                break;
            case SeedRelayGrant grant:
                WriteRelayGrant(ref writer, grant);
                break;
            case LinkUpkeep { Type: SessionMessageType.Keepalive }:
                return LinkMessages.Keepalive();
            case LinkUpkeep { Type: SessionMessageType.Ping } ping:
                return LinkMessages.Ping(ping.Nonce);
            case LinkUpkeep { Type: SessionMessageType.Pong } pong:
                return LinkMessages.Pong(pong.Nonce);
            default:
                throw new ArgumentException($"cannot encode {message}", nameof(message));
        }
        return writer.Written.ToArray();
    }

    public static Outcome<SeedMessage, SeedMessageError> Decode(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.IsEmpty)
            return SeedMessageError.Empty;
        if (plaintext.Length > MaxMessageLength)
            return SeedMessageError.TooLong;
        var reader = new SpanReader(plaintext[1..]);
        var decoded = (SessionMessageType)plaintext[0] switch
        {
            SessionMessageType.Keepalive => Outcome<SeedMessage, SeedMessageError>.Success(new LinkUpkeep(SessionMessageType.Keepalive, 0)),
            SessionMessageType.Ping => ReadUpkeep(ref reader, SessionMessageType.Ping),
            SessionMessageType.Pong => ReadUpkeep(ref reader, SessionMessageType.Pong),
            SessionMessageType.SeedRegister => ReadRegister(ref reader),
            SessionMessageType.SeedRegistered => ReadRegistered(ref reader),
            SessionMessageType.SeedPeerListRequest => reader.TryByte(out var max)
                ? new SeedPeerListRequest(max) : SeedMessageError.Truncated,
            SessionMessageType.SeedPeerList => ReadPeerList(ref reader),
            SessionMessageType.SeedConnectRequest => ReadConnectRequest(ref reader),
            SessionMessageType.SeedConnectResult => ReadConnectResult(ref reader),
            SessionMessageType.SeedIntroduction => ReadIntroduction(ref reader),
            SessionMessageType.SeedIntroductionAck => reader.TryUInt32(out var id)
                ? new SeedIntroductionAck(id) : SeedMessageError.Truncated,
            SessionMessageType.SeedRelayGrant => ReadRelayGrant(ref reader),
            _ => SeedMessageError.UnknownType,
        };
        if (decoded.IsSuccess && !reader.AtEnd)
            return SeedMessageError.TrailingBytes;
        return decoded;
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadUpkeep(ref SpanReader reader, SessionMessageType type) =>
        reader.TryUInt64(out var nonce) ? new LinkUpkeep(type, nonce) : SeedMessageError.Truncated;

    private static Outcome<SeedMessage, SeedMessageError> ReadRegister(ref SpanReader reader) =>
        SignedPresence.TryRead(ref reader, out var presence) ? new SeedRegister(presence) : SeedMessageError.InvalidField;

    private static Outcome<SeedMessage, SeedMessageError> ReadRegistered(ref SpanReader reader)
    {
        if (!reader.TryUInt16(out var interval))
            return SeedMessageError.Truncated;
        if (interval == 0 || !reader.TryCandidates(out var observed))
            return SeedMessageError.InvalidField;
        if (observed is not [{ Kind: CandidateKind.ServerReflexive } only])
            return SeedMessageError.InvalidField;
        return new SeedRegistered(interval, only.EndPoint);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadPeerList(ref SpanReader reader)
    {
        if (!reader.TryByte(out var count))
            return SeedMessageError.Truncated;
        if (count > MaxPeersInList)
            return SeedMessageError.InvalidField;
        var peers = new PeerKey[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryBytes(PeerKey.Length, out var key))
                return SeedMessageError.Truncated;
            peers[i] = PeerKey.Parse(key);
        }
        return new SeedPeerList(peers);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadConnectRequest(ref SpanReader reader)
    {
        if (!reader.TryUInt32(out var requestId) || !reader.TryBytes(PeerKey.Length, out var target))
            return SeedMessageError.Truncated;
        return new SeedConnectRequest(requestId, PeerKey.Parse(target));
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadConnectResult(ref SpanReader reader)
    {
        if (!reader.TryUInt32(out var requestId) || !reader.TryByte(out var status))
            return SeedMessageError.Truncated;
        var typed = (SeedConnectStatus)status;
        return Enum.IsDefined(typed) ? new SeedConnectResult(requestId, typed) : SeedMessageError.InvalidField;
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadIntroduction(ref SpanReader reader)
    {
        if (!reader.TryUInt32(out var introductionId))
            return SeedMessageError.Truncated;
        if (!SignedPresence.TryRead(ref reader, out var presence) || !reader.TryCandidates(out var observed))
            return SeedMessageError.InvalidField;
        return new SeedIntroduction(introductionId, presence, observed);
    }

    private static void WriteRelayGrant(ref SpanWriter writer, SeedRelayGrant grant)
    {
        var username = System.Text.Encoding.UTF8.GetBytes(grant.Credentials.Username);
        var password = System.Text.Encoding.UTF8.GetBytes(grant.Credentials.Password);
        if (grant.Servers.Count is 0 or > SeedRelayGrant.MaxServers || !grant.Servers.All(IsEncodable))
            throw new ArgumentException($"a relay grant names 1 to {SeedRelayGrant.MaxServers} encodable servers", nameof(grant));
        if (username.Length is 0 or > SeedRelayGrant.MaxCredentialLength || password.Length is 0 or > SeedRelayGrant.MaxCredentialLength)
            throw new ArgumentException("relay credentials must be 1 to 255 bytes each", nameof(grant));
        writer.Byte((byte)SessionMessageType.SeedRelayGrant);
        writer.UInt64((ulong)Math.Max(0, grant.Expires.ToUnixTimeSeconds()));
        writer.Candidates([.. grant.Servers.Select(server => new Candidate(CandidateKind.Relayed, server))]);
        writer.Byte((byte)username.Length);
        writer.Bytes(username);
        writer.Byte((byte)password.Length);
        writer.Bytes(password);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadRelayGrant(ref SpanReader reader)
    {
        if (!reader.TryUInt64(out var expires))
            return SeedMessageError.Truncated;
        if (expires > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() || !reader.TryCandidates(out var servers))
            return SeedMessageError.InvalidField;
        if (servers.Count is 0 or > SeedRelayGrant.MaxServers || servers.Any(server => server.Kind != CandidateKind.Relayed))
            return SeedMessageError.InvalidField;
        if (!TryReadText(ref reader, out var username, out var error) || !TryReadText(ref reader, out var password, out error))
            return error;
        return new SeedRelayGrant([.. servers.Select(server => server.EndPoint)], new Turn.TurnCredentials(username, password),
            DateTimeOffset.FromUnixTimeSeconds((long)expires));
    }

    /// <summary>A length byte (≥ 1) and that many bytes of strict UTF-8.</summary>
    private static bool TryReadText(ref SpanReader reader, out string text, out SeedMessageError error)
    {
        text = "";
        error = SeedMessageError.Truncated;
        if (!reader.TryByte(out var length) || !reader.TryBytes(length, out var bytes))
            return false;
        error = SeedMessageError.InvalidField;
        if (length == 0)
            return false;
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True when an endpoint can travel in a candidate list (IPv4 or IPv6, port 1–65535).</summary>
    public static bool IsEncodable(System.Net.IPEndPoint endPoint) =>
        endPoint.Port is > 0 and <= ushort.MaxValue
        && endPoint.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
