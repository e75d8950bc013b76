using System.Globalization;

namespace Pype.Media.Video;

/// <summary>
/// The x264 line measured in MEDIA-NOTES: ultrafast + zerolatency (without zerolatency a frame
/// waits 134 ms), an access-unit delimiter before every frame, NALs capped near one datagram,
/// a VBV buffer of 1/15 s so keyframes cannot burst, and a keyframe every <see cref="KeyframeInterval"/>.
/// </summary>
public sealed record H264EncoderSettings(int Width, int Height, int FrameRate, int BitrateKbps = 1500, int KeyframeInterval = 60)
{
    public int BufferKbits => Math.Max(BitrateKbps / 15, 20);

    internal string OutputOptions => string.Create(CultureInfo.InvariantCulture,
        $"-c:v libx264 -preset ultrafast -tune zerolatency -b:v {BitrateKbps}k -maxrate {BitrateKbps}k -bufsize {BufferKbits}k " +
        $"-g {KeyframeInterval} -x264-params aud=1:slice-max-size=1200 -flush_packets 1 -debug_ts -nostats -nostdin");
}

/// <summary>One encoded picture: every NAL of it in Annex-B form, tagged with the frame it came from.</summary>
public sealed record EncodedAccessUnit(long FrameIndex, TimeSpan CaptureTime, byte[] Data, bool IsKeyframe, TimeSpan EncodeLatency);
