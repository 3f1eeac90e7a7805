using System;
using CsvHelper;
using MemoryPack;

namespace DataSample;

/// <summary>A taxi trip as the CSV files hold it: some rows are dirty (no zone, no fare, a zero distance).</summary>
[CsvRecord]
[MemoryPackable]
public sealed partial class Trip
{
    public int Id { get; set; }
    public DateTime Pickup { get; set; }
    public string? Zone { get; set; }
    public double Distance { get; set; }
    public double? Fare { get; set; }
}

/// <summary>What the model wants of a trip: primitive and string columns only, so its blocks are Arrow record batches.</summary>
[MemoryPackable]
public sealed partial class TripFeatures
{
    public int Id { get; set; }
    public string Zone { get; set; } = "";
    public int Hour { get; set; }
    public bool Weekend { get; set; }
    public double FarePerKm { get; set; }
    public double FareOverBase { get; set; }
}
