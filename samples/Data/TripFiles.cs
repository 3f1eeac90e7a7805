using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace DataSample;

/// <summary>Writes the sample's input: deterministic trips, about 3% of them dirty in one way or another.</summary>
public static class TripFiles
{
    private static readonly string[] s_zones = ["Midtown", "Harlem", "SoHo", "Astoria", "Flushing", "Red Hook", "Chelsea", "Tribeca"];

    public static void Write(string folder, int files, int rows)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(17);
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var id = 0;
        for (var f = 0; f < files; f++)
        {
            var text = new StringBuilder("Id,Pickup,Zone,Distance,Fare\n");
            for (var i = 0; i < rows / files; i++, id++)
            {
                var pickup = start.AddSeconds(random.Next(0, 31 * 24 * 3600));
                var distance = Math.Round(random.NextDouble() * 20, 2);
                var fare = Math.Round(2.5 + distance * (1.5 + random.NextDouble()), 2);
                var zone = s_zones[random.Next(s_zones.Length)];
                var dirt = random.Next(100);
                text.Append(CultureInfo.InvariantCulture, $"{id},{pickup:yyyy-MM-ddTHH:mm:ssZ},");
                text.Append(dirt == 0 ? "" : zone == "Red Hook" ? "\"Red Hook, Brooklyn\"" : zone).Append(',');
                text.Append(CultureInfo.InvariantCulture, $"{(dirt == 1 ? 0 : distance)},");
                text.Append(dirt == 2 ? "" : fare.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            File.WriteAllText(Path.Combine(folder, $"trips-{f}.csv"), text.ToString());
        }
    }
}
