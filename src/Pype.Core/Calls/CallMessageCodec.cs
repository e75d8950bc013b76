using System.Diagnostics.CodeAnalysis;
using Pype.Core.Replication;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Calls;

/// <summary>
/// The wire form of <see cref="CallMessage"/>: type (1, 0x30–0x35) | version (1) = 1 |
/// call id (16) | body. Bodies: Invite and Accept a <see cref="MediaOffer"/> (24), Reject and
/// HangUp a reason (1), Ack the acknowledged type (1, 0x30–0x34), Ringing nothing. Lengths are
/// exact: trailing bytes make a message malformed. Decoding never throws.
/// </summary>
public static class CallMessageCodec
{
    public const byte ProtocolVersion = 1;
    public const int HeaderLength = 1 + 1 + 16;
    public const int MaxMessageLength = HeaderLength + MediaOffer.EncodedLength;

    public static byte[] Encode(CallMessage message)
    {
        var body = message switch
        {
            CallMessage.Invite or CallMessage.Accept => MediaOffer.EncodedLength,
            CallMessage.Ringing => 0,
            _ => 1,
        };
        var bytes = new byte[HeaderLength + body];
        var writer = new WireWriter(bytes);
        writer.U8((byte)TypeOf(message));
        writer.U8(ProtocolVersion);
        writer.U64((ulong)(message.CallId >> 64));
        writer.U64((ulong)message.CallId);
        switch (message)
        {
            case CallMessage.Invite invite:
                invite.Offer.Write(ref writer);
                break;
            case CallMessage.Accept accept:
                accept.Answer.Write(ref writer);
                break;
            case CallMessage.Reject reject:
                writer.U8((byte)reject.Reason);
                break;
            case CallMessage.HangUp hangUp:
                writer.U8((byte)hangUp.Reason);
                break;
            case CallMessage.Ack ack:
                writer.U8((byte)ack.Acknowledged);
                break;
        }

        return bytes;
    }

    public static SessionMessageType TypeOf(CallMessage message) => message switch
    {
        CallMessage.Invite => SessionMessageType.CallInvite,
        CallMessage.Ringing => SessionMessageType.CallRinging,
        CallMessage.Accept => SessionMessageType.CallAccept,
        CallMessage.Reject => SessionMessageType.CallReject,
        CallMessage.HangUp => SessionMessageType.CallHangUp,
        _ => SessionMessageType.CallAck,
    };

    /// <summary>True when the first byte is one of the call-signalling types this codec knows.</summary>
    public static bool IsCallMessage(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 0 && bytes[0] >= (byte)SessionMessageType.CallInvite && bytes[0] <= (byte)SessionMessageType.CallAck;

    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out CallMessage? message)
    {
        message = null;
        var reader = new WireReader(bytes);
        var type = (SessionMessageType)reader.U8();
        var version = reader.U8();
        var callId = ((UInt128)reader.U64() << 64) | reader.U64();
        if (reader.Failed || version != ProtocolVersion)
        {
            return false;
        }

        message = type switch
        {
            SessionMessageType.CallInvite => MediaOffer.TryRead(ref reader, out var offer) ? new CallMessage.Invite(callId, offer) : null,
            SessionMessageType.CallRinging => new CallMessage.Ringing(callId),
            SessionMessageType.CallAccept => MediaOffer.TryRead(ref reader, out var answer) ? new CallMessage.Accept(callId, answer) : null,
            SessionMessageType.CallReject => reader.U8() is var reason && Enum.IsDefined((RejectReason)reason)
                ? new CallMessage.Reject(callId, (RejectReason)reason) : null,
            SessionMessageType.CallHangUp => reader.U8() is var reason && Enum.IsDefined((HangUpReason)reason)
                ? new CallMessage.HangUp(callId, (HangUpReason)reason) : null,
            SessionMessageType.CallAck => reader.U8() is var acked && acked >= (byte)SessionMessageType.CallInvite && acked < (byte)SessionMessageType.CallAck
                ? new CallMessage.Ack(callId, (SessionMessageType)acked) : null,
            _ => null,
        };
        if (message is null || !reader.AtEnd)
        {
            message = null;
            return false;
        }

        return true;
    }
}
