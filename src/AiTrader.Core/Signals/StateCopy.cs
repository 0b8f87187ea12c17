using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AiTrader.Core.Signals;

/// <summary>A deep copy of an object graph of this assembly's types (a signal pipeline and its indicators): every object
/// and array of it copied once (shared references stay shared in the copy), strings and other framework objects kept
/// as they are. The pipeline's state is plain fields and arrays, so a copy fed the same next bars yields the same
/// frames; copying by the fields themselves means an indicator added later is copied without anyone remembering to.</summary>
internal static class StateCopy
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> FieldsByType = new();
    private static readonly Func<object, object> ShallowClone = (Func<object, object>)Delegate.CreateDelegate(typeof(Func<object, object>),
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!);

    /// <summary>The copy of <paramref name="source"/>, and about how many bytes the copied objects and arrays take.</summary>
    public static T Of<T>(T source, out long bytes)
        where T : class
    {
        var copies = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        long size = 0;
        var copy = (T)Copy(source, copies, ref size)!;
        bytes = size;
        return copy;
    }

    private static bool Owned(Type type) => type.IsArray || type.Assembly == typeof(StateCopy).Assembly;

    private static object? Copy(object? value, Dictionary<object, object> copies, ref long bytes)
    {
        if (value is null || !Owned(value.GetType()))
        {
            return value;
        }

        if (copies.TryGetValue(value, out var done))
        {
            return done;
        }

        if (value is Delegate)
        {
            // A delegate would keep pointing at the original's objects: the copy would not be independent.
            throw new NotSupportedException($"{value.GetType()} holds a delegate; its state cannot be copied field by field.");
        }

        if (value is Array array)
        {
            var clone = (Array)array.Clone();
            copies[value] = clone;
            var element = array.GetType().GetElementType()!;
            bytes += 32 + (long)array.Length * (element.IsValueType ? SizeOf(element) : IntPtr.Size);
            if (!element.IsValueType || ContainsReferences(element))
            {
                for (var i = 0; i < clone.Length; i++)
                {
                    clone.SetValue(Copy(array.GetValue(i), copies, ref bytes), i);
                }
            }

            return clone;
        }

        var copy = ShallowClone(value);
        copies[value] = copy;
        var fields = FieldsOf(value.GetType());
        bytes += 16 + (long)fields.Length * 8;
        foreach (var field in fields)
        {
            if (!field.FieldType.IsValueType || ContainsReferences(field.FieldType))
            {
                field.SetValue(copy, Copy(field.GetValue(value), copies, ref bytes));
            }
        }

        return copy;
    }

    private static FieldInfo[] FieldsOf(Type type) => FieldsByType.GetOrAdd(type, t =>
    {
        var fields = new List<FieldInfo>();
        for (var at = t; at is not null && at != typeof(object); at = at.BaseType)
        {
            fields.AddRange(at.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        }

        return [.. fields];
    });

    /// <summary>A value type with an object reference inside (a struct holding an array, say): copied field by field too.</summary>
    private static bool ContainsReferences(Type valueType) =>
        valueType.IsValueType && !valueType.IsPrimitive && !valueType.IsEnum
        && FieldsOf(valueType).Any(f => !f.FieldType.IsValueType || ContainsReferences(f.FieldType));

    private static int SizeOf(Type valueType) =>
        valueType.IsPrimitive || valueType.IsEnum
            ? Marshal.SizeOf(valueType.IsEnum ? Enum.GetUnderlyingType(valueType) : valueType)
            : Math.Max(8, FieldsOf(valueType).Length * 8);
}
