namespace Cruddur.Core.Tests;

/// <summary>
/// Tests that set environment variables for the whole test process (DOCKER_HOST, AWS_REGION and the like) or use its
/// process-wide caches: they run alone, not beside other collections that would read those variables.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = nameof(ProcessEnvironment);

    /// <summary>True when this process ignores the signal (SigIgn in /proc/self/status): inherited from a parent started
    /// in the background (SIGINT, SIGQUIT) or under nohup (SIGHUP), and then handed to no .NET handler.</summary>
    public static bool Ignores(int signal) =>
        (Convert.ToUInt64(File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim(), 16)
            & (1UL << (signal - 1))) != 0;
}
