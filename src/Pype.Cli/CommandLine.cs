namespace Pype.Cli;

public enum Verb { Node, Seed, Demo, Keygen, Help, Version }

/// <summary>What the user asked for on the command line.</summary>
public sealed record Invocation(
    Verb Verb,
    IReadOnlyList<string> ConfigFiles,
    IReadOnlyDictionary<string, string> Overrides,
    string? PassphraseFile,
    Demo.DemoOptions? Demo = null);

public sealed class UsageException(string message) : Exception(message);

/// <summary>Parses <c>pype VERB [options]</c>. Flags become pype.* overrides so that one
/// validation path (SettingsLoader) checks them all.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: pype VERB [options]

        verbs:
          node      run a node (console on stdin)
          seed      run a seed (console on stdin)
          demo      a seed and two nodes on this machine: one calls the other with test video
                    and audio, shows it, prints statistics and hangs up
          keygen    create the identity key file in the data directory, or show the existing one
          help      show this text
          version   show the version

        options:
          --config FILE           HOCON file (repeatable; later files win over earlier ones)
          --data-dir DIR          data directory (pype.data-dir)
          --events text|json      console output: text, or one JSON object per line (pype.events)
          --passphrase-file FILE  encrypt/decrypt the key file with the passphrase in FILE
                                  (or set PYPE_PASSPHRASE)
          --set KEY=VALUE         set any pype.* key (repeatable)
          --video-source SPEC     pype.media.video.source: test, file:PATH, v4l2:/dev/videoN or none
          --audio-source SPEC     pype.media.audio.source: sine:HZ, wav:PATH, portaudio, alsa:DEV, pulse:DEV or none
          --video-out SPEC        pype.media.video.out: window, terminal, file:PATH.y4m or none (node)
          --audio-out SPEC        pype.media.audio.out: portaudio, file:PATH.wav or none

        demo options:
          --seconds N             hang up after N seconds (default 20)
          --out DIR               write the received video (.y4m) and audio (.wav) here (default ./pype-demo)
          --video-out MODE        auto, window, terminal or none: how the called node shows the video
                                  (--video-source and --audio-source set what both nodes send)
          --size WxH              test video size (default 640x480)

        exit codes: 0 ok, 1 runtime failure, 2 invalid command line or configuration,
                    3 identity key file problem, 4 database problem
        """;

    public static Invocation Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return new Invocation(Verb.Help, [], new Dictionary<string, string>(), null);
        var verb = args[0] switch
        {
            "node" => Verb.Node,
            "seed" => Verb.Seed,
            "demo" => Verb.Demo,
            "keygen" => Verb.Keygen,
            "help" or "--help" or "-h" => Verb.Help,
            "version" or "--version" => Verb.Version,
            var other => throw new UsageException($"unknown verb '{other}'"),
        };
        var configs = new List<string>();
        var overrides = new Dictionary<string, string>();
        string? passphraseFile = null;
        var demo = Demo.DemoOptions.Default;
        for (var i = 1; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{flag} needs a value");
            switch (flag)
            {
                case "--seconds" when verb == Verb.Demo:
                    demo = demo with { Duration = TimeSpan.FromSeconds(int.TryParse(Value(), out var seconds) && seconds is >= 1 and <= 86_400 ? seconds : throw new UsageException("--seconds expects a whole number from 1 to 86400")) };
                    break;
                case "--video-source": overrides["pype.media.video.source"] = Value(); break;
                case "--audio-source": overrides["pype.media.audio.source"] = Value(); break;
                case "--audio-out": overrides["pype.media.audio.out"] = Value(); break;
                case "--video-out" when verb != Verb.Demo: overrides["pype.media.video.out"] = Value(); break;
                case "--out" when verb == Verb.Demo: demo = demo with { OutputDirectory = Value() }; break;
                case "--video-out" when verb == Verb.Demo:
                    demo = demo with
                    {
                        VideoOut = Value() switch
                        {
                            "auto" => Demo.DemoVideoOut.Auto,
                            "window" => Demo.DemoVideoOut.Window,
                            "terminal" => Demo.DemoVideoOut.Terminal,
                            "none" => Demo.DemoVideoOut.None,
                            var other => throw new UsageException($"--video-out expects auto, window, terminal or none, got '{other}'"),
                        },
                    };
                    break;
                case "--size" when verb == Verb.Demo:
                    var size = Value().Split('x');
                    demo = size.Length == 2 && int.TryParse(size[0], out var width) && int.TryParse(size[1], out var height)
                        && width is >= 16 and <= 1920 && height is >= 16 and <= 1080 && width % 2 == 0 && height % 2 == 0
                        ? demo with { Width = width, Height = height }
                        : throw new UsageException("--size expects WxH with even sides from 16x16 to 1920x1080, e.g. 640x480");
                    break;
                case "--config": configs.Add(Value()); break;
                case "--data-dir": overrides["pype.data-dir"] = Value(); break;
                case "--events": overrides["pype.events"] = Value(); break;
                case "--passphrase-file": passphraseFile = Value(); break;
                case "--set":
                    var assignment = Value();
                    var eq = assignment.IndexOf('=');
                    if (eq <= 0) throw new UsageException($"--set expects KEY=VALUE, got '{assignment}'");
                    overrides[assignment[..eq].Trim()] = assignment[(eq + 1)..].Trim();
                    break;
                default: throw new UsageException($"unknown option '{flag}'");
            }
        }
        if (verb == Verb.Node) overrides.TryAdd("pype.node.enabled", "on");
        if (verb == Verb.Seed) overrides.TryAdd("pype.seed.enabled", "on");
        return new Invocation(verb, configs, overrides, passphraseFile, verb == Verb.Demo ? demo : null);
    }
}
