using System;
using System.Collections.Generic;
using System.Linq;
using RayGen.Data.Blocks;

namespace RayGen.Data;

/// <summary>One column of a dataset's rows.</summary>
/// <param name="Name">The member's name (<c>value</c> for rows that are one value).</param>
/// <param name="Type">The .NET type.</param>
/// <param name="ArrowType">The Arrow type its blocks hold it as; null when blocks are not columnar.</param>
public sealed record SchemaField(string Name, Type Type, string? ArrowType);

/// <summary>What a dataset's rows hold, and how its blocks store them: Arrow record batches, or MemoryPack arrays.</summary>
public sealed class DatasetSchema
{
    internal DatasetSchema(Type rowType)
    {
        RowType = rowType;
        IsColumnar = ArrowColumns.IsColumnar(rowType);
        Fields = ArrowColumns.Describe(rowType).Select(c => new SchemaField(c.Name, c.Type, IsColumnar ? c.ArrowType : null)).ToList();
    }

    /// <summary>The row type.</summary>
    public Type RowType { get; }

    /// <summary>Whether blocks are Arrow record batches (rows of primitive, string and date fields) rather than MemoryPack arrays.</summary>
    public bool IsColumnar { get; }

    /// <summary>The columns.</summary>
    public IReadOnlyList<SchemaField> Fields { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{RowType.Name} ({(IsColumnar ? "Arrow" : "MemoryPack")} blocks): " + string.Join(", ", Fields.Select(f => $"{f.Name}: {f.ArrowType ?? f.Type.Name}"));
}
