using System.Collections;
using System.Net;
using System.Reflection;

namespace Pype.Integration.Tests.Cli;

/// <summary>
/// Builds an instance of any message record the console renders, filled by reflection, so a test
/// covers every field of every event without a hand-written sample that falls behind the records.
/// Full: every optional value present and every list holding one item. Bare: optional values
/// null and lists empty (the other branch of most renderings).
/// </summary>
internal static class SampleMessages
{
    // Long enough for every abbreviation the text output takes (hash[..16], call id[..12]).
    public const string Filler = "0123456789abcdef0123456789abcdef";

    public static object Build(Type type, bool full) => Value(type, full, depth: 0)
        ?? throw new InvalidOperationException($"cannot build a sample {type.Name}");

    private static object? Value(Type type, bool full, int depth)
    {
        if (depth > 8) throw new InvalidOperationException($"sample of {type.Name} nests too deep");
        if (Nullable.GetUnderlyingType(type) is { } inner) return full ? Value(inner, full, depth + 1) : null;
        if (type == typeof(string)) return Filler;
        if (type == typeof(bool)) return true;
        if (type == typeof(int)) return 3;
        if (type == typeof(long)) return 5L;
        if (type == typeof(ulong)) return 7UL;
        if (type == typeof(double)) return 12.345678;
        if (type == typeof(UInt128)) return (UInt128)11;
        if (type == typeof(TimeSpan)) return TimeSpan.FromMilliseconds(1234.5);
        if (type == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 11, 26, 23, 59, 1, TimeSpan.Zero);
        if (type == typeof(IPEndPoint)) return new IPEndPoint(IPAddress.Parse("192.0.2.7"), 4242);
        if (type.IsEnum) return Enum.GetValues(type).GetValue(Enum.GetValues(type).Length - 1);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()))!;
            if (full) dictionary.Add(Value(type.GetGenericArguments()[0], full, depth + 1)!, Value(type.GetGenericArguments()[1], full, depth + 1));
            return dictionary;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var item = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(item))!;
            if (full) list.Add(Value(item, full, depth + 1));
            return list;
        }
        if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            return Activator.CreateInstance(type, type.GetGenericArguments().Select(a => Value(a, full, depth + 1)).ToArray());
        return Record(type, full, depth);
    }

    private static object Record(Type type, bool full, int depth)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var made = constructor.Invoke(constructor.GetParameters().Select(p => Value(p.ParameterType, full, depth + 1)).ToArray());
        var positional = constructor.GetParameters().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.CanWrite && !positional.Contains(property.Name) && property.Name != "EqualityContract")
                property.SetValue(made, Value(property.PropertyType, full, depth + 1));
        return made;
    }
}
