using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Calls;

public enum RejectReason : byte { Declined = 1, Busy = 2, Unsupported = 3 }

public enum HangUpReason : byte { Normal = 1, RingingTimedOut = 2, Failure = 3 }

/// <summary>One call-signalling message. Every one names its call.</summary>
public abstract record CallMessage(UInt128 CallId)
{
    public sealed record Invite(UInt128 CallId, byte[] Offer) : CallMessage(CallId);
    public sealed record Ringing(UInt128 CallId) : CallMessage(CallId);
    public sealed record Accept(UInt128 CallId, byte[] Answer) : CallMessage(CallId);
    public sealed record Reject(UInt128 CallId, RejectReason Reason) : CallMessage(CallId);
    public sealed record HangUp(UInt128 CallId, HangUpReason Reason) : CallMessage(CallId);
    /// <summary>Confirms an Accept, Reject or HangUp so its sender stops repeating it.</summary>
    public sealed record Ack(UInt128 CallId, SessionMessageType Acknowledged) : CallMessage(CallId);
}

/// <summary>
/// Wire form (big-endian): type (u8) | call id (u128) | fields. Invite and Accept carry a
/// length-prefixed (u16) description of at most <see cref="MaxDescriptionLength"/> bytes.
/// </summary>
public static class CallMessageCodec
{
    public const int MaxDescriptionLength = 512;
    private const int HeaderLength = 1 + 16;

    public static byte[] Encode(CallMessage message)
    {
        var (type, body) = message switch
        {
            CallMessage.Invite i => (SessionMessageType.CallInvite, Described(i.Offer)),
            CallMessage.Ringing => (SessionMessageType.CallRinging, []),
            CallMessage.Accept a => (SessionMessageType.CallAccept, Described(a.Answer)),
            CallMessage.Reject r => (SessionMessageType.CallReject, [(byte)r.Reason]),
            CallMessage.HangUp h => (SessionMessageType.CallHangUp, [(byte)h.Reason]),
            CallMessage.Ack k => (SessionMessageType.CallAck, [(byte)k.Acknowledged]),
            _ => throw new ArgumentException("unknown call message", nameof(message)),
        };
        var bytes = new byte[HeaderLength + body.Length];
        bytes[0] = (byte)type;
        BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(1), message.CallId);
        body.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Reads a message; null on anything malformed. Never throws.</summary>
    public static CallMessage? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength) return null;
        var callId = BinaryPrimitives.ReadUInt128BigEndian(bytes[1..]);
        var body = bytes[HeaderLength..];
        return (SessionMessageType)bytes[0] switch
        {
            SessionMessageType.CallInvite => ReadDescription(body) is { } offer ? new CallMessage.Invite(callId, offer) : null,
            SessionMessageType.CallRinging when body.IsEmpty => new CallMessage.Ringing(callId),
            SessionMessageType.CallAccept => ReadDescription(body) is { } answer ? new CallMessage.Accept(callId, answer) : null,
            SessionMessageType.CallReject when body.Length == 1 && Enum.IsDefined((RejectReason)body[0]) => new CallMessage.Reject(callId, (RejectReason)body[0]),
            SessionMessageType.CallHangUp when body.Length == 1 && Enum.IsDefined((HangUpReason)body[0]) => new CallMessage.HangUp(callId, (HangUpReason)body[0]),
            SessionMessageType.CallAck when body.Length == 1 && body[0] is (byte)SessionMessageType.CallAccept or (byte)SessionMessageType.CallReject or (byte)SessionMessageType.CallHangUp
                => new CallMessage.Ack(callId, (SessionMessageType)body[0]),
            _ => null,
        };
    }

    private static byte[] Described(byte[] description)
    {
        if (description.Length > MaxDescriptionLength) throw new ArgumentException($"a call description has at most {MaxDescriptionLength} bytes");
        var bytes = new byte[2 + description.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)description.Length);
        description.CopyTo(bytes.AsSpan(2));
        return bytes;
    }

    private static byte[]? ReadDescription(ReadOnlySpan<byte> body)
    {
        if (body.Length < 2) return null;
        var length = BinaryPrimitives.ReadUInt16BigEndian(body);
        return length <= MaxDescriptionLength && body.Length == 2 + length ? body[2..].ToArray() : null;
    }
}
