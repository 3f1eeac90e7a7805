using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using NUnit.Framework;

namespace RayGen.Generators.Tests;

/// <summary>
/// Verify's conventions over DiffPlex: one <c>*.verified.cs</c> per generated file, read like documentation;
/// on a mismatch a <c>*.received.cs</c> and a unified diff; new output is accepted only when
/// RAYGEN_ACCEPT_SNAPSHOTS=1 is set.
/// </summary>
internal static class Snapshot
{
    private const string AcceptSwitch = "RAYGEN_ACCEPT_SNAPSHOTS";

    public static void Match(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var accept = Environment.GetEnvironmentVariable(AcceptSwitch) == "1";

        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n") == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        if (accept)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : "";
        Assert.Fail($"Snapshot {name} does not match {(File.Exists(verified) ? "its verified file" : "(no verified file yet)")}.\n" +
                    $"Received: {received}\nAccept with {AcceptSwitch}=1 after reading the diff.\n{UnifiedDiff(expected, actual, name)}");
    }

    private static string UnifiedDiff(string expected, string actual, string name)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var text = new StringBuilder($"--- {name}.verified.cs\n+++ {name}.received.cs\n");
        var lines = diff.Lines.ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type == ChangeType.Unchanged)
            {
                // Show a line of context around changes only.
                var near = (i > 0 && lines[i - 1].Type != ChangeType.Unchanged) || (i + 1 < lines.Count && lines[i + 1].Type != ChangeType.Unchanged);
                if (near) text.Append("  ").AppendLine(lines[i].Text);
                continue;
            }

            text.Append(lines[i].Type == ChangeType.Inserted ? "+ " : "- ").AppendLine(lines[i].Text);
        }

        return text.ToString();
    }
}
