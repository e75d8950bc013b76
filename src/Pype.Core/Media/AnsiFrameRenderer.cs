using System.Text;

namespace Pype.Core.Media;

/// <summary>
/// Turns a yuv420p picture into terminal text: each character cell shows two pixels stacked,
/// the upper as the foreground of '▀' and the lower as its background, both in 24-bit colour.
/// Scaling picks the nearest source pixel; colour conversion is BT.601 limited range.
/// </summary>
public static class AnsiFrameRenderer
{
    private const char UpperHalfBlock = '\u2580';

    /// <summary>Text for <paramref name="columns"/> × <paramref name="rows"/> cells, rows separated by "\n",
    /// starting with cursor-home and ending with a colour reset.</summary>
    public static string Render(ReadOnlySpan<byte> yuv420p, int width, int height, int columns, int rows)
    {
        if (columns <= 0 || rows <= 0) throw new ArgumentOutOfRangeException(nameof(columns), "a terminal picture needs at least one cell");
        if (yuv420p.Length < VideoFrame.SizeOf(width, height)) throw new ArgumentException("buffer is smaller than one yuv420p picture", nameof(yuv420p));
        var text = new StringBuilder(columns * rows * 40);
        text.Append("\u001b[H");
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var x = column * width / columns;
                var (tr, tg, tb) = Rgb(yuv420p, width, height, x, (2 * row) * height / (2 * rows));
                var (br, bg, bb) = Rgb(yuv420p, width, height, x, (2 * row + 1) * height / (2 * rows));
                text.Append($"\u001b[38;2;{tr};{tg};{tb}m\u001b[48;2;{br};{bg};{bb}m").Append(UpperHalfBlock);
            }
            text.Append("\u001b[0m");
            if (row < rows - 1) text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>One pixel in 8-bit RGB.</summary>
    public static (byte R, byte G, byte B) Rgb(ReadOnlySpan<byte> yuv420p, int width, int height, int x, int y)
    {
        var chromaWidth = (width + 1) / 2;
        var chromaPlane = chromaWidth * ((height + 1) / 2);
        var c = y / 2 * chromaWidth + x / 2;
        var luma = 1.164 * (yuv420p[y * width + x] - 16);
        var u = yuv420p[width * height + c] - 128;
        var v = yuv420p[width * height + chromaPlane + c] - 128;
        return (Clamp(luma + 1.596 * v), Clamp(luma - 0.392 * u - 0.813 * v), Clamp(luma + 2.017 * u));
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
