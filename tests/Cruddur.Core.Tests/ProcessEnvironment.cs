namespace Cruddur.Core.Tests;

/// <summary>
/// Tests that set environment variables for the whole test process (DOCKER_HOST, AWS_REGION and the like) or use its
/// process-wide caches: they run alone, not beside other collections that would read those variables.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = nameof(ProcessEnvironment);
}
