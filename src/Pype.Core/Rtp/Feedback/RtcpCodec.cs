using System.Buffers.Binary;

namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// Reads and writes compound RTCP packets (RFC 3550 §6.1, §6.4, §6.7; RFC 4585 §6.1–6.3): SR, RR,
/// Generic NACK, PLI and Pype's APP delay-trend report ("PYDT"). Parsing never throws; a structural error anywhere (bad version, a length
/// past the end, bad padding, a known body too short) rejects the whole compound, since a length
/// we cannot trust leaves every following packet in doubt. Unlike RFC 3550 §6.1, a compound need
/// not start with an SR or RR (RFC 5506 reduced size), so a NACK can go out alone.
/// </summary>
public static class RtcpCodec
{
    public const int Version = 2;

    public const byte SenderReportType = 200;
    public const byte ReceiverReportType = 201;

    /// <summary>RFC 3550 §6.7: application-defined.</summary>
    public const byte ApplicationType = 204;

    /// <summary>The APP name of Pype's delay-trend report, and its subtype.</summary>
    public static ReadOnlySpan<byte> DelayTrendName => "PYDT"u8;

    public const byte DelayTrendSubtype = 0;

    /// <summary>SSRC, name, then media SSRC (4), trend (1), reserved (1), queue delay ms (2), receive bit/s (4).</summary>
    public const int DelayTrendBodyLength = 4 + 4 + 12;

    /// <summary>RFC 4585 §6.1: transport-layer feedback.</summary>
    public const byte TransportFeedbackType = 205;

    /// <summary>RFC 4585 §6.1: payload-specific feedback.</summary>
    public const byte PayloadFeedbackType = 206;

    public const byte GenericNackFormat = 1;
    public const byte PictureLossFormat = 1;

    public const int HeaderLength = 4;
    public const int ReportBlockLength = 24;

    /// <summary>SSRC, NTP timestamp (8), RTP timestamp, packet count, octet count.</summary>
    public const int SenderInfoLength = 24;

    /// <summary>Sender SSRC and media source SSRC of a feedback message.</summary>
    public const int FeedbackHeaderLength = 8;

    public const int NackItemLength = 4;

    /// <summary>The report count field has five bits.</summary>
    public const int MaxReportBlocks = 31;

    /// <summary>A compound travels like an RTP packet: one session message in one datagram.</summary>
    public const int MaxCompoundLength = RtpLimits.MaxPacketLength;

    private const int VersionShift = 6;
    private const byte PaddingBit = 0x20;
    private const byte CountMask = 0x1F;

    public static RtcpParseResult Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
            return RtcpParseResult.Failure(RtcpParseError.Empty);

        var packets = new List<RtcpPacket>();
        var skipped = 0;
        for (var offset = 0; offset < datagram.Length;)
        {
            var rest = datagram[offset..];
            if (rest.Length < HeaderLength)
                return RtcpParseResult.Failure(RtcpParseError.ShorterThanHeader);
            if (rest[0] >> VersionShift != Version)
                return RtcpParseResult.Failure(RtcpParseError.WrongVersion);
            var length = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1) * 4;
            if (length > rest.Length)
                return RtcpParseResult.Failure(RtcpParseError.LengthPastEnd);

            var body = rest[HeaderLength..length];
            if ((rest[0] & PaddingBit) != 0)
            {
                // RFC 3550 §6.4.1: only the last packet of a compound may be padded.
                var padding = body.IsEmpty ? 0 : body[^1];
                if (offset + length != datagram.Length || padding == 0 || padding > body.Length)
                    return RtcpParseResult.Failure(RtcpParseError.BadPadding);
                body = body[..^padding];
            }

