using Pype.Core.Calls;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;

namespace Pype.Core.Tests.Media;

/// <summary>
/// One side of a call's media control in virtual time, with the peer's packets made by hand:
/// synthetic RTP (no encoder) and RTCP compounds, framed as the session layer frames them.
/// </summary>
internal sealed class MediaSessionCall
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
    public static readonly MediaOffer Local = MediaOffer.Create(0xA1, 0xA2);
    public static readonly MediaOffer Peer = MediaOffer.Create(0xB1, 0xB2);
    public static readonly MediaStagePlan Everything = new(SendsVideo: true, SendsAudio: true, DecodesVideo: true, PlaysAudio: true);

    private readonly List<MediaSessionOutput> outputs = [];

    public MediaSessionCall(MediaOffer? remote = null, bool flowing = true, MediaOffer? local = null, MediaStagePlan? stages = null)
    {
        var setup = new MediaSessionSetup(local ?? Local, 640, 480, 30, 1500, stages ?? Everything);
        Session = new MediaSession(setup, flowing ? remote ?? Peer : remote, flowing, Start);
        Collect();
    }

    public MediaSession Session { get; }

    public DateTimeOffset Now { get; private set; } = Start;

    public static RtpPacket VideoPacket(ushort sequence, uint ssrc = 0xB1, bool marker = true) =>
        new(marker, RtpPayloadFormat.H264PayloadType, sequence, sequence * 3000u, ssrc, new byte[] { 0x41, 1, 2, 3 });

    public static RtpPacket AudioPacket(ushort sequence, uint ssrc = 0xB2) =>
        new(false, RtpPayloadFormat.OpusPayloadType, sequence, sequence * 960u, ssrc, new byte[] { 0xFC, 1 });

    public static byte[] Framed(RtpPacket packet) => MediaPacketDemux.Frame(packet);

    public static byte[] Framed(RtcpPacket packet) => MediaPacketDemux.FrameRtcp(RtcpCodec.Serialize(packet));

    /// <summary>Moves virtual time to <paramref name="at"/>, running every deadline the session asks for on the way.</summary>
    public void RunUntil(DateTimeOffset at)
    {
        while (Session.NextDeadline is { } due && due <= at)
        {
            Now = due > Now ? due : Now;
            Session.HandleTimeout(Now);
            Collect();
        }
        Now = at > Now ? at : Now;
    }

    public void Receive(byte[] payload, DateTimeOffset? at = null)
    {
        RunUntil(at ?? Now);
        Session.HandleReceived(Now, payload);
        Collect();
    }

    public void Do(Action<MediaSession, DateTimeOffset> input, DateTimeOffset? at = null)
    {
        RunUntil(at ?? Now);
        input(Session, Now);
        Collect();
    }

    /// <summary>Everything the session asked for since the last call.</summary>
    public List<MediaSessionOutput> Take()
    {
        var taken = outputs.ToList();
        outputs.Clear();
        return taken;
    }

    public static IReadOnlyList<RtcpPacket> Rtcp(IEnumerable<MediaSessionOutput> outputs) =>
        outputs.OfType<MediaDatagram>().SelectMany(d => RtcpCodec.Parse(d.Payload.AsSpan(1)).Packets).ToList();

    private void Collect()
    {
        while (Session.TryPoll(out var output)) outputs.Add(output);
    }
}
