using Pype.Cli;
using Pype.Cli.Console;
using Xunit;

namespace Pype.Integration.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void Flags_become_pype_overrides_and_the_verb_enables_its_role()
    {
        var invocation = CommandLine.Parse(["node", "--config", "a.conf", "--config", "b.conf", "--data-dir", "/d", "--events", "json", "--set", "pype.seed.enabled = on"]);
        Assert.Equal(Verb.Node, invocation.Verb);
        Assert.Equal(["a.conf", "b.conf"], invocation.ConfigFiles);
        Assert.Equal("/d", invocation.Overrides["pype.data-dir"]);
        Assert.Equal("json", invocation.Overrides["pype.events"]);
        Assert.Equal("on", invocation.Overrides["pype.seed.enabled"]);
        Assert.Equal("on", invocation.Overrides["pype.node.enabled"]);
    }

    [Theory]
    [InlineData("fly")]
    [InlineData("node", "--data-dir")]
    [InlineData("node", "--set", "novalue")]
    [InlineData("seed", "--bogus")]
    public void Bad_command_lines_are_usage_errors(params string[] args) =>
        Assert.Throws<UsageException>(() => CommandLine.Parse(args));

    [Fact]
    public void Media_flags_become_media_settings()
    {
        var invocation = CommandLine.Parse(["node", "--video-source", "v4l2:/dev/video0", "--video-out", "window", "--audio-source", "portaudio", "--audio-out", "file:/tmp/a.wav"]);
        Assert.Equal("v4l2:/dev/video0", invocation.Overrides["pype.media.video.source"]);
        Assert.Equal("window", invocation.Overrides["pype.media.video.out"]);
        Assert.Equal("portaudio", invocation.Overrides["pype.media.audio.source"]);
        Assert.Equal("file:/tmp/a.wav", invocation.Overrides["pype.media.audio.out"]);
    }

    [Fact]
    public void No_arguments_means_help() => Assert.Equal(Verb.Help, CommandLine.Parse([]).Verb);

    [Fact]
    public void Demo_options_set_length_output_display_and_size()
    {
        var invocation = CommandLine.Parse(["demo", "--seconds", "7", "--out", "/o", "--video-out", "terminal", "--size", "320x240", "--set", "pype.media.video.bitrate-kbps=800"]);
        Assert.Equal(Verb.Demo, invocation.Verb);
        Assert.Equal(new Pype.Cli.Demo.DemoOptions(TimeSpan.FromSeconds(7), "/o", Pype.Cli.Demo.DemoVideoOut.Terminal, 320, 240), invocation.Demo);
        Assert.Equal("800", invocation.Overrides["pype.media.video.bitrate-kbps"]);
        Assert.Equal(Pype.Cli.Demo.DemoOptions.Default, CommandLine.Parse(["demo"]).Demo);
    }

    [Theory]
    [InlineData("demo", "--seconds", "0")]
    [InlineData("demo", "--seconds", "soon")]
    [InlineData("demo", "--video-out", "hologram")]
    [InlineData("demo", "--size", "641x480")]
    [InlineData("demo", "--size", "big")]
    [InlineData("node", "--seconds", "5")]
    public void Bad_demo_options_are_usage_errors(params string[] args) =>
        Assert.Throws<UsageException>(() => CommandLine.Parse(args));
}

public class ConsoleCommandTests
{
    [Theory]
    [InlineData("help", typeof(ConsoleCommand.Help))]
    [InlineData("  WHOAMI ", typeof(ConsoleCommand.WhoAmI))]
    [InlineData("contacts", typeof(ConsoleCommand.Contacts))]
    [InlineData("newkeys", typeof(ConsoleCommand.NewKeys))]
    [InlineData("status", typeof(ConsoleCommand.Status))]
    [InlineData("stats", typeof(ConsoleCommand.Stats))]
    [InlineData("calls", typeof(ConsoleCommand.Calls))]
    [InlineData("answer", typeof(ConsoleCommand.EndCall))]
    [InlineData("hangup 1a2b", typeof(ConsoleCommand.EndCall))]
    [InlineData("quit", typeof(ConsoleCommand.Quit))]
    [InlineData("exit", typeof(ConsoleCommand.Quit))]
    [InlineData("", typeof(ConsoleCommand.Nothing))]
    [InlineData("# a comment", typeof(ConsoleCommand.Nothing))]
    public void Known_commands_parse(string line, Type expected) => Assert.IsType(expected, ConsoleCommand.Parse(line));

    [Fact]
    public void Add_takes_an_address_and_an_optional_name()
    {
        Assert.Equal(new ConsoleCommand.Add("pype1abc", null), ConsoleCommand.Parse("add pype1abc"));
        Assert.Equal(new ConsoleCommand.Add("pype1abc", "alice"), ConsoleCommand.Parse("add\tpype1abc  alice"));
        Assert.Equal(new ConsoleCommand.Rename("alice", "ally"), ConsoleCommand.Parse("rename alice ally"));
        Assert.Equal(new ConsoleCommand.Remove("ally"), ConsoleCommand.Parse("remove ally"));
    }

    [Theory]
    [InlineData("add", "usage: add <address> [name]")]
    [InlineData("add a b c", "usage: add <address> [name]")]
    [InlineData("whoami now", "usage: whoami")]
    [InlineData("dance", "unknown command 'dance'")]
    public void Wrong_arity_or_unknown_commands_explain_themselves(string line, string message) =>
        Assert.Contains(message, Assert.IsType<ConsoleCommand.Invalid>(ConsoleCommand.Parse(line)).Message);

    [Fact]
    public void Overlong_line_is_refused() =>
        Assert.IsType<ConsoleCommand.Invalid>(ConsoleCommand.Parse(new string('a', ConsoleCommand.MaxLineLength + 1)));
}

public class QrCodeTextTests
{
    [Fact]
    public void Rendered_half_blocks_decode_back_to_the_qr_modules()
    {
        const string text = "pype1qexampleexampleexampleexampleexampleexampleexampleexamplex";
        var modules = QrCodeText.Modules(text);
        var lines = QrCodeText.Render(text);
        var size = modules.GetLength(0);
        Assert.Equal((size + 1) / 2, lines.Count);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var c = lines[y / 2][x];
                var light = y % 2 == 0 ? c is '█' or '▀' : c is '█' or '▄';
                Assert.Equal(!modules[y, x], light);
            }
    }

    [Fact]
    public void Qr_code_has_finder_patterns_in_three_corners()
    {
        var modules = QrCodeText.Modules("pype1qtest");
        var size = modules.GetLength(0);
        var q = QrCodeText.QuietZone;
        foreach (var (top, left) in new[] { (q, q), (q, size - q - 7), (size - q - 7, q) })
        {
            for (var i = 0; i < 7; i++)
            {
                Assert.True(modules[top, left + i]);
                Assert.True(modules[top + 6, left + i]);
                Assert.True(modules[top + i, left]);
            }
            Assert.True(modules[top + 3, left + 3]);
            Assert.False(modules[top + 1, left + 1]);
        }
    }
}
