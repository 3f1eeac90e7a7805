using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace RayGen.Data.Blocks;

/// <summary>A row type's columns: the row itself when it is one value, else its public fields and settable properties.</summary>
internal static class ArrowColumns
{
    internal sealed record Column(string Name, Type Type, string ArrowType, MemberInfo? Member);

    private static readonly Dictionary<Type, string> s_arrowTypes = new()
    {
        [typeof(bool)] = "bool",
        [typeof(byte)] = "uint8",
        [typeof(short)] = "int16",
        [typeof(int)] = "int32",
        [typeof(long)] = "int64",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(string)] = "utf8",
    };

    public static string? ArrowTypeOf(Type type) =>
        s_arrowTypes.TryGetValue(Nullable.GetUnderlyingType(type) ?? type, out var name) ? name : null;

    public static IReadOnlyList<Column> Describe(Type rowType)
    {
        if (ArrowTypeOf(rowType) is { } single) return [new Column("value", rowType, single, null)];
        var members = new List<Column>();
        foreach (var member in rowType.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = member switch
            {
                PropertyInfo { CanRead: true, CanWrite: true } p when p.GetIndexParameters().Length == 0 => p.PropertyType,
                FieldInfo { IsInitOnly: false } f => f.FieldType,
                _ => null,
            };
            if (type is not null) members.Add(new Column(member.Name, type, ArrowTypeOf(type) ?? "", member));
        }

        return members;
    }

    /// <summary>Whether blocks of <paramref name="rowType"/> are Arrow record batches: one primitive or string value, or a class with a public parameterless constructor whose columns all have an Arrow type.</summary>
    public static bool IsColumnar(Type rowType)
    {
        if (ArrowTypeOf(rowType) is not null) return true;
        if (rowType.IsAbstract || rowType.IsInterface || rowType.IsArray) return false;
        // Structs (tuples, record structs) stay MemoryPack arrays: filling a boxed copy column by column would not fill the row.
        if (rowType.IsValueType || rowType.GetConstructor(Type.EmptyTypes) is null) return false;
        var columns = Describe(rowType);
        return columns.Count > 0 && columns.All(c => c.ArrowType.Length > 0);
    }
}
