using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>
/// A deploy behind a load balancer: target group names in service files, the target health a success waits for, and the
/// public URLs read from the listeners.
/// </summary>
public sealed class LoadBalancerTests
{
    internal const string Group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-backend-flask-tg/0123abcd";
    private const string OtherGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cruddur-admin-tg/4567ef";

    // ---- Target group names in a service file ----

    [Fact]
    public async Task ATargetGroupNameIsReplacedByItsArnAndAnArnPassesAsItIs()
    {
        var definition = JsonNode.Parse($$"""
            { "loadBalancers": [ { "targetGroupName": "cruddur-backend-flask-tg", "containerPort": 4567 }, { "targetGroupArn": "{{OtherGroup}}" } ] }
            """)!.AsObject();

        await TargetGroupReferences.ResolveAsync(definition, new Elb(), null, "service-backend-flask.json", CancellationToken.None);

        Assert.Equal(
            $$"""[{"containerPort":4567,"targetGroupArn":"{{Group}}"},{"targetGroupArn":"{{OtherGroup}}"}]""",
            definition["loadBalancers"]!.ToJsonString());
        Assert.Equal([Group, OtherGroup], TargetGroupReferences.ArnsOf(definition["loadBalancers"] as JsonArray));
    }

    [Theory]
    [InlineData("""{ "targetGroupName": "cruddur-backend-flask-tg", "targetGroupArn": "arn:x" }""")]
    [InlineData("""{ "targetGroupName": " " }""")]
    [InlineData("""{ "targetGroupName": 7 }""")]
    public async Task AnEntryNeedsEitherAnArnOrANonEmptyNameNotBoth(string entry)
    {
        var definition = JsonNode.Parse($$"""{ "loadBalancers": [ {{entry}} ] }""")!.AsObject();

        var e = await Assert.ThrowsAsync<CruddurException>(() => TargetGroupReferences.ResolveAsync(definition, new Elb(), null, "service-backend-flask.json", CancellationToken.None));

        Assert.Equal(("DeployTargetGroupReferenceInvalid", ErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains("service-backend-flask.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"targetGroupName\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownTargetGroupNameIsNamedWithHowToCreateIt()
    {
        var definition = JsonNode.Parse("""{ "loadBalancers": [ { "targetGroupName": "typo-tg" } ] }""")!.AsObject();

        var e = await Assert.ThrowsAsync<CruddurException>(() => TargetGroupReferences.ResolveAsync(definition, new Elb(), null, "service-backend-flask.json", CancellationToken.None));

        Assert.Equal(("DeployTargetGroupNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'typo-tg'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Initialize-CruddurInfrastructure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArnsOfListsEachGroupOnce()
    {
        var loadBalancers = JsonNode.Parse($$"""[ { "targetGroupArn": "{{Group}}", "containerPort": 1 }, { "targetGroupArn": "{{Group}}", "containerPort": 2 }, { "loadBalancerName": "classic" } ]""")!.AsArray();

        Assert.Equal([Group], TargetGroupReferences.ArnsOf(loadBalancers));
        Assert.Empty(TargetGroupReferences.ArnsOf(null));
    }

    // ---- Target health ----

    [Fact]
    public async Task EveryRunningTaskHealthyInEveryGroupKeepsTheSuccess()
    {
        var ecs = new Tasks([Group, OtherGroup], Running("t1", "10.0.0.1"), Running("t2", "10.0.0.2"), TaskJson("t3", "PROVISIONING", "10.0.0.3"), TaskJson("t4", "RUNNING", null));
        var elb = new Elb { [Group] = [Healthy("10.0.0.1"), Healthy("10.0.0.2")], [OtherGroup] = [Healthy("10.0.0.2"), Healthy("10.0.0.1")] };
        var (watch, clock) = (Succeeded(), new Clock());

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), clock.Watch).WaitAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(WatchState.Succeeded, watch.State);
        Assert.Equal([Group, OtherGroup], elb.Asked);
        Assert.Equal(TimeSpan.Zero, clock.Waited);
    }

    [Fact]
    public async Task AnUnhealthyTargetFailsTheDeploymentAtOnceWithElbsReason()
    {
        var ecs = new Tasks([Group], Running("t1", "10.0.0.1"), Running("t2", "10.0.0.2"));
        var elb = new Elb { [Group] = [Healthy("10.0.0.1"), new TargetHealth("10.0.0.2", 4567, "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]")] };
        var watch = Succeeded();

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), new Clock().Watch).WaitAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(WatchState.Failed, watch.State);
        Assert.Equal("the load balancer's targets are not healthy: task t2 (10.0.0.2) in target group cruddur-backend-flask-tg is unhealthy: Target.ResponseCodeMismatch: Health checks failed with these codes: [500]", watch.Reason);
        Assert.Single(elb.Asked);
    }

    [Fact]
    public async Task InitialTargetsAreWaitedForUntilHealthy()
    {
        var ecs = new Tasks([Group], Running("t1", "10.0.0.1"));
        var elb = new Elb { [Group] = [Initial("10.0.0.1")] };
        var clock = new Clock();
        clock.OnDelay = () => elb[Group] = [Healthy("10.0.0.1")];
        var watch = Succeeded();
        var host = new RecordingHost();

        await new TargetHealthWaiter(ecs, elb, host, clock.Watch).WaitAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(WatchState.Succeeded, watch.State);
        Assert.Equal(TimeSpan.FromSeconds(1), clock.Waited);
        Assert.Contains(host.Progress, p => p.Status == "task t1 (10.0.0.1) in target group cruddur-backend-flask-tg is initial (Elb.RegistrationInProgress: Target registration is in progress)");

        Assert.All(host.Progress, p => Assert.Equal("Waiting for healthy targets of cruddur/a", p.Activity));
        Assert.True(host.Progress.Last().Completed); // the bar is removed
    }

    [Fact]
    public async Task TargetsStillMissingOrInitialWhenTheTimeIsUpFailTheDeployment()
    {
        var ecs = new Tasks([Group], Running("t1", "10.0.0.1"), Running("t2", "10.0.0.2"));
        var elb = new Elb { [Group] = [Initial("10.0.0.2")] };
        var clock = new Clock();
        var watch = Succeeded();

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), clock.Watch).WaitAsync([watch], TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(WatchState.Failed, watch.State);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Waited);
        Assert.Contains("task t1 (10.0.0.1) in target group cruddur-backend-flask-tg is not registered", watch.Reason, StringComparison.Ordinal);
        Assert.Contains("task t2 (10.0.0.2) in target group cruddur-backend-flask-tg is initial", watch.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryTargetProblemIsListedSeparately()
    {
        var ecs = new Tasks([Group], Running("t1", "10.0.0.1"), Running("t2", "10.0.0.2"));
        var elb = new Elb { [Group] = [Initial("10.0.0.2")] };
        var watch = Succeeded();

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), new Clock().Watch).WaitAsync([watch], TimeSpan.Zero, CancellationToken.None);

        Assert.Contains("is not registered; task t2 (10.0.0.2)", watch.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceWithoutTargetGroupsAndAFailedWatchAreNotChecked()
    {
        var noGroups = Succeeded();
        var failed = new ServiceWatch(new Deployment { Cluster = "cruddur", Service = "b", TaskDefinitionArn = "arn:aws:ecs:us-east-1:1:task-definition/b:2", DeploymentId = "ecs-svc/2" }, 2);
        failed.Missing();

        // Any ELB call, or any ECS call for the failed watch, fails the test.
        await new TargetHealthWaiter(new Tasks([]), new Elb(), new RecordingHost(), new Clock().Watch).WaitAsync([noGroups, failed], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal((WatchState.Succeeded, WatchState.Failed), (noGroups.State, failed.State));
    }

    [Fact]
    public async Task NoRunningTaskOfTheDeploymentMeansNothingToWaitFor()
    {
        var elb = new Elb { [Group] = [] };
        var watch = Succeeded();

        await new TargetHealthWaiter(new Tasks([Group]), elb, new RecordingHost(), new Clock().Watch).WaitAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(WatchState.Succeeded, watch.State);
    }

    [Fact]
    public async Task AServiceWithoutTargetGroupsShowsNoWait()
    {
        var host = new RecordingHost();

        await new TargetHealthWaiter(new Tasks([]), new Elb(), host, new Clock().Watch).WaitAsync([Succeeded()], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Empty(host.Progress);
    }

    [Fact]
    public async Task TargetsHealthyAtTheFirstLookPassEvenWithNoTimeToWait()
    {
        var ecs = new Tasks([Group], Running("t1", "10.0.0.1"));
        var elb = new Elb { [Group] = [Healthy("10.0.0.1")] };
        var watch = Succeeded();

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), new Clock().Watch).WaitAsync([watch], TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(WatchState.Succeeded, watch.State);
    }

    [Fact]
    public async Task RunningTasksWithoutANetworkInterfaceAddressAreNotWaitedFor()
    {
        var noAttachments = Running("t1", "10.0.0.1");
        noAttachments.Remove("attachments");
        var noDetails = Running("t2", "10.0.0.2");
        ((JsonObject)noDetails["attachments"]![0]!).Remove("details");
        var elb = new Elb { [Group] = [] };
        var watch = Succeeded();

        await new TargetHealthWaiter(new Tasks([Group], noAttachments, noDetails), elb, new RecordingHost(), new Clock().Watch).WaitAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(WatchState.Succeeded, watch.State);
    }

    // ---- Public URLs ----

    [Fact]
    public async Task PublicUrlsAreReadFromTheListenersOfTheGroupsLoadBalancers_AtTheirRoute53Aliases()
    {
        var elb = new Elb();
        var host = new RecordingHost();

        var urls = await ReadOneAsync(PublicUrlsTests.Reader(elb, host), "cruddur/backend-flask", LoadBalancers(Group));

        // The default action at the apex alias (the zone's alias names the load balancer by its dualstack. name, with the trailing dot).
        Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"], urls);
        Assert.Empty(host.Messages);
    }

    [Fact]
    public async Task WithoutAnAliasTheDefaultActionOffersNoHttpsUrl_NoCertificateCoversTheLoadBalancersDnsName()
    {
        var urls = await ReadOneAsync(PublicUrlsTests.Reader(new Elb(), aliases: false), "cruddur/backend-flask", LoadBalancers(Group));

        Assert.Equal(["https://api.cruddur.example"], urls);
    }

    [Fact]
    public async Task TheBlueGreenTestListenerIsNoPublicUrl_ByItsNameTagOrAsTheServicesTestListenerRule()
    {
        var tagged = new Elb { TestListenerTags = new Dictionary<string, string> { ["Name"] = SeedDefaults.TestListenerName } };
        Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"],
            await ReadOneAsync(PublicUrlsTests.Reader(tagged), "cruddur/backend-flask", LoadBalancers(Group)));

        var untagged = new Elb { TestListenerTags = new Dictionary<string, string>() };
        Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"],
            await ReadOneAsync(PublicUrlsTests.Reader(untagged), "cruddur/backend-flask", LoadBalancers(Group, testListenerRule: "r8443")));
        Assert.Contains("https://cruddur.example:8443",
            await ReadOneAsync(PublicUrlsTests.Reader(untagged), "cruddur/backend-flask", LoadBalancers(Group))); // any other listener still counts
    }

    [Fact]
    public async Task NoGroupsOrNoLoadBalancerMeansNoUrlsAndNoFurtherCalls()
    {
        // Any ELB call with no groups, or a load-balancer lookup with none, would fail and warn.
        var host = new RecordingHost();
        Assert.Empty(await ReadOneAsync(PublicUrlsTests.Reader(new Elb { ListFails = new InvalidOperationException("ELB was asked") }, host), "cruddur/a", null));
        Assert.Empty(await ReadOneAsync(PublicUrlsTests.Reader(new Elb(), host), "cruddur/a", LoadBalancers(OtherGroup))); // in no load balancer
        Assert.Empty(host.Messages);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UrlsThatCannotBeReadOnlyWarn(bool awsError)
    {
        var host = new RecordingHost();
        var elb = new Elb { ListFails = awsError ? new CruddurException("AwsAccessDenied", ErrorKind.PermissionDenied, "not authorized: DescribeTargetGroups") : new InvalidOperationException("garbled") };

        Assert.Empty(await ReadOneAsync(PublicUrlsTests.Reader(elb, host), "cruddur/backend-flask", LoadBalancers(Group)));

        var warning = Assert.Single(host.Messages);
        Assert.StartsWith("WARNING: cruddur/backend-flask: its public URLs could not be read from ELBv2, Route 53 and ACM: ", warning, StringComparison.Ordinal);
        Assert.Contains(awsError ? "not authorized: DescribeTargetGroups" : "garbled", warning, StringComparison.Ordinal);
        Assert.Equal(!awsError, warning.Contains("Unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublicUrlsOfManyServicesReadEachLoadBalancersListenersAndRulesOnce()
    {
        var elb = new Elb { TestListenerTags = new Dictionary<string, string>() };
        var services = Enumerable.Range(1, 12).Select(i => ($"cruddur/s{i}", (JsonArray?)(i == 12 ? LoadBalancers(OtherGroup) : LoadBalancers(Group, testListenerRule: i % 2 == 0 ? "r8443" : null)))).ToList();

        var urls = await PublicUrlsTests.Reader(elb).ReadAsync(services, CancellationToken.None);

        Assert.Equal(12, urls.Count);
        Assert.All(urls.Where((_, i) => i % 2 == 1 && i < 11), u => Assert.Equal(["https://api.cruddur.example", "https://cruddur.example"], u));
        Assert.All(urls.Where((_, i) => i % 2 == 0), u => Assert.Contains("https://cruddur.example:8443", u));
        Assert.Empty(urls[11]);
        Assert.Equal(["DescribeTargetGroups", "DescribeLoadBalancers", "DescribeListeners arn:lb", "DescribeTags", "DescribeRules l443", "DescribeRules l8443"], elb.Reads);
    }

    private static async Task<IReadOnlyList<string>> ReadOneAsync(PublicUrls reader, string name, JsonArray? loadBalancers) =>
        Assert.Single(await reader.ReadAsync([(name, loadBalancers)], CancellationToken.None));

    private static JsonArray LoadBalancers(string targetGroup, string? testListenerRule = null)
    {
        var entry = new JsonObject { ["targetGroupArn"] = targetGroup };
        if (testListenerRule is not null)
        {
            entry["advancedConfiguration"] = new JsonObject { ["testListenerRule"] = testListenerRule };
        }

        return new JsonArray(entry);
    }

    private static ServiceWatch Succeeded()
    {
        var watch = new ServiceWatch(new Deployment { Cluster = "cruddur", Service = "a", TaskDefinitionArn = "arn:aws:ecs:us-east-1:1:task-definition/a:2", DeploymentId = "ecs-svc/1" }, 1);
        watch.Observe(EcsClient.Service(JsonNode.Parse("""{ "serviceName": "a", "status": "ACTIVE", "deployments": [ { "id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED" } ] }""")!.AsObject()));
        Assert.Equal(WatchState.Succeeded, watch.State);
        return watch;
    }

    private static TargetHealth Healthy(string ip) => new(ip, 4567, "healthy", null, null);

    private static TargetHealth Initial(string ip) => new(ip, 4567, "initial", "Elb.RegistrationInProgress", "Target registration is in progress");

    private static JsonObject Running(string id, string ip) => TaskJson(id, "RUNNING", ip);

    private static JsonObject TaskJson(string id, string lastStatus, string? ip) => new()
    {
        ["taskArn"] = $"arn:aws:ecs:us-east-1:1:task/cruddur/{id}",
        ["lastStatus"] = lastStatus,
        ["startedBy"] = "ecs-svc/1",
        ["attachments"] = new JsonArray(new JsonObject
        {
            ["type"] = "ElasticNetworkInterface",
            ["details"] = ip is null
                ? new JsonArray(new JsonObject { ["name"] = "subnetId", ["value"] = "subnet-1" })
                : new JsonArray(new JsonObject { ["name"] = "subnetId", ["value"] = "subnet-1" }, new JsonObject { ["name"] = "privateIPv4Address", ["value"] = ip }),
        }),
    };

    /// <summary>A clock whose delays pass at once and are added up; <see cref="OnDelay"/> changes the world meanwhile.</summary>
    private sealed class Clock
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public Clock() => Watch = new WatchClock(() => _now, (delay, _) =>
        {
            _now += delay;
            Waited += delay;
            OnDelay?.Invoke();
            return System.Threading.Tasks.Task.CompletedTask;
        });

        public WatchClock Watch { get; }

        public TimeSpan Waited { get; private set; }

        public Action? OnDelay { get; set; }
    }

    /// <summary>Service 'a' of deployment ecs-svc/1 behind <paramref name="groups"/>, with its running tasks.</summary>
    private sealed class Tasks(IReadOnlyList<string> groups, params JsonObject[] tasks) : ScriptedEcsClient
    {
        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            Assert.Equal(["a"], names);
            return Answered(
                [new JsonObject { ["serviceName"] = "a", ["status"] = "ACTIVE", ["loadBalancers"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["targetGroupArn"] = g }).ToArray()) }]);
        }

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            Assert.Equal((null, "RUNNING", false), (query.StartedBy, query.DesiredStatus, query.FirstPageOnly)); // the cluster's, every page
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<string>>(tasks.Select(t => (string)t["taskArn"]!).ToList());
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> arns, CancellationToken cancellationToken)
        {
            Assert.NotEmpty(arns);
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<EcsTask>>(tasks.Where(t => arns.Contains((string)t["taskArn"]!)).Select(EcsClient.Task).ToList());
        }
    }

    /// <summary>
    /// One internet-facing ALB: HTTPS forwards api.cruddur.example and its default to <see cref="Group"/>; <see cref="OtherGroup"/>
    /// is in no load balancer. Target health per group as set.
    /// </summary>
    internal sealed class Elb : ScriptedElbv2Client
    {
        private readonly Dictionary<string, IReadOnlyList<TargetHealth>> _health = [];

        public List<string> Asked { get; } = [];

        /// <summary>The edge reads the URLs made, in order: the call and, for per-listener or per-load-balancer ones, its ARN.</summary>
        public List<string> Reads { get; } = [];

        public Exception? ListFails { get; init; }

        public IReadOnlyList<TargetHealth> this[string group]
        {
            get => _health[group];
            set => _health[group] = value;
        }

        public override Task<TargetGroup?> FindTargetGroupAsync(string name, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult(name == "cruddur-backend-flask-tg" ? new TargetGroup(Group, name, "HTTP", 4567, "ip", "/api/health-check", 2, ["arn:lb"]) : null);

        public override Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken)
        {
            Asked.Add(targetGroupArn);
            return System.Threading.Tasks.Task.FromResult(_health[targetGroupArn]);
        }

        public override Task<IReadOnlyList<TargetGroup>> ListTargetGroupsAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken)
        {
            if (ListFails is { } e)
            {
                throw e;
            }

            Reads.Add("DescribeTargetGroups");
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<TargetGroup>>(arns!.Select(a => new TargetGroup(a, "tg", "HTTP", 4567, "ip", null, 2, a == Group ? ["arn:lb"] : [])).ToList());
        }

        public override Task<IReadOnlyList<LoadBalancer>> ListLoadBalancersAsync(IReadOnlyList<string>? arns, CancellationToken cancellationToken)
        {
            Assert.Equal(["arn:lb"], arns);
            Reads.Add("DescribeLoadBalancers");
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<LoadBalancer>>([new LoadBalancer("arn:lb", "cruddur-alb", "internet-facing", "Cruddur-ALB-1.us-east-1.elb.amazonaws.com", "Z1", "vpc-1", [])]);
        }

        /// <summary>Adds the blue/green edge's test listener (HTTPS 8443, the same certificate and rules), with these tags.</summary>
        public IReadOnlyDictionary<string, string>? TestListenerTags { get; init; }

        public override Task<IReadOnlyList<Listener>> ListListenersAsync(string loadBalancerArn, CancellationToken cancellationToken)
        {
            Reads.Add($"DescribeListeners {loadBalancerArn}");
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<Listener>>(
                TestListenerTags is null
                    ? [new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Group)])]
                    : [new Listener("l443", "HTTPS", 443, ["arn:cert"], [ListenerAction.Forward(Group)]), new Listener("l8443", "HTTPS", 8443, ["arn:cert"], [ListenerAction.Forward(Group)])]);
        }

        public override Task<IReadOnlyList<ListenerRule>> ListRulesAsync(string listenerArn, CancellationToken cancellationToken)
        {
            Reads.Add($"DescribeRules {listenerArn}");
            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<ListenerRule>>([new ListenerRule(listenerArn == "l443" ? "r1" : "r8443", "1", false, ["api.cruddur.example"], [ListenerAction.Forward(Group)])]);
        }

        public override Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
        {
            Reads.Add("DescribeTags");
            return System.Threading.Tasks.Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(
                TestListenerTags is null ? new Dictionary<string, IReadOnlyDictionary<string, string>>() : new Dictionary<string, IReadOnlyDictionary<string, string>> { ["l8443"] = TestListenerTags });
        }
    }
}
