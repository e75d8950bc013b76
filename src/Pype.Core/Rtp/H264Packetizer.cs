using Pype.Core.Media;

namespace Pype.Core.Rtp;

/// <summary>
/// Turns H.264 access units into RTP packets (RFC 6184, packetization-mode 1). A NAL unit that
/// fits a packet goes alone (§5.6) or, with neighbours that fit together, in one STAP-A (§5.7.1);
/// a larger one is cut into FU-A fragments of near-equal size (§5.8). Access-unit delimiters are
/// not sent: the receiver rebuilds frame boundaries from the marker bit, which is set on the last
/// packet of each access unit (§5.1). All packets of an access unit share its timestamp;
/// sequence numbers rise by one per packet and wrap at 2^16.
/// </summary>
public sealed class H264Packetizer
{
    private readonly uint ssrc;
    private readonly int maxPayloadLength;

    /// <param name="ssrc">This stream's synchronization source (random, RFC 3550 §8.1).</param>
    /// <param name="initialSequenceNumber">Random, RFC 3550 §5.1.</param>
    /// <param name="maxPayloadLength">Payload bytes per packet; at least 3 so a fragment carries data.</param>
    public H264Packetizer(uint ssrc, ushort initialSequenceNumber, int maxPayloadLength = RtpLimits.MaxPayloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadLength, H264RtpPayload.FuAHeaderLength + 1);
        this.ssrc = ssrc;
        this.maxPayloadLength = maxPayloadLength;
        NextSequenceNumber = initialSequenceNumber;
    }

    public ushort NextSequenceNumber { get; private set; }

    /// <param name="timestamp">The access unit's 90 kHz RTP timestamp.</param>
    /// <param name="captureTimeMicroseconds">Capture time carried in every packet's header extension.</param>
    public IReadOnlyList<RtpPacket> Packetize(AccessUnit accessUnit, uint timestamp, long captureTimeMicroseconds)
    {
        var payloads = new List<byte[]>();
        var pending = new List<ReadOnlyMemory<byte>>();
        var pendingStapLength = H264RtpPayload.PayloadHeaderLength;

        foreach (var nalUnit in accessUnit.NalUnits)
        {
            var type = H264NalUnitType.Of(nalUnit.Span);
            if (nalUnit.IsEmpty || type == H264NalUnitType.AccessUnitDelimiter)
                continue;

            var stapEntryLength = H264RtpPayload.StapANalUnitSizeLength + nalUnit.Length;
            if (pending.Count > 0 && pendingStapLength + stapEntryLength > maxPayloadLength)
            {
                payloads.Add(Aggregate(pending));
                pending.Clear();
                pendingStapLength = H264RtpPayload.PayloadHeaderLength;
            }

            if (nalUnit.Length > maxPayloadLength)
                payloads.AddRange(Fragment(nalUnit.Span));
            else
            {
                pending.Add(nalUnit);
                pendingStapLength += stapEntryLength;
            }
        }
        if (pending.Count > 0)
            payloads.Add(Aggregate(pending));

        var packets = new RtpPacket[payloads.Count];
        for (var i = 0; i < packets.Length; i++)
        {
            packets[i] = new RtpPacket(
                Marker: i == packets.Length - 1,
                RtpPayloadFormat.H264PayloadType,
                NextSequenceNumber,
                timestamp,
                ssrc,
                payloads[i])
            { CaptureTimeMicroseconds = captureTimeMicroseconds };
            NextSequenceNumber = unchecked((ushort)(NextSequenceNumber + 1));
        }
        return packets;
    }

    /// <summary>One NAL unit alone, or several behind a STAP-A header (F = any F, NRI = the highest).</summary>
    private static byte[] Aggregate(List<ReadOnlyMemory<byte>> nalUnits)
    {
        if (nalUnits.Count == 1)
            return nalUnits[0].ToArray();

        var forbidden = 0;
        var nri = 0;
        var length = H264RtpPayload.PayloadHeaderLength;
        foreach (var nalUnit in nalUnits)
        {
            forbidden |= nalUnit.Span[0] & H264NalUnitType.ForbiddenBit;
            nri = Math.Max(nri, nalUnit.Span[0] & H264NalUnitType.NriMask);
            length += H264RtpPayload.StapANalUnitSizeLength + nalUnit.Length;
        }

        var payload = new byte[length];
        payload[0] = (byte)(forbidden | nri | H264RtpPayload.StapA);
        var offset = H264RtpPayload.PayloadHeaderLength;
        foreach (var nalUnit in nalUnits)
        {
            payload[offset] = (byte)(nalUnit.Length >> 8);
            payload[offset + 1] = (byte)nalUnit.Length;
            nalUnit.Span.CopyTo(payload.AsSpan(offset + H264RtpPayload.StapANalUnitSizeLength));
            offset += H264RtpPayload.StapANalUnitSizeLength + nalUnit.Length;
        }
        return payload;
    }

    /// <summary>
    /// FU-A fragments: the NAL header is not sent as such; its F and NRI go into each FU indicator
    /// and its type into each FU header. The rest is cut into as few fragments as fit, of sizes
    /// differing by at most one byte.
    /// </summary>
    private List<byte[]> Fragment(ReadOnlySpan<byte> nalUnit)
    {
        var header = nalUnit[0];
        var body = nalUnit[1..];
        var room = maxPayloadLength - H264RtpPayload.FuAHeaderLength;
        var count = (body.Length + room - 1) / room;
        var baseSize = body.Length / count;
        var larger = body.Length % count;

        var fragments = new List<byte[]>(count);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var size = baseSize + (i < larger ? 1 : 0);
            var fragment = new byte[H264RtpPayload.FuAHeaderLength + size];
            fragment[0] = (byte)((header & H264RtpPayload.ForbiddenAndNriMask) | H264RtpPayload.FuA);
            fragment[1] = (byte)((i == 0 ? H264RtpPayload.FuStartBit : 0)
                | (i == count - 1 ? H264RtpPayload.FuEndBit : 0)
                | (header & H264NalUnitType.TypeMask));
            body.Slice(offset, size).CopyTo(fragment.AsSpan(H264RtpPayload.FuAHeaderLength));
            offset += size;
            fragments.Add(fragment);
        }
        return fragments;
    }
}
