using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RayGen.Cli.Commands;

/// <summary><c>raygen list tasks|actors|objects|nodes</c>: a running driver's rows, as Ray's <c>ray list</c>.</summary>
internal static class ListCommand
{
    private static readonly Dictionary<string, Column[]> s_columns = new(StringComparer.Ordinal)
    {
        ["tasks"] =
        [
            Column.Of("TASK_ID", "task_id"), Column.Of("NAME", "name"), Column.Of("STATE", "state"), Column.Of("TYPE", "type"),
            Column.Of("WORKER_PID", "worker_pid"), Column.Of("ACTOR_ID", "actor_id"), Column.Of("ATTEMPTS", "attempts"), Column.Of("ERROR_TYPE", "error_type"),
        ],
        ["actors"] =
        [
            Column.Of("ACTOR_ID", "actor_id"), Column.Of("CLASS_NAME", "class_name"), Column.Of("NAME", "name"), Column.Of("STATE", "state"),
            Column.Of("PID", "pid"), Column.Of("NUM_RESTARTS", "num_restarts"), Column.Of("DEATH_CAUSE", "death_cause"),
        ],
        ["objects"] =
        [
            Column.Of("OBJECT_ID", "object_id"), Column.Of("SIZE_BYTES", "size_bytes"), Column.Of("LOCATION", "location"),
            Column.Of("TASK_ID", "task_id"), Column.Of("PINS", "pins"),
        ],
        ["nodes"] =
        [
            Column.Of("NODE_ID", "node_id"), Column.Of("ADDRESS", "address"), Column.Of("IS_HEAD", "is_head"), Column.Of("IS_ALIVE", "is_alive"),
            Column.Of("RESOURCES", "resources"),
        ],
    };

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var client = DashboardClient.Parse(args);
            if (client.Positional.Count != 1 || !s_columns.TryGetValue(client.Positional[0], out var columns))
                throw new UsageException("raygen list needs one of: tasks, actors, objects, nodes");
            var what = client.Positional[0];
            var rows = client.Get("/api/" + what, filters: what != "nodes").EnumerateArray().ToList();
            output.WriteLine($"Total: {rows.Count}");
            output.WriteLine();
            Table.Print(output, columns, rows);
            return 0;
        }
        catch (UsageException e)
        {
            error.WriteLine($"raygen list: {e.Message}");
            error.WriteLine("usage: raygen list tasks|actors|objects|nodes [--state STATE] [--name TEXT] [--limit N] [--address URL] [--token TOKEN]");
            return 2;
        }
        catch (CommandException e)
        {
            error.WriteLine($"raygen list: {e.Message}");
            return 1;
        }
    }
}
