using System.Threading.Channels;

namespace Pype.Media.Processes;

/// <summary>Closes the channel an ffmpeg output pipe feeds, once the pipe is read to its end.</summary>
internal static class PipeCompletion
{
    /// <summary>A reader that never ran (ffmpeg failed before opening the pipe) is not waited for longer than this.</summary>
    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// ffmpeg can exit while the pipe still holds its last output: the channel is closed only
    /// after the pipe's reader finished (<paramref name="drained"/>), or the end of a file goes missing.
    /// </summary>
    public static async Task CompleteAfterDrainAsync<T>(ChannelWriter<T> writer, Task drained, Exception? error)
    {
        await Task.WhenAny(drained, Task.Delay(ReaderGrace)).ConfigureAwait(false);
        writer.TryComplete(error);
    }
}
