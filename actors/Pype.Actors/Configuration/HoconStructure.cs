namespace Pype.Actors.Configuration;

/// <summary>Checks that braces and brackets in HOCON text pair up, outside strings and comments.</summary>
public static class HoconStructure
{
    public static string? FindUnbalanced(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                var triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                if (triple)
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return $"a \"\"\" string opened on line {line} is never closed";
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    continue;
                }
                for (i++; i < text.Length && text[i] != '"' && text[i] != '\n'; i++)
                    if (text[i] == '\\') i++;
                if (i >= text.Length || text[i] == '\n') return $"a string on line {line} is never closed";
                continue;
            }
            if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0 || open.Peek().Bracket != expected) return $"'{c}' on line {line} closes nothing";
                open.Pop();
            }
        }
        return open.Count > 0 ? $"'{open.Peek().Bracket}' opened on line {open.Peek().Line} is never closed" : null;
    }
}
