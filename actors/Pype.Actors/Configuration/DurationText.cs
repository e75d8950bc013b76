using System.Globalization;

namespace Pype.Actors.Configuration;

/// <summary>HOCON-style durations ("500ms", "15s", "5m", "1h", "2d"); a bare number is seconds.</summary>
public static class DurationText
{
    public static TimeSpan? TryParse(string text)
    {
        text = text.Trim().ToLowerInvariant();
        var split = 0;
        while (split < text.Length && (char.IsDigit(text[split]) || text[split] == '.')) split++;
        if (split == 0) return null;
        if (!double.TryParse(text[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)) return null;
        var unit = text[split..].Trim();
        double? seconds = unit switch
        {
            "ms" or "millis" or "milliseconds" => amount / 1000,
            "" or "s" or "second" or "seconds" => amount,
            "m" or "minute" or "minutes" => amount * 60,
            "h" or "hour" or "hours" => amount * 3600,
            "d" or "day" or "days" => amount * 86400,
            _ => null,
        };
        return seconds is { } s && s <= TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(s) : null;
    }

    public static string Format(TimeSpan span) =>
        span.TotalMilliseconds < 1000 ? $"{span.TotalMilliseconds:0}ms"
        : span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.#}s"
        : span.TotalMinutes < 60 ? $"{span.TotalMinutes:0.#}m"
        : span.TotalHours < 24 ? $"{span.TotalHours:0.#}h"
        : $"{span.TotalDays:0.#}d";
}
