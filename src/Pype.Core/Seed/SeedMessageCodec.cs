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
        var writer = new WireWriter(buffer);
        switch (message)
        {
            case SeedRegister register:
                writer.U8((byte)SessionMessageType.SeedRegister);
                register.Presence.WriteTo(ref writer);
                break;
            case SeedRegistered registered:
                writer.U8((byte)SessionMessageType.SeedRegistered);
                writer.U16(registered.KeepaliveIntervalSeconds);
                writer.Candidates([new Candidate(CandidateKind.ServerReflexive, registered.ObservedEndPoint)]);
                // Only written when set, so a seed without relays sends the v1 form byte for byte.
                if (registered.Flags != 0)
                    writer.U8(registered.Flags);
                break;
            case SeedPeerListRequest request:
                writer.U8((byte)SessionMessageType.SeedPeerListRequest);
                writer.U8(request.Max);
                break;
            case SeedPeerList list:
                if (list.Peers.Count > MaxPeersInList)
                    throw new ArgumentException($"a peer list holds at most {MaxPeersInList} keys", nameof(message));
                writer.U8((byte)SessionMessageType.SeedPeerList);
                writer.U8((byte)list.Peers.Count);
                foreach (var peer in list.Peers)
                    writer.Bytes(peer.Span);
                break;
            case SeedConnectRequest connect:
                writer.U8((byte)SessionMessageType.SeedConnectRequest);
                writer.U32(connect.RequestId);
                writer.Bytes(connect.Target.Span);
                break;
            case SeedConnectResult result:
                writer.U8((byte)SessionMessageType.SeedConnectResult);
                writer.U32(result.RequestId);
                writer.U8((byte)result.Status);
                break;
            case SeedIntroduction introduction:
                writer.U8((byte)SessionMessageType.SeedIntroduction);
                writer.U32(introduction.IntroductionId);
                introduction.Presence.WriteTo(ref writer);
                writer.Candidates(introduction.Observed);
                break;
            case SeedIntroductionAck ack:
                writer.U8((byte)SessionMessageType.SeedIntroductionAck);
                writer.U32(ack.IntroductionId);
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
        var reader = new WireReader(plaintext[1..]);
        var decoded = (SessionMessageType)plaintext[0] switch
        {
            SessionMessageType.Keepalive => Outcome<SeedMessage, SeedMessageError>.Success(new LinkUpkeep(SessionMessageType.Keepalive, 0)),
            SessionMessageType.Ping => ReadUpkeep(ref reader, SessionMessageType.Ping),
            SessionMessageType.Pong => ReadUpkeep(ref reader, SessionMessageType.Pong),
            SessionMessageType.SeedRegister => ReadRegister(ref reader),
            SessionMessageType.SeedRegistered => ReadRegistered(ref reader),
            SessionMessageType.SeedPeerListRequest => ReadPeerListRequest(ref reader),
            SessionMessageType.SeedPeerList => ReadPeerList(ref reader),
            SessionMessageType.SeedConnectRequest => ReadConnectRequest(ref reader),
            SessionMessageType.SeedConnectResult => ReadConnectResult(ref reader),
            SessionMessageType.SeedIntroduction => ReadIntroduction(ref reader),
            SessionMessageType.SeedIntroductionAck => ReadIntroductionAck(ref reader),
            SessionMessageType.SeedRelayGrant => ReadRelayGrant(ref reader),
            _ => SeedMessageError.UnknownType,
        };
        if (decoded.IsSuccess && !reader.AtEnd)
            return SeedMessageError.TrailingBytes;
        return decoded;
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadUpkeep(ref WireReader reader, SessionMessageType type)
    {
        var nonce = reader.U64();
        return reader.Failed ? SeedMessageError.Truncated : new LinkUpkeep(type, nonce);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadPeerListRequest(ref WireReader reader)
    {
        var max = reader.U8();
        return reader.Failed ? SeedMessageError.Truncated : new SeedPeerListRequest(max);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadIntroductionAck(ref WireReader reader)
    {
        var id = reader.U32();
        return reader.Failed ? SeedMessageError.Truncated : new SeedIntroductionAck(id);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadRegister(ref WireReader reader) =>
        SignedPresence.TryRead(ref reader, out var presence) ? new SeedRegister(presence) : SeedMessageError.InvalidField;

    private static Outcome<SeedMessage, SeedMessageError> ReadRegistered(ref WireReader reader)
    {
        var interval = reader.U16();
        if (reader.Failed)
            return SeedMessageError.Truncated;
        if (interval == 0)
            return SeedMessageError.InvalidField;
        var observed = reader.Candidates();
        if (reader.Failed || observed is not [{ Kind: CandidateKind.ServerReflexive } only])
            return SeedMessageError.InvalidField;
        if (reader.AtEnd)
            return new SeedRegistered(interval, only.EndPoint);
        // Optional since v1: a seed omits the byte rather than send it as zero.
        var flags = reader.U8();
        if (flags == 0)
            return SeedMessageError.InvalidField;
        return new SeedRegistered(interval, only.EndPoint, flags);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadPeerList(ref WireReader reader)
    {
        var count = reader.U8();
        if (reader.Failed)
            return SeedMessageError.Truncated;
        if (count > MaxPeersInList)
            return SeedMessageError.InvalidField;
        var peers = new PeerKey[count];
        for (var i = 0; i < count; i++)
        {
            var key = reader.Span(PeerKey.Length);
            if (reader.Failed)
                return SeedMessageError.Truncated;
            peers[i] = PeerKey.Parse(key);
        }
        return new SeedPeerList(peers);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadConnectRequest(ref WireReader reader)
    {
        var requestId = reader.U32();
        var target = reader.Span(PeerKey.Length);
        if (reader.Failed)
            return SeedMessageError.Truncated;
        return new SeedConnectRequest(requestId, PeerKey.Parse(target));
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadConnectResult(ref WireReader reader)
    {
        var requestId = reader.U32();
        var status = reader.U8();
        if (reader.Failed)
            return SeedMessageError.Truncated;
        var typed = (SeedConnectStatus)status;
        return Enum.IsDefined(typed) ? new SeedConnectResult(requestId, typed) : SeedMessageError.InvalidField;
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadIntroduction(ref WireReader reader)
    {
        var introductionId = reader.U32();
        if (reader.Failed)
            return SeedMessageError.Truncated;
        if (!SignedPresence.TryRead(ref reader, out var presence))
            return SeedMessageError.InvalidField;
        var observed = reader.Candidates();
        if (reader.Failed)
            return SeedMessageError.InvalidField;
        return new SeedIntroduction(introductionId, presence, observed);
    }

    private static void WriteRelayGrant(ref WireWriter writer, SeedRelayGrant grant)
    {
        var username = System.Text.Encoding.UTF8.GetBytes(grant.Credentials.Username);
        var password = System.Text.Encoding.UTF8.GetBytes(grant.Credentials.Password);
        if (grant.Servers.Count is 0 or > SeedRelayGrant.MaxServers || !grant.Servers.All(IsEncodable))
            throw new ArgumentException($"a relay grant names 1 to {SeedRelayGrant.MaxServers} encodable servers", nameof(grant));
        if (username.Length is 0 or > SeedRelayGrant.MaxCredentialLength || password.Length is 0 or > SeedRelayGrant.MaxCredentialLength)
            throw new ArgumentException("relay credentials must be 1 to 255 bytes each", nameof(grant));
        writer.U8((byte)SessionMessageType.SeedRelayGrant);
        writer.U64((ulong)Math.Max(0, grant.Expires.ToUnixTimeSeconds()));
        writer.Candidates([.. grant.Servers.Select(server => new Candidate(CandidateKind.Relayed, server))]);
        writer.U8((byte)username.Length);
        writer.Bytes(username);
        writer.U8((byte)password.Length);
        writer.Bytes(password);
    }

    private static Outcome<SeedMessage, SeedMessageError> ReadRelayGrant(ref WireReader reader)
    {
        var expires = reader.U64();
        if (reader.Failed)
            return SeedMessageError.Truncated;
        if (expires > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return SeedMessageError.InvalidField;
        var servers = reader.Candidates();
        if (reader.Failed)
            return SeedMessageError.InvalidField;
        if (servers.Count is 0 or > SeedRelayGrant.MaxServers || servers.Any(server => server.Kind != CandidateKind.Relayed))
            return SeedMessageError.InvalidField;
        if (!TryReadText(ref reader, out var username, out var error) || !TryReadText(ref reader, out var password, out error))
            return error;
        return new SeedRelayGrant([.. servers.Select(server => server.EndPoint)], new Turn.TurnCredentials(username, password),
            DateTimeOffset.FromUnixTimeSeconds((long)expires));
    }

    /// <summary>A length byte (≥ 1) and that many bytes of strict UTF-8.</summary>
    private static bool TryReadText(ref WireReader reader, out string text, out SeedMessageError error)
    {
        text = "";
        error = SeedMessageError.Truncated;
        var length = reader.U8();
        var bytes = reader.Span(length);
        if (reader.Failed)
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
