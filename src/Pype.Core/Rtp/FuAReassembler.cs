using System.Buffers;
using Pype.Core.Media;

namespace Pype.Core.Rtp;

/// <summary>
/// Joins FU-A fragments (RFC 6184 §5.8) back into one NAL unit. A NAL unit whose start, middle or
/// end is missing is dropped and counted once; its other fragments are discarded quietly.
/// </summary>
internal sealed class FuAReassembler(H264DepacketizerCounters counters, int maxNalUnitLength)
{
    private readonly ArrayBufferWriter<byte> buffer = new();
    private bool inProgress;
    /// <summary>Fragments of a NAL unit already counted as dropped are being discarded.</summary>
    private bool discarding;
    private int discardedType = -1;

    public bool InProgress => inProgress;

    /// <summary>Returns the NAL unit when this fragment completes one; otherwise null.</summary>
    public byte[]? Accept(ReadOnlySpan<byte> payload)
    {
        if (payload.Length <= H264RtpPayload.FuAHeaderLength)
            return Malformed();
        var indicator = payload[0];
        var fuHeader = payload[1];
        var start = (fuHeader & H264RtpPayload.FuStartBit) != 0;
        var end = (fuHeader & H264RtpPayload.FuEndBit) != 0;
        var type = fuHeader & H264NalUnitType.TypeMask;
        if ((start && end) || type is 0 or >= H264RtpPayload.StapA)
            return Malformed();

        var nalHeader = (byte)((indicator & H264RtpPayload.ForbiddenAndNriMask) | type);
        var body = payload[H264RtpPayload.FuAHeaderLength..];
        if (start)
        {
            Abandon();
            discarding = false;
            buffer.ResetWrittenCount();
            buffer.Write([nalHeader]);
            inProgress = true;
        }
        else if (!inProgress)
        {
            if (!discarding || type != discardedType)
            {
                counters.FragmentedNalUnitsDropped++;
                discarding = true;
                discardedType = type;
            }
            if (end)
                discarding = false;
            return null;
        }
        else if (nalHeader != buffer.WrittenSpan[0])
            return Malformed();

        if (buffer.WrittenCount + body.Length > maxNalUnitLength)
        {
            inProgress = false;
            counters.OversizedNalUnitsDropped++;
            BeginDiscarding(type, end);
            return null;
        }
        buffer.Write(body);
        if (!end)
            return null;
        inProgress = false;
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Packets were lost: a NAL unit in progress cannot be finished.</summary>
    public void LossDetected()
    {
        var type = inProgress ? buffer.WrittenSpan[0] & H264NalUnitType.TypeMask : -1;
        var wasInProgress = inProgress;
        Abandon();
        if (wasInProgress)
            BeginDiscarding(type, end: false);
        else
            discarding = false;
    }

    /// <summary>Something other than this NAL unit's next fragment arrived, or its frame ended.</summary>
    public void Interrupt()
    {
        Abandon();
        discarding = false;
    }

    private byte[]? Malformed()
    {
        counters.MalformedPayloads++;
        var type = inProgress ? buffer.WrittenSpan[0] & H264NalUnitType.TypeMask : -1;
        var wasInProgress = inProgress;
        Abandon();
        if (wasInProgress)
            BeginDiscarding(type, end: false);
        return null;
    }

    private void Abandon()
    {
        if (!inProgress)
            return;
        inProgress = false;
        counters.FragmentedNalUnitsDropped++;
    }

    private void BeginDiscarding(int type, bool end)
    {
        discarding = !end;
        discardedType = type;
    }
}
