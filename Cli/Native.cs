using System.Runtime.InteropServices;

namespace RayGen.Cli;

/// <summary>The few POSIX calls a background node needs that .NET does not offer.</summary>
internal static partial class Native
{
    public const int SigTerm = 15;

    /// <summary>Leaves the terminal's session, so closing the terminal (SIGHUP) does not end the node.</summary>
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
