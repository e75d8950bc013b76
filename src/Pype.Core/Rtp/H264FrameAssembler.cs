using System.Buffers.Binary;
using Pype.Core.Media;

namespace Pype.Core.Rtp;

/// <summary>
/// Builds access units from packets already in sequence order. A frame ends at its marker bit or
/// when the timestamp changes. Loss marks frames incomplete:
/// <list type="bullet">
/// <item>a gap inside a frame (the next packet has its timestamp) marks that frame;</item>
/// <item>a gap after an open frame, before a new timestamp, marks the open frame (its marker
/// packet is gone); with two or more packets missing the new frame may have lost its head too,
/// so it is marked as well;</item>
/// <item>a gap after a closed frame marks the next frame, since whole frames may be gone.</item>
/// </list>
/// This relies on the sender setting the marker on every frame's last packet, as RFC 6184 §5.1 asks.
/// </summary>
internal sealed class H264FrameAssembler
{
    private readonly H264DepacketizerCounters counters;
    private readonly Action<DepacketizedAccessUnit> emit;
    private readonly FuAReassembler fragments;
    private readonly int maxAccessUnitLength;
    private List<ReadOnlyMemory<byte>> nalUnits = [];
    private bool open;
    private uint timestamp;
    private long? captureTime;
    private bool complete;
    private int length;
    private bool lossBeforeNextFrame;

    public H264FrameAssembler(H264DepacketizerCounters counters, int maxAccessUnitLength, Action<DepacketizedAccessUnit> emit)
    {
        this.counters = counters;
        this.emit = emit;
        this.maxAccessUnitLength = maxAccessUnitLength;
        fragments = new FuAReassembler(counters, maxAccessUnitLength);
    }

    public void Accept(RtpPacket packet, int lostBefore)
    {
        if (lostBefore > 0)
            NoteLoss(packet.Timestamp, lostBefore);
        if (open && packet.Timestamp != timestamp)
            Close();
        if (!open)
            Open(packet.Timestamp);

        captureTime ??= packet.CaptureTimeMicroseconds;
        if (!Unpack(packet.Payload.Span))
            complete = false;
        if (packet.Marker)
            Close();
    }

    /// <summary>Emits the open frame, if any, as incomplete: its marker packet never came.</summary>
    public void Flush()
    {
        if (!open)
            return;
        complete = false;
        Close();
    }

    private void NoteLoss(uint nextTimestamp, int lostBefore)
    {
        fragments.LossDetected();
        if (!open)
            lossBeforeNextFrame = true;
        else if (nextTimestamp == timestamp)
            complete = false;
        else
        {
            complete = false;
            Close();
            lossBeforeNextFrame = lostBefore >= 2;
        }
    }

    private void Open(uint frameTimestamp)
    {
        open = true;
        timestamp = frameTimestamp;
        captureTime = null;
        complete = !lossBeforeNextFrame;
        lossBeforeNextFrame = false;
        length = AccessUnit.Delimiter.Length;
        nalUnits = [AccessUnit.Delimiter.ToArray()];
    }

    private void Close()
    {
        if (fragments.InProgress)
        {
            fragments.Interrupt();
            complete = false;
        }
        open = false;
        counters.FramesEmitted++;
        if (!complete)
            counters.IncompleteFramesEmitted++;
        emit(new DepacketizedAccessUnit(new AccessUnit(nalUnits), timestamp, captureTime, complete));
    }

    /// <summary>Adds the payload's NAL units; false when any part of it could not be used.</summary>
    private bool Unpack(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            counters.MalformedPayloads++;
            return false;
        }

        var type = payload[0] & H264NalUnitType.TypeMask;
        if (type == H264RtpPayload.FuA)
        {
            var dropsBefore = DropCount();
            var nalUnit = fragments.Accept(payload);
            return (nalUnit is null || Add(nalUnit)) && DropCount() == dropsBefore;
        }

        var interrupted = fragments.InProgress;
        fragments.Interrupt();
        return type switch
        {
            >= H264RtpPayload.SingleNalUnitFirst and <= H264RtpPayload.SingleNalUnitLast => Add(payload.ToArray()) && !interrupted,
            H264RtpPayload.StapA => UnpackStapA(payload) && !interrupted,
            H264RtpPayload.StapB or H264RtpPayload.Mtap16 or H264RtpPayload.Mtap24 or H264RtpPayload.FuB or > H264RtpPayload.FuB => Unsupported(),
            _ => Malformed(),
        };
    }

    private long DropCount() => counters.FragmentedNalUnitsDropped + counters.OversizedNalUnitsDropped + counters.MalformedPayloads;

    /// <summary>
    /// RFC 6184 §5.7.1: after the STAP-A header, units of a 16-bit size and that many bytes. Every
    /// size is checked before any unit is used, so a bad length drops the whole packet.
    /// </summary>
    private bool UnpackStapA(ReadOnlySpan<byte> payload)
    {
        var units = new List<byte[]>();
        for (var offset = H264RtpPayload.PayloadHeaderLength; offset < payload.Length;)
        {
            if (payload.Length - offset < H264RtpPayload.StapANalUnitSizeLength)
                return Malformed();
            var size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
            offset += H264RtpPayload.StapANalUnitSizeLength;
            if (size == 0 || size > payload.Length - offset)
                return Malformed();
            units.Add(payload.Slice(offset, size).ToArray());
            offset += size;
        }
        if (units.Count == 0)
            return Malformed();

        var allAdded = true;
        foreach (var unit in units)
            allAdded &= Add(unit);
        return allAdded;
    }

    /// <summary>Adds one NAL unit; the sender's own delimiters are skipped, since one is already in front.</summary>
    private bool Add(byte[] nalUnit)
    {
        if (H264NalUnitType.Of(nalUnit) == H264NalUnitType.AccessUnitDelimiter)
            return true;
        if (length + nalUnit.Length > maxAccessUnitLength)
        {
            counters.OversizedNalUnitsDropped++;
            return false;
        }
        length += nalUnit.Length;
        nalUnits.Add(nalUnit);
        return true;
    }

    private bool Malformed()
    {
        counters.MalformedPayloads++;
        return false;
    }

    private bool Unsupported()
    {
        counters.UnsupportedPayloads++;
        return false;
    }
}
