using System.Diagnostics;
using System.Text.RegularExpressions;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>The console as a person sees it: a real pseudo-terminal (util-linux `script`).</summary>
public class TerminalConsoleTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void On_a_terminal_the_node_prompts_and_shows_the_address_as_a_qr_code()
    {
        var command = $"dotnet {PypeProcess.PypeDll} node --config {RepositoryRoot.Hocon("test-overlay.conf")} --data-dir {data.Path}";
        var info = new ProcessStartInfo("script", ["-qfec", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        string Screen() { lock (output) return Regex.Replace(output.ToString(), "\u001b\\[[0-9;?]*[a-zA-Z]", ""); }
        void AwaitText(string text)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Screen().Contains(text))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{text}' never appeared:\n{Screen()}");
                Thread.Sleep(50);
            }
        }
        try
        {
            AwaitText("hash:"); // the prompt itself has no newline, so the line reader sees it later
            Thread.Sleep(300);
            process.StandardInput.Write("whoami\r");
            process.StandardInput.Flush();
            AwaitText("key file:");
            process.StandardInput.Write("quit\r");
            process.StandardInput.Flush();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)));
            // Only the wait without a timeout also waits for the redirected output to be read to
            // its end; without it the last line ("stopped (quit)") was sometimes still in flight.
            process.WaitForExit();
            var screen = Screen();
            Assert.Contains("address: pype1", screen);
            Assert.Contains("pype> whoami", screen);
            var qrRows = screen.Split('\n').Count(line => Regex.IsMatch(line.TrimEnd('\r'), "^[█▀▄ ]{25,}$"));
            Assert.True(qrRows >= 12, $"expected a QR code of half-block rows, found {qrRows} rows:\n{screen}");
            Assert.Contains("stopped (quit)", screen);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
