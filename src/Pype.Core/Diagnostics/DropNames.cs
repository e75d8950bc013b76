using System.Text;

namespace Pype.Core.Diagnostics;

/// <summary>How drop reasons are named where operators read them (status output, JSON): kebab-case.</summary>
public static class DropNames
{
    /// <summary><c>UnknownIndex</c> → <c>unknown-index</c>.</summary>
    public static string Kebab<TReason>(TReason reason)
        where TReason : struct, Enum
    {
        var name = reason.ToString();
        var kebab = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
                kebab.Append('-');
            kebab.Append(char.ToLowerInvariant(name[i]));
        }
        return kebab.ToString();
    }

    /// <summary>Adds the counter's non-zero counts to <paramref name="into"/> under their names.</summary>
    public static void AddTo<TReason>(this DropCounter<TReason> counter, IDictionary<string, long> into, Func<TReason, string>? name = null)
        where TReason : struct, Enum
    {
        foreach (var (reason, count) in counter.Counts)
        {
            var key = name?.Invoke(reason) ?? Kebab(reason);
            into[key] = into.TryGetValue(key, out var before) ? before + count : count;
        }
    }
}
