using System;
using System.Linq;
using RayGen.Cli.Commands;

namespace RayGen.Cli;

internal static class Program
{
    private const string Usage = """
        usage: raygen <command> [options]

          list tasks|actors|objects|nodes [--state STATE] [--name TEXT] [--limit N] [--address URL] [--token TOKEN]
          summary tasks                   [--name TEXT] [--address URL] [--token TOKEN]

        --address: a running driver's dashboard (RayOptions.DashboardPort), http://127.0.0.1:8265 by default.
        """;

    public static int Main(string[] args)
    {
        var rest = args.Skip(1).ToArray();
        return args.FirstOrDefault() switch
        {
            "list" => ListCommand.Run(rest, Console.Out, Console.Error),
            "summary" => SummaryCommand.Run(rest, Console.Out, Console.Error),
            "-h" or "--help" or "help" => Help(0),
            _ => Help(2),
        };
    }

    private static int Help(int status)
    {
        (status == 0 ? Console.Out : Console.Error).WriteLine(Usage);
        return status;
    }
}
