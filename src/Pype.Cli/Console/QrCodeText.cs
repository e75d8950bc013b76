using QRCoder;

namespace Pype.Cli.Console;

/// <summary>
/// Draws a QR code with Unicode half blocks, two module rows per text line. Light modules are
/// drawn as filled blocks so the code reads correctly on the dark background most terminals use.
/// </summary>
public static class QrCodeText
{
    public const int QuietZone = 2;

    /// <summary>The module matrix, true = dark, quiet zone included.</summary>
    public static bool[,] Modules(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix; // QRCoder pads a 4-module quiet zone; we use a narrower one.
        var inner = matrix.Count - 8;
        var size = inner + 2 * QuietZone;
        var modules = new bool[size, size];
        for (var y = 0; y < inner; y++)
            for (var x = 0; x < inner; x++)
                modules[y + QuietZone, x + QuietZone] = matrix[y + 4][x + 4];
        return modules;
    }

    public static IReadOnlyList<string> Render(string text)
    {
        var modules = Modules(text);
        var size = modules.GetLength(0);
        var lines = new List<string>();
        for (var y = 0; y < size; y += 2)
        {
            var line = new char[size];
            for (var x = 0; x < size; x++)
            {
                var topLight = !modules[y, x];
                var bottomLight = y + 1 >= size || !modules[y + 1, x];
                line[x] = (topLight, bottomLight) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                };
            }
            lines.Add(new string(line));
        }
        return lines;
    }
}
