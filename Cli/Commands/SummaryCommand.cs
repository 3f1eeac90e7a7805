using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RayGen.Cli.Commands;

/// <summary><c>raygen summary tasks</c>: a running driver's tasks counted by function and state, as Ray's <c>ray summary tasks</c>.</summary>
internal static class SummaryCommand
{
    private static readonly Column[] s_columns =
    [
        Column.Of("NAME", "name"), Column.Of("TYPE", "type"), Column.Of("TOTAL", "total"), Column.Of("STATE_COUNTS", "state_counts"),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var client = DashboardClient.Parse(args);
            if (client.Positional is not ["tasks"]) throw new UsageException("raygen summary needs: tasks");
            if (client.State is not null) throw new UsageException("summary tasks takes no --state: it counts every state");
            var rows = client.Get("/api/summary/tasks", filters: true).EnumerateArray().ToList();
            output.WriteLine($"Functions: {rows.Count}, tasks: {rows.Sum(r => r.GetProperty("total").GetInt64())}");
            output.WriteLine();
            Table.Print(output, s_columns, rows);
            return 0;
        }
        catch (UsageException e)
        {
            error.WriteLine($"raygen summary: {e.Message}");
            error.WriteLine("usage: raygen summary tasks [--name TEXT] [--limit N] [--address URL] [--token TOKEN]");
            return 2;
        }
        catch (CommandException e)
        {
            error.WriteLine($"raygen summary: {e.Message}");
            return 1;
        }
    }
}
