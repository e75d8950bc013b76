using Pype.Actors.Node;
using Spectre.Console;

namespace Pype.Cli.Console;

/// <summary>
/// What an event's text rendering writes to: the Spectre console (tables and colour on a
/// terminal, plain lines when redirected) and the pieces several events share.
/// </summary>
public sealed class ConsoleText(IAnsiConsole console, bool terminal)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>A person is looking: worth drawing the address as a QR code.</summary>
    public bool Terminal { get; } = terminal;

    /// <summary>A line of literal markup (no values in it to escape).</summary>
    public void Markup(string markup) => Console.MarkupLine(markup);

    /// <summary>A line of markup whose interpolated values are escaped.</summary>
    public void Line(FormattableString line) => Console.MarkupLineInterpolated(line);

    public void Write(Table table) => Console.Write(table);

    /// <summary>The first 16 hex digits of a hash: enough to tell peers apart on a screen.</summary>
    public static string Short(string hash) => hash[..16] + "…";

    /// <summary>The first 12 hex digits of a call id.</summary>
    public static string ShortCall(string callId) => callId[..12] + "…";

    public void Address(string address, string hash)
    {
        Console.MarkupLineInterpolated($"address: [bold]{address}[/]");
        Console.MarkupLineInterpolated($"hash:    {hash}");
    }

    /// <summary>The address as a QR code, on a terminal only.</summary>
    public void Qr(string address)
    {
        if (!Terminal) return;
        foreach (var line in QrCodeText.Render(address)) Console.WriteLine(line);
    }

    public void Record(string title, RecordView record)
    {
        var table = new Table().AddColumns(title, "");
        table.AddRow("hash", record.Hash);
        table.AddRow("address", record.Address);
        table.AddRow("sequence", record.Sequence.ToString());
        table.AddRow("expires", record.Expiry.ToString("yyyy-MM-dd HH:mm:ss"));
        table.AddRow("candidates", Spectre.Console.Markup.Escape(string.Join(", ", record.Candidates)));
        Console.Write(table);
    }

    public static void AddTransportRows(Table table, Pype.Actors.Transport.TransportStatus t)
    {
        table.AddRow("UDP", $"{t.LocalEndPoint}: {t.DatagramsIn} in, {t.DatagramsOut} out, {t.StunAnswered} STUN answered");
        table.AddRow("dropped", Spectre.Console.Markup.Escape(Counts(t.Drops)));
    }

    /// <summary>Counters by reason, sorted, or "none".</summary>
    public static string Counts(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}"));
}