            var count = rest[0] & CountMask;
            var error = ParseOne(rest[1], count, body, out var packet);
            if (error != RtcpParseError.None)
                return RtcpParseResult.Failure(error);
            if (packet is null)
                skipped++;
            else
                packets.Add(packet);
            offset += length;
        }
        return new RtcpParseResult(packets, skipped, RtcpParseError.None);
    }

    /// <summary>Bytes <see cref="Serialize"/> needs for this packet.</summary>
    public static int LengthOf(RtcpPacket packet) => packet switch
    {
        RtcpSenderReport sr => HeaderLength + SenderInfoLength + sr.Reports.Count * ReportBlockLength,
        RtcpReceiverReport rr => HeaderLength + 4 + rr.Reports.Count * ReportBlockLength,
        RtcpGenericNack nack => HeaderLength + FeedbackHeaderLength + NackItems(nack.LostSequenceNumbers).Count * NackItemLength,
        RtcpPictureLossIndication => HeaderLength + FeedbackHeaderLength,
        RtcpDelayTrendReport => HeaderLength + DelayTrendBodyLength,
        _ => throw new ArgumentException("Unknown RTCP packet kind.", nameof(packet)),
    };

    /// <summary>
    /// Writes a compound. Our own packets only: more than 31 report blocks, an empty NACK, a
    /// cumulative loss outside 24 bits or a compound over <see cref="MaxCompoundLength"/> throws.
    /// </summary>
    public static byte[] Serialize(IReadOnlyList<RtcpPacket> packets)
    {
        var total = packets.Sum(LengthOf);
        if (packets.Count == 0 || total > MaxCompoundLength)
            throw new ArgumentException($"A compound holds 1 to {MaxCompoundLength} bytes of packets.", nameof(packets));
        var bytes = new byte[total];
        var offset = 0;
        foreach (var packet in packets)
            offset += Write(packet, bytes.AsSpan(offset));
        return bytes;
    }

    public static byte[] Serialize(RtcpPacket packet) => Serialize([packet]);

    /// <summary>
    /// Packs sequence numbers into RFC 4585 PID + BLP items: each number either sets a bit of an
    /// item whose PID lies 1–16 below it (mod 2^16) or starts a new item. Duplicates vanish.
    /// </summary>
    public static IReadOnlyList<(ushort Pid, ushort Blp)> NackItems(IReadOnlyList<ushort> sequenceNumbers)
    {
        var items = new List<(ushort Pid, ushort Blp)>();
        foreach (var sequence in sequenceNumbers)
        {
            var placed = false;
            for (var i = 0; i < items.Count && !placed; i++)
            {
                var distance = (ushort)(sequence - items[i].Pid);
                if (distance == 0)
                    placed = true;
                else if (distance <= 16)
                {
                    items[i] = (items[i].Pid, (ushort)(items[i].Blp | (1 << (distance - 1))));
                    placed = true;
                }
            }
            if (!placed)
                items.Add((sequence, 0));
        }
        return items;
    }

    private static RtcpParseError ParseOne(byte type, int count, ReadOnlySpan<byte> body, out RtcpPacket? packet)
    {
        packet = null;
        switch (type)
        {
            case SenderReportType:
                if (body.Length < SenderInfoLength + count * ReportBlockLength)
                    return RtcpParseError.BodyTooShort;
                packet = new RtcpSenderReport(
                    Ssrc: BinaryPrimitives.ReadUInt32BigEndian(body),
                    NtpTimestamp: BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
                    RtpTimestamp: BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
                    PacketCount: BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
                    OctetCount: BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
                    Reports: ReadBlocks(body[SenderInfoLength..], count));
                return RtcpParseError.None;
            case ReceiverReportType:
                if (body.Length < 4 + count * ReportBlockLength)
                    return RtcpParseError.BodyTooShort;
                packet = new RtcpReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(body), ReadBlocks(body[4..], count));
                return RtcpParseError.None;
            case TransportFeedbackType when count == GenericNackFormat:
                if (body.Length < FeedbackHeaderLength)
                    return RtcpParseError.BodyTooShort;
                packet = new RtcpGenericNack(
                    BinaryPrimitives.ReadUInt32BigEndian(body),
                    BinaryPrimitives.ReadUInt32BigEndian(body[4..]),
                    ReadNackItems(body[FeedbackHeaderLength..]));
                return RtcpParseError.None;
            case PayloadFeedbackType when count == PictureLossFormat:
                if (body.Length < FeedbackHeaderLength)
                    return RtcpParseError.BodyTooShort;
                packet = new RtcpPictureLossIndication(BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]));
                return RtcpParseError.None;
            case ApplicationType when count == DelayTrendSubtype && body.Length >= 8 && body[4..8].SequenceEqual(DelayTrendName):
                if (body.Length < DelayTrendBodyLength)
                    return RtcpParseError.BodyTooShort;
                // A trend this version does not know is skipped like any other APP packet, so a
                // later version may add states without its reports being refused.
                if (body[12] > (byte)RateControl.DelayTrend.Underusing)
                    return RtcpParseError.None;
                packet = new RtcpDelayTrendReport(
                    Ssrc: BinaryPrimitives.ReadUInt32BigEndian(body),
                    MediaSsrc: BinaryPrimitives.ReadUInt32BigEndian(body[8..]),
                    Trend: (RateControl.DelayTrend)body[12],
                    QueueDelayMs: BinaryPrimitives.ReadUInt16BigEndian(body[14..]),
                    ReceiveBitrate: BinaryPrimitives.ReadUInt32BigEndian(body[16..]));
                return RtcpParseError.None;
            default:
                return RtcpParseError.None;
        }
    }

    private static RtcpReportBlock[] ReadBlocks(ReadOnlySpan<byte> data, int count)
    {
        var blocks = new RtcpReportBlock[count];
        for (var i = 0; i < count; i++)
        {
            var block = data.Slice(i * ReportBlockLength, ReportBlockLength);
            // The 24-bit field is sign-extended by shifting it to the top of an int and back.
            var lost = (int)(BinaryPrimitives.ReadUInt32BigEndian(block[4..]) << 8) >> 8;
            blocks[i] = new RtcpReportBlock(
                Ssrc: BinaryPrimitives.ReadUInt32BigEndian(block),
                FractionLost: block[4],
                CumulativeLost: lost,
                ExtendedHighestSequence: BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
                Jitter: BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                LastSenderReport: BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
                DelaySinceLastSenderReport: BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
        }
        return blocks;
    }

    /// <summary>Trailing bytes short of a whole item are ignored, as the length field is in words and items are one word.</summary>
    private static List<ushort> ReadNackItems(ReadOnlySpan<byte> data)
    {
        var numbers = new List<ushort>();
        for (var offset = 0; offset + NackItemLength <= data.Length; offset += NackItemLength)
        {
            var pid = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            var blp = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            numbers.Add(pid);
            for (var bit = 0; bit < 16; bit++)
            {
                if ((blp & (1 << bit)) != 0)
                    numbers.Add((ushort)(pid + bit + 1));
            }
        }
        return numbers;
    }

    private static int Write(RtcpPacket packet, Span<byte> destination)
    {
        var length = LengthOf(packet);
        var (count, type) = packet switch
        {
            RtcpSenderReport sr => (CheckBlocks(sr.Reports), SenderReportType),
            RtcpReceiverReport rr => (CheckBlocks(rr.Reports), ReceiverReportType),
            RtcpGenericNack nack => (nack.LostSequenceNumbers.Count > 0 ? GenericNackFormat
                : throw new ArgumentException("A NACK names at least one packet.", nameof(packet)), TransportFeedbackType),
            RtcpDelayTrendReport => (DelayTrendSubtype, ApplicationType),
            _ => (PictureLossFormat, PayloadFeedbackType),
        };
        destination[0] = (byte)((Version << VersionShift) | count);
        destination[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(length / 4 - 1));
        var body = destination[HeaderLength..length];
        switch (packet)
        {
            case RtcpSenderReport sr:
                BinaryPrimitives.WriteUInt32BigEndian(body, sr.Ssrc);
                BinaryPrimitives.WriteUInt64BigEndian(body[4..], sr.NtpTimestamp);
                BinaryPrimitives.WriteUInt32BigEndian(body[12..], sr.RtpTimestamp);
                BinaryPrimitives.WriteUInt32BigEndian(body[16..], sr.PacketCount);
                BinaryPrimitives.WriteUInt32BigEndian(body[20..], sr.OctetCount);
                WriteBlocks(sr.Reports, body[SenderInfoLength..]);
                break;
            case RtcpReceiverReport rr:
                BinaryPrimitives.WriteUInt32BigEndian(body, rr.Ssrc);
                WriteBlocks(rr.Reports, body[4..]);
                break;
            case RtcpGenericNack nack:
                WriteFeedbackHeader(nack.SenderSsrc, nack.MediaSsrc, body);
                var offset = FeedbackHeaderLength;
                foreach (var (pid, blp) in NackItems(nack.LostSequenceNumbers))
                {
                    BinaryPrimitives.WriteUInt16BigEndian(body[offset..], pid);
                    BinaryPrimitives.WriteUInt16BigEndian(body[(offset + 2)..], blp);
                    offset += NackItemLength;
                }
                break;
            case RtcpPictureLossIndication pli:
                WriteFeedbackHeader(pli.SenderSsrc, pli.MediaSsrc, body);
                break;
            case RtcpDelayTrendReport trend:
                BinaryPrimitives.WriteUInt32BigEndian(body, trend.Ssrc);
                DelayTrendName.CopyTo(body[4..]);
                BinaryPrimitives.WriteUInt32BigEndian(body[8..], trend.MediaSsrc);
                body[12] = (byte)trend.Trend;
                body[13] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(body[14..], trend.QueueDelayMs);
                BinaryPrimitives.WriteUInt32BigEndian(body[16..], trend.ReceiveBitrate);
                break;
        }
        return length;
    }

    private static byte CheckBlocks(IReadOnlyList<RtcpReportBlock> blocks)
    {
        if (blocks.Count > MaxReportBlocks)
            throw new ArgumentException("At most 31 report blocks fit one report.", nameof(blocks));
        return (byte)blocks.Count;
    }

    private static void WriteBlocks(IReadOnlyList<RtcpReportBlock> blocks, Span<byte> destination)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (block.CumulativeLost is < RtcpReportBlock.MinCumulativeLost or > RtcpReportBlock.MaxCumulativeLost)
                throw new ArgumentException("Cumulative loss must fit 24 signed bits.", nameof(blocks));
            var span = destination.Slice(i * ReportBlockLength, ReportBlockLength);
            BinaryPrimitives.WriteUInt32BigEndian(span, block.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(span[4..], ((uint)block.FractionLost << 24) | ((uint)block.CumulativeLost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(span[8..], block.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(span[12..], block.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(span[16..], block.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(span[20..], block.DelaySinceLastSenderReport);
        }
    }

    private static void WriteFeedbackHeader(uint senderSsrc, uint mediaSsrc, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], mediaSsrc);
    }
}
