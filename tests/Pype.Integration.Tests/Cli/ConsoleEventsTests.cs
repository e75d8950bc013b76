using System.Text.Json;
using System.Text.RegularExpressions;
using Pype.Cli.Console;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Cli;

/// <summary>docs/EVENTS.md and the event definitions say the same thing, and every event renders both ways.</summary>
public partial class ConsoleEventsTests
{
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    }

    [Fact]
    public void Every_defined_event_is_documented_with_every_field_it_writes()
    {
        var documented = DocumentedEvents();
        var missing = new List<string>();
        foreach (var kind in ConsoleEvents.All)
        {
            if (!documented.TryGetValue(kind.Name, out var fields))
            {
                missing.Add($"{kind.Name} ({kind.Message.Name}) has no row");
                continue;
            }
            foreach (var field in FieldsWritten(kind).Where(f => !fields.Contains(f)))
                missing.Add($"{kind.Name} ({kind.Message.Name}) writes '{field}', not in its row");
        }
        Assert.True(missing.Count == 0, "docs/EVENTS.md is missing:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_documented_event_is_defined()
    {
        var defined = ConsoleEvents.All.Select(e => e.Name).ToHashSet();
        var undefined = DocumentedEvents().Keys.Where(name => !defined.Contains(name)).ToList();
        Assert.True(undefined.Count == 0, "documented but not defined: " + string.Join(", ", undefined));
    }

    [Fact]
    public void Every_event_renders_as_one_json_line_and_as_text_with_or_without_its_optional_parts()
    {
        foreach (var kind in ConsoleEvents.All)
            foreach (var full in new[] { true, false })
            {
                var message = SampleMessages.Build(kind.Message, full);
                Assert.Same(kind, ConsoleEvents.For(message));

                var json = new StringWriter();
                new JsonConsoleOutput(json, new FixedClock()).Show(message);
                var lines = json.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var line = Assert.Single(lines);
                using var parsed = JsonDocument.Parse(line);
                Assert.Equal(kind.Name, parsed.RootElement.GetProperty("event").GetString());
                Assert.Equal("2026-12-07T12:00:00+00:00", parsed.RootElement.GetProperty("time").GetString());

                var text = new StringWriter();
                new TextConsoleOutput(text, terminal: false).Show(message);
                Assert.DoesNotContain("unrenderable", text.ToString());
            }
    }

    [Fact]
    public void A_message_no_event_defines_is_shown_as_an_error_naming_it()
    {
        var json = new StringWriter();
        new JsonConsoleOutput(json, new FixedClock()).Show(new Pype.Actors.Node.NodeFlushed());
        Assert.Equal("""{"event":"error","time":"2026-12-07T12:00:00+00:00","command":"","message":"unrenderable message NodeFlushed"}""", json.ToString().Trim());

        var text = new StringWriter();
        new TextConsoleOutput(text, terminal: false).Show(new Pype.Actors.Node.NodeFlushed());
        Assert.Equal("error: unrenderable message NodeFlushed", text.ToString().Trim());
    }

    /// <summary>
    /// Every property name in the event's JSON, nested ones included, from a sample with every
    /// optional part present. Keys of counter objects (drop reasons) are data, not fields: the
    /// sample's reasons are its filler text, so they are left out.
    /// </summary>
    private static IEnumerable<string> FieldsWritten(ConsoleEvent kind)
    {
        var json = new StringWriter();
        new JsonConsoleOutput(json, new FixedClock()).Show(SampleMessages.Build(kind.Message, full: true));
        using var parsed = JsonDocument.Parse(json.ToString());
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(parsed.RootElement, names);
        names.ExceptWith(["event", "time"]);
        return names.Where(n => !n.Contains(SampleMessages.Filler, StringComparison.Ordinal)).ToList();
    }

    private static void Collect(JsonElement element, ISet<string> names)
    {
        if (element.ValueKind == JsonValueKind.Object)
            foreach (var property in element.EnumerateObject())
            {
                names.Add(property.Name);
                Collect(property.Value, names);
            }
        else if (element.ValueKind == JsonValueKind.Array)
            foreach (var item in element.EnumerateArray()) Collect(item, names);
    }

    /// <summary>
    /// The table of docs/EVENTS.md: event name → every word of its fields column. A row that
    /// says its fields are "as one entry of `stats`" gets that row's words too.
    /// </summary>
    private static Dictionary<string, HashSet<string>> DocumentedEvents()
    {
        var events = new Dictionary<string, HashSet<string>>();
        var borrowed = new List<(string Name, string From)>();
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "docs", "EVENTS.md")))
        {
            var row = TableRow().Match(line);
            if (!row.Success) continue;
            var name = row.Groups["name"].Value;
            var fields = row.Groups["fields"].Value;
            var words = Word().Matches(fields).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            Assert.True(events.TryAdd(name, words), $"docs/EVENTS.md has two rows for {name}");
            if (SameAs().Match(fields) is { Success: true } same) borrowed.Add((name, same.Groups["from"].Value));
        }
        foreach (var (name, from) in borrowed) events[name].UnionWith(events[from]);
        Assert.NotEmpty(events);
        return events;
    }

    [GeneratedRegex(@"^\| `(?<name>[a-z-]+)` \|.*\| (?<fields>.*) \|$")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"as one entry of `(?<from>[a-z-]+)`")]
    private static partial Regex SameAs();

    [GeneratedRegex(@"[a-z0-9_]+")]
    private static partial Regex Word();
}
