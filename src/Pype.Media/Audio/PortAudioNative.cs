using System.Runtime.InteropServices;

namespace Pype.Media.Audio;

/// <summary>The few PortAudio v19 calls Pype uses, from Debian's libportaudio2.</summary>
internal static partial class PortAudioNative
{
    private const string Library = "libportaudio.so.2";
    public const int NoError = 0;
    public const int NoDevice = -1;
    public const nuint SampleFormatInt16 = 0x00000008;
    public const int InputOverflowed = -9981;
    public const int OutputUnderflowed = -9980;

    [LibraryImport(Library)] public static partial int Pa_Initialize();
    [LibraryImport(Library)] public static partial int Pa_Terminate();
    [LibraryImport(Library)] public static partial int Pa_GetDeviceCount();
    [LibraryImport(Library)] public static partial int Pa_GetDefaultInputDevice();
    [LibraryImport(Library)] public static partial int Pa_GetDefaultOutputDevice();
    [LibraryImport(Library)] public static partial IntPtr Pa_GetErrorText(int errorCode);

    [LibraryImport(Library)]
    public static partial int Pa_OpenDefaultStream(out IntPtr stream, int inputChannels, int outputChannels, nuint sampleFormat,
        double sampleRate, nuint framesPerBuffer, IntPtr callback, IntPtr userData);

    [LibraryImport(Library)] public static partial int Pa_StartStream(IntPtr stream);
    [LibraryImport(Library)] public static partial int Pa_StopStream(IntPtr stream);
    [LibraryImport(Library)] public static partial int Pa_CloseStream(IntPtr stream);
    [LibraryImport(Library)] public static unsafe partial int Pa_ReadStream(IntPtr stream, short* buffer, nuint frames);
    [LibraryImport(Library)] public static unsafe partial int Pa_WriteStream(IntPtr stream, short* buffer, nuint frames);

    public static string ErrorText(int code) => Marshal.PtrToStringUTF8(Pa_GetErrorText(code)) ?? $"PortAudio error {code}";
}
