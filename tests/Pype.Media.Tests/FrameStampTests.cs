using Pype.Core.Media;

namespace Pype.Media.Tests;

public sealed class FrameStampTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12345)]
    [InlineData(FrameStamp.IndexModulus - 1)]
    public void A_stamped_index_reads_back_from_a_clean_picture(long index)
    {
        var yuv = new byte[VideoFrame.SizeOf(640, 480)];
        Array.Fill(yuv, (byte)128);
        FrameStamp.Write(yuv, 640, 480, index);
        Assert.Equal(index, FrameStamp.Read(yuv, 640, 480));
    }

    [Fact]
    public void A_picture_without_a_stamp_reads_as_no_index()
    {
        var yuv = new byte[VideoFrame.SizeOf(640, 480)];
        Array.Fill(yuv, (byte)128);
        Assert.Null(FrameStamp.Read(yuv, 640, 480));
    }

    [Fact]
    public void A_flipped_data_block_fails_the_parity_check()
    {
        var yuv = new byte[VideoFrame.SizeOf(640, 480)];
        FrameStamp.Write(yuv, 640, 480, 6);
        var block = 4 + FrameStamp.DataBits - 1; // least significant data bit
        for (var y = 0; y < FrameStamp.BlockSize; y++) yuv.AsSpan(y * 640 + block * FrameStamp.BlockSize, FrameStamp.BlockSize).Fill(235);
        Assert.Null(FrameStamp.Read(yuv, 640, 480));
    }

    [Fact]
    public void A_picture_too_narrow_for_the_stamp_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FrameStamp.Write(new byte[VideoFrame.SizeOf(320, 240)], 320, 240, 1));
    }

    [Fact]
    public void The_terminal_renderer_draws_two_pixels_per_cell_in_true_colour()
    {
        var yuv = new byte[VideoFrame.SizeOf(4, 4)];
        yuv.AsSpan(0, 8).Fill(235);   // top half white
        yuv.AsSpan(8, 8).Fill(16);    // bottom half black
        yuv.AsSpan(16).Fill(128);
        var text = AnsiFrameRenderer.Render(yuv, 4, 4, 2, 1);
        Assert.Contains("\u001b[38;2;255;255;255m\u001b[48;2;0;0;0m\u2580", text);
    }
}
