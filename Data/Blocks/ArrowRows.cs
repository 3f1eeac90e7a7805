using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace RayGen.Data.Blocks;

/// <summary>
/// Blocks of rows whose columns are all primitive or string values as Arrow record batches (IPC stream format):
/// a column per field, read back into rows. Accessors are compiled once per row type; rows cost no reflection.
/// </summary>
internal sealed class ArrowRows<T>
{
    private readonly Schema _schema;
    private readonly ArrowColumn<T>[] _columns;
    private readonly Func<T> _create;

    private ArrowRows(ArrowColumn<T>[] columns, Func<T> create)
    {
        _columns = columns;
        _create = create;
        var builder = new Schema.Builder();
        foreach (var column in columns) builder.Field(f => f.Name(column.Name).DataType(column.Type).Nullable(column.Nullable));
        _schema = builder.Build();
    }

    /// <summary>The codec for <typeparamref name="T"/>, or null when its rows are not columnar.</summary>
    public static ArrowRows<T>? TryCreate()
    {
        if (!ArrowColumns.IsColumnar(typeof(T))) return null;
        var described = ArrowColumns.Describe(typeof(T));
        var columns = described.Select(c => ArrowColumn<T>.Create(c)).ToArray();
        if (columns.Any(c => c is null)) return null;
        Func<T> create = described is [{ Member: null }] ? static () => default! : Expression.Lambda<Func<T>>(Expression.New(typeof(T))).Compile();
        return new ArrowRows<T>(columns!, create);
    }

    public byte[] Encode(T[] rows)
    {
        var batch = new RecordBatch(_schema, _columns.Select(c => c.Build(rows)), rows.Length);
        using var stream = new MemoryStream();
        stream.WriteByte(BlockCodec.ArrowFormat);
        using (var writer = new ArrowStreamWriter(stream, _schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }

        return stream.ToArray();
    }

    public T[] Decode(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, 1, bytes.Length - 1, writable: false);
        using var reader = new ArrowStreamReader(stream);
        var rows = new List<T>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            var start = rows.Count;
            for (var i = 0; i < batch.Length; i++) rows.Add(_create());
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows)[start..];
            for (var c = 0; c < _columns.Length; c++) _columns[c].Read(batch.Column(c), span);
        }

        return rows.ToArray();
    }
}

/// <summary>One column of a row type: builds its Arrow array from rows, and writes an array's values back into rows.</summary>
internal abstract class ArrowColumn<TRow>
{
    public string Name { get; protected init; } = "";

    public IArrowType Type { get; protected init; } = NullType.Default;

    public bool Nullable { get; protected init; }

    public abstract IArrowArray Build(TRow[] rows);

    public abstract void Read(IArrowArray array, Span<TRow> rows);

    public static ArrowColumn<TRow>? Create(ArrowColumns.Column column)
    {
        var type = column.Type;
        var underlying = System.Nullable.GetUnderlyingType(type);
        Type columnType;
        if (type == typeof(string)) columnType = typeof(StringColumn<>).MakeGenericType(typeof(TRow));
        else if (underlying is not null) columnType = typeof(NullableColumn<,>).MakeGenericType(typeof(TRow), underlying);
        else if (type.IsPrimitive) columnType = typeof(ValueColumn<,>).MakeGenericType(typeof(TRow), type);
        else return null;
        return (ArrowColumn<TRow>)Activator.CreateInstance(columnType, column)!;
    }

    /// <summary>The getter and setter of a member (or of the row itself, for rows that are one value), compiled once.</summary>
    protected static (Func<TRow, TValue> Get, ArrowSetter<TRow, TValue> Set) Accessors<TValue>(MemberInfo? member)
    {
        if (member is null) return (static r => (TValue)(object)r!, static (ref TRow r, TValue v) => r = (TRow)(object)v!);
        var row = Expression.Parameter(typeof(TRow), "row");
        var get = Expression.Lambda<Func<TRow, TValue>>(Expression.MakeMemberAccess(row, member), row).Compile();
        var byRef = Expression.Parameter(typeof(TRow).MakeByRefType(), "row");
        var value = Expression.Parameter(typeof(TValue), "value");
        var set = Expression.Lambda<ArrowSetter<TRow, TValue>>(Expression.Assign(Expression.MakeMemberAccess(byRef, member), value), byRef, value).Compile();
        return (get, set);
    }
}

internal delegate void ArrowSetter<TRow, TValue>(ref TRow row, TValue value);

internal sealed class StringColumn<TRow> : ArrowColumn<TRow>
{
    private readonly Func<TRow, string> _get;
    private readonly ArrowSetter<TRow, string> _set;

    public StringColumn(ArrowColumns.Column column)
    {
        (Name, Type, Nullable) = (column.Name, StringType.Default, true);
        (_get, _set) = Accessors<string>(column.Member);
    }

    public override IArrowArray Build(TRow[] rows)
    {
        var builder = new StringArray.Builder();
        foreach (var row in rows)
        {
            var value = _get(row);
            if (value is null) builder.AppendNull();
            else builder.Append(value);
        }

        return builder.Build();
    }

    public override void Read(IArrowArray array, Span<TRow> rows)
    {
        var strings = (StringArray)array;
        for (var i = 0; i < rows.Length; i++) _set(ref rows[i], strings.GetString(i)!);
    }
}

