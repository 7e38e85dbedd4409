using System.Text.Json.Nodes;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>A strategy's settings: ECS's ranges, which strategy a setting belongs to, merging over the file, and the -WhatIf lines.</summary>
public class StrategyConfigurationTests
{
    private static readonly StrategySettings None = new();

    [Theory]
    [InlineData(3.0, true)]
    [InlineData(100.0, true)]
    [InlineData(33.3, true)]
    [InlineData(2.9, false)]
    [InlineData(100.1, false)]
    [InlineData(10.05, false)]
    public void StepPercentIsAMultipleOfATenthFrom3To100(double percent, bool accepted)
    {
        var settings = new StrategySettings { Strategy = DeploymentStrategy.Linear, StepPercent = percent };
        var error = Record.Exception(() => StrategyConfiguration.Check(settings, None, "test"));
        Assert.Equal(accepted, error is null);
        if (!accepted)
        {
            Assert.Equal(ErrorIds.DeployStrategyValueOutOfRange, Assert.IsType<CruddurException>(error).ErrorId);
        }
    }

    [Theory]
    [InlineData(0.1, true)]
    [InlineData(0.0, false)]
    [InlineData(100.0, true)]
    public void CanaryPercentStartsAtATenth(double percent, bool accepted) =>
        Assert.Equal(accepted, Record.Exception(() => StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.Canary, CanaryPercent = percent }, None, "test")) is null);

    [Theory]
    [InlineData(0, true)]
    [InlineData(1440, true)]
    [InlineData(1441, false)]
    [InlineData(-1, false)]
    public void BakeTimesAreWholeMinutesUpToADay(int minutes, bool accepted) =>
        Assert.Equal(accepted, Record.Exception(() => StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.BlueGreen, BakeTime = TimeSpan.FromMinutes(minutes) }, None, "test")) is null);

    [Fact]
    public void HalfAMinuteIsNoBakeTime()
    {
        var e = Assert.Throws<CruddurException>(() => StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.Linear, StepBakeTime = TimeSpan.FromSeconds(30) }, None, "f.json"));
        Assert.Equal(ErrorIds.DeployStrategyValueOutOfRange, e.ErrorId);
        Assert.StartsWith("f.json: the step bake time 00:00:30", e.Message);
    }

    [Fact]
    public void ASettingOfAnotherStrategyIsRefused()
    {
        var e = Assert.Throws<CruddurException>(() => StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.BlueGreen, StepPercent = 10 }, None, "x"));
        Assert.Equal(ErrorIds.DeployStrategyOptionMismatch, e.ErrorId);
        Assert.Contains("belongs to the Linear strategy, but the strategy is BlueGreen", e.Message);
    }

    [Fact]
    public void TheServicesOwnStrategyCountsWhenNoneIsAskedFor()
    {
        var current = new StrategySettings { Strategy = DeploymentStrategy.Canary, CanaryPercent = 5 };
        var asked = StrategyConfiguration.Check(new StrategySettings { CanaryPercent = 20 }, current, "x");
        Assert.Equal(20, asked.CanaryPercent);
        Assert.Throws<CruddurException>(() => StrategyConfiguration.Check(new StrategySettings { StepPercent = 20 }, current, "x"));
    }

    [Fact]
    public void BlueGreenGetsADefaultBakeTimeOnlyWhenNobodyHasOne()
    {
        Assert.Equal(StrategyConfiguration.DefaultBakeTime, StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.BlueGreen }, None, "x").BakeTime);
        Assert.Null(StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.BlueGreen }, new StrategySettings { BakeTime = TimeSpan.FromMinutes(3) }, "x").BakeTime);
        Assert.Null(StrategyConfiguration.Check(new StrategySettings { Strategy = DeploymentStrategy.Linear }, None, "x").BakeTime);
    }

    [Fact]
    public void ParametersOverrideTheFileAndAreWrittenUnderEcsNames()
    {
        var file = StrategyConfiguration.Read(JsonNode.Parse("""{"strategy":"LINEAR","bakeTimeInMinutes":4,"linearConfiguration":{"stepPercent":10.0,"stepBakeTimeInMinutes":6},"maximumPercent":200}""")!.AsObject(), "f");
        var merged = StrategyConfiguration.Override(file, new StrategySettings { StepPercent = 25 });
        var written = JsonNode.Parse("""{"maximumPercent":200,"deploymentCircuitBreaker":{"enable":true,"rollback":true}}""")!.AsObject();
        StrategyConfiguration.Write(written, merged);
        Assert.Equal("""{"maximumPercent":200,"strategy":"LINEAR","bakeTimeInMinutes":4,"linearConfiguration":{"stepPercent":25,"stepBakeTimeInMinutes":6}}""", written.ToJsonString());
    }

    [Fact]
    public void AnUnknownStrategyInTheFileIsNamed()
    {
        var e = Assert.Throws<CruddurException>(() => StrategyConfiguration.Read(JsonNode.Parse("""{"strategy":"BLUEGREEN"}""")!.AsObject(), "service.json"));
        Assert.Equal(ErrorIds.DeployStrategyValueOutOfRange, e.ErrorId);
        Assert.Contains("'BLUEGREEN'; ECS knows ROLLING, BLUE_GREEN, LINEAR, CANARY", e.Message);
    }

    [Fact]
    public void TheDiffNamesEachChangedSetting()
    {
        var lines = StrategyConfiguration.Diff(new StrategySettings(), new StrategySettings { Strategy = DeploymentStrategy.Canary, CanaryPercent = 10, BakeTime = TimeSpan.Zero });
        Assert.Equal(
            ["deploymentConfiguration.strategy: ROLLING -> CANARY", "deploymentConfiguration.bakeTimeInMinutes: (not set) -> 0", "deploymentConfiguration.canaryConfiguration.canaryPercent: (not set) -> 10.0"],
            lines);
        Assert.Empty(StrategyConfiguration.Diff(new StrategySettings { Strategy = DeploymentStrategy.Canary }, new StrategySettings { Strategy = DeploymentStrategy.Canary }));
    }
}
