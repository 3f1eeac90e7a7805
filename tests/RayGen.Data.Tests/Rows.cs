using System;
using CsvHelper;
using MemoryPack;

namespace RayGen.Data.Tests;

/// <summary>A row with every kind of value a file round trip must keep.</summary>
[MemoryPackable]
[CsvRecord]
public sealed partial class Person : IEquatable<Person>
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public double? Score { get; set; }
    public DateTime Born { get; set; }
    public long Visits { get; set; }
    public bool Active { get; set; }

    public bool Equals(Person? other) => other is not null && Id == other.Id && Name == other.Name && Score == other.Score
        && Born == other.Born && Visits == other.Visits && Active == other.Active;

    public override bool Equals(object? obj) => Equals(obj as Person);

    public override int GetHashCode() => Id;

    public override string ToString() => $"{Id} '{Name}' {Score} {Born:O} {Visits} {Active}";
}

/// <summary>A wide row: most of its bytes are a payload, so a few thousand of them fill a store.</summary>
[MemoryPackable]
public sealed partial class Blob
{
    public int Id { get; set; }
    public byte[] Payload { get; set; } = [];
}

/// <summary>A row stamped with where and when it was made.</summary>
[MemoryPackable]
public partial record struct Stamped(int Value, long MadeAtTicks, int Pid);

/// <summary>What a class transform reports per row: which instance made it and how many were built in its process.</summary>
[MemoryPackable]
public partial record struct Tagged(int Value, Guid Instance, int ConstructedInProcess, int Pid);

/// <summary>A row of primitive and string fields only: its blocks are Arrow record batches.</summary>
[MemoryPackable]
public sealed partial class Reading : IEquatable<Reading>
{
    public int Sensor { get; set; }
    public double? Value { get; set; }
    public string? Label { get; set; }
    public bool Ok { get; set; }
    public long At;

    public bool Equals(Reading? other) => other is not null && Sensor == other.Sensor && Value == other.Value && Label == other.Label && Ok == other.Ok && At == other.At;

    public override bool Equals(object? obj) => Equals(obj as Reading);

    public override int GetHashCode() => Sensor;
}

/// <summary>A CSV row whose columns are known by position, for files without a header.</summary>
[MemoryPackable]
[CsvRecord]
public sealed partial class Note
{
    [CsvColumn(Index = 0)]
    public int Id { get; set; }

    [CsvColumn(Index = 1)]
    public string? Text { get; set; }
}