internal sealed class ValueColumn<TRow, TValue> : ArrowColumn<TRow>
    where TValue : struct
{
    private readonly Func<TRow, TValue> _get;
    private readonly ArrowSetter<TRow, TValue> _set;
    private readonly bool _wholeRow;

    public ArrowValues<TValue> Values { get; } = ArrowValues<TValue>.Instance;

    public ValueColumn(ArrowColumns.Column column)
    {
        (Name, Type, Nullable) = (column.Name, ArrowValues<TValue>.Instance.Type, false);
        (_get, _set) = Accessors<TValue>(column.Member);
        _wholeRow = column.Member is null;
    }

    // A row that is one primitive value is the column itself: copied as a span, not a call per row.
    public override IArrowArray Build(TRow[] rows) =>
        _wholeRow ? Values.Build((TValue[])(object)rows) : Values.Build(rows.Length, i => _get(rows[i]));

    public override void Read(IArrowArray array, Span<TRow> rows)
    {
        if (_wholeRow && rows.Length > 0 && Values.TryCopy(array, System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.CompilerServices.Unsafe.As<TRow, TValue>(ref rows[0]), rows.Length)))
            return;
        for (var i = 0; i < rows.Length; i++) _set(ref rows[i], Values.Get(array, i).GetValueOrDefault());
    }
}

internal sealed class NullableColumn<TRow, TValue> : ArrowColumn<TRow>
    where TValue : struct
{
    private readonly Func<TRow, TValue?> _get;
    private readonly ArrowSetter<TRow, TValue?> _set;

    public NullableColumn(ArrowColumns.Column column)
    {
        (Name, Type, Nullable) = (column.Name, ArrowValues<TValue>.Instance.Type, true);
        (_get, _set) = Accessors<TValue?>(column.Member);
    }

    public override IArrowArray Build(TRow[] rows) => ArrowValues<TValue>.Instance.Build(rows.Length, i => _get(rows[i]));

    public override void Read(IArrowArray array, Span<TRow> rows)
    {
        for (var i = 0; i < rows.Length; i++) _set(ref rows[i], ArrowValues<TValue>.Instance.Get(array, i));
    }
}

/// <summary>Arrow's array and builder for one primitive type.</summary>
internal abstract class ArrowValues<TValue> where TValue : struct
{
    public static readonly ArrowValues<TValue> Instance = Create();

    public abstract IArrowType Type { get; }

    public abstract IArrowArray Build(int length, Func<int, TValue?> value);

    public abstract TValue? Get(IArrowArray array, int index);

    /// <summary>An array of values with no nulls, in one copy.</summary>
    public virtual IArrowArray Build(TValue[] values) => Build(values.Length, i => values[i]);

    /// <summary>Copies the values of an array without nulls into <paramref name="into"/>; false when it cannot.</summary>
    public virtual bool TryCopy(IArrowArray array, Span<TValue> into) => false;

    private static ArrowValues<TValue> Create()
    {
        object values = typeof(TValue) switch
        {
            var t when t == typeof(bool) => new BooleanValues(),
            var t when t == typeof(byte) => new PrimitiveValues<byte, UInt8Array, UInt8Array.Builder>(UInt8Type.Default),
            var t when t == typeof(short) => new PrimitiveValues<short, Int16Array, Int16Array.Builder>(Int16Type.Default),
            var t when t == typeof(int) => new PrimitiveValues<int, Int32Array, Int32Array.Builder>(Int32Type.Default),
            var t when t == typeof(long) => new PrimitiveValues<long, Int64Array, Int64Array.Builder>(Int64Type.Default),
            var t when t == typeof(float) => new PrimitiveValues<float, FloatArray, FloatArray.Builder>(FloatType.Default),
            var t when t == typeof(double) => new PrimitiveValues<double, DoubleArray, DoubleArray.Builder>(DoubleType.Default),
            _ => throw new NotSupportedException($"{typeof(TValue).Name} has no Arrow column here."),
        };
        return (ArrowValues<TValue>)values;
    }
}

internal sealed class PrimitiveValues<TValue, TArray, TBuilder>(IArrowType type) : ArrowValues<TValue>
    where TValue : struct, IEquatable<TValue>
    where TArray : PrimitiveArray<TValue>
    where TBuilder : PrimitiveArrayBuilder<TValue, TArray, TBuilder>, new()
{
    public override IArrowType Type => type;

    public override IArrowArray Build(int length, Func<int, TValue?> value)
    {
        var builder = new TBuilder();
        builder.Reserve(length);
        for (var i = 0; i < length; i++)
        {
            if (value(i) is { } v) builder.Append(v);
            else builder.AppendNull();
        }

        return builder.Build(default);
    }

    public override TValue? Get(IArrowArray array, int index) => ((TArray)array).GetValue(index);

    public override IArrowArray Build(TValue[] values)
    {
        var builder = new TBuilder();
        builder.Append(values.AsSpan());
        return builder.Build(default);
    }

    public override bool TryCopy(IArrowArray array, Span<TValue> into)
    {
        var typed = (TArray)array;
        if (typed.NullCount > 0 || typed.Length != into.Length) return false;
        typed.Values.CopyTo(into);
        return true;
    }
}

internal sealed class BooleanValues : ArrowValues<bool>
{
    public override IArrowType Type => BooleanType.Default;

    public override IArrowArray Build(int length, Func<int, bool?> value)
    {
        var builder = new BooleanArray.Builder();
        builder.Reserve(length);
        for (var i = 0; i < length; i++)
        {
            if (value(i) is { } v) builder.Append(v);
            else builder.AppendNull();
        }

        return builder.Build(default);
    }

    public override bool? Get(IArrowArray array, int index) => ((BooleanArray)array).GetValue(index);
}
