namespace Pype.Core.Identity;

/// <summary>
/// How a user names one of several ids without typing all of them: a call id, a call-list entry
/// or a peer hash is meant by any leading part of its hex form, in either case, with surrounding
/// blanks ignored. No prefix (null) means "whichever one there is".
/// </summary>
public static class HexPrefix
{
    /// <summary>True when <paramref name="prefix"/> is null or leads the 32-digit hex form of <paramref name="id"/>.</summary>
    public static bool Matches(UInt128 id, string? prefix) => Matches(id.ToString("x32"), prefix);

    /// <summary>True when <paramref name="prefix"/> is null or leads <paramref name="hex"/>.</summary>
    public static bool Matches(string hex, string? prefix) =>
        prefix is null || hex.StartsWith(prefix.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The one candidate <paramref name="prefix"/> names, or how many it names when that is not
    /// exactly one (0 or 2 and more): callers word their own refusal.
    /// </summary>
    public static Choice<T> Choose<T>(IEnumerable<T> candidates, Func<T, string> hexOf, string? prefix)
    {
        var matches = candidates.Where(candidate => Matches(hexOf(candidate), prefix)).ToList();
        return new Choice<T>(matches.Count == 1 ? matches[0] : default, matches.Count);
    }

    /// <summary>The result of <see cref="Choose"/>: <see cref="Chosen"/> is set when <see cref="Matching"/> is 1.</summary>
    public readonly record struct Choice<T>(T? Chosen, int Matching)
    {
        public bool IsUnique => Matching == 1;
    }
}
