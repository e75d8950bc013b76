using System.Globalization;

namespace Pype.Media.Video;

/// <summary>
/// The x264 line measured in MEDIA-NOTES: ultrafast + zerolatency (without zerolatency a frame
/// waits 134 ms), an access-unit delimiter before every frame, NALs capped near one datagram,
/// a VBV buffer of 1/15 s so keyframes cannot burst, and a keyframe every <see cref="KeyframeInterval"/>.
/// <see cref="Width"/>×<see cref="Height"/> is the size frames come in at; <see cref="EncodedSize"/>
/// the size x264 encodes (smaller for a lower rung: the same ffmpeg scales each frame down first,
/// so no extra process or copy is needed). <see cref="FrameRate"/> is the rate frames are fed at:
/// x264's rate control spends <see cref="BitrateKbps"/> / <see cref="FrameRate"/> per frame.
/// </summary>
public sealed record H264EncoderSettings(int Width, int Height, int FrameRate, int BitrateKbps = 1500, int KeyframeInterval = 60)
{
    private readonly (int Width, int Height)? scaledTo;

    /// <summary>The picture size x264 encodes; by default the input size.</summary>
    public (int Width, int Height) EncodedSize
    {
        get => scaledTo ?? (Width, Height);
        init
        {
            if (value.Width < 16 || value.Height < 16 || value.Width > Width || value.Height > Height || value.Width % 2 != 0 || value.Height % 2 != 0)
                throw new ArgumentOutOfRangeException(nameof(value), $"{value.Width}x{value.Height} is not an even size within {Width}x{Height}");
            scaledTo = value == (Width, Height) ? null : value;
        }
    }

    public int BufferKbits => Math.Max(BitrateKbps / 15, 20);

    internal string OutputOptions => string.Create(CultureInfo.InvariantCulture,
        $"{ScaleFilter}-c:v libx264 -preset ultrafast -tune zerolatency -b:v {BitrateKbps}k -maxrate {BitrateKbps}k -bufsize {BufferKbits}k " +
        $"-g {KeyframeInterval} -x264-params aud=1:slice-max-size=1200 -flush_packets 1 -debug_ts -nostats -nostdin");

    // "area" averages the pixels each output pixel covers: the right filter for shrinking, and cheap.
    private string ScaleFilter => scaledTo is { } size ? string.Create(CultureInfo.InvariantCulture, $"-vf scale={size.Width}:{size.Height}:flags=area ") : "";
}

/// <summary>
/// One encoded picture: every NAL of it in Annex-B form, tagged with the frame it came from.
/// <see cref="Width"/>×<see cref="Height"/> and <see cref="FrameRate"/> are what the encoder that
/// made it was set to (0 when not known, as for an access unit rebuilt from packets).
/// </summary>
public sealed record EncodedAccessUnit(long FrameIndex, TimeSpan CaptureTime, byte[] Data, bool IsKeyframe, TimeSpan EncodeLatency)
{
    public int Width { get; init; }

    public int Height { get; init; }

    public int FrameRate { get; init; }
}
