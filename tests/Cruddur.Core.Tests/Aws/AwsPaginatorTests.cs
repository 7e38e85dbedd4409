using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Aws;

public sealed class AwsPaginatorTests
{
    [Fact]
    public async Task ThreePagesAreReadInOrderPassingEachToken()
    {
        var asked = new List<string?>();
        var pages = new Dictionary<string, AwsPage<int>> { ["start"] = new([1, 2], "a"), ["a"] = new([3], "b"), ["b"] = new([4, 5], null) };

        var all = await AwsPaginator.AllAsync(token =>
        {
            asked.Add(token);
            return Task.FromResult(pages[token ?? "start"]);
        }, "test");

        Assert.Equal([1, 2, 3, 4, 5], all);
        Assert.Equal([null, "a", "b"], asked);
    }

    [Fact]
    public async Task AnEmptyPageWithATokenDoesNotEndTheListing()
    {
        var all = await AwsPaginator.AllAsync(token => Task.FromResult(token switch
        {
            null => new AwsPage<string>([], "more"),
            "more" => new AwsPage<string>([], "last"),
            _ => new AwsPage<string>(["x"], string.Empty),
        }), "test");

        Assert.Equal(["x"], all);
    }

    [Fact]
    public async Task ATokenHandedOutTwiceEndsWithAnErrorInsteadOfLoopingForever()
    {
        var calls = 0;

        var error = await Assert.ThrowsAsync<CruddurException>(() => AwsPaginator.AllAsync(_ => Task.FromResult(new AwsPage<int>([++calls], "same")), "ECS ListTasks"));

        Assert.Equal("AwsResponseInvalid", error.ErrorId);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task TheEcsClientFollowsNextTokenOverRealHttp()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((context, _, n) => ScriptedEndpoint.Write(context, 200, n switch
        {
            1 => "{\"serviceArns\":[\"arn:aws:ecs:us-east-1:1:service/cruddur/a\"],\"nextToken\":\"t1\"}",
            2 => "{\"serviceArns\":[],\"nextToken\":\"t2\"}",
            _ => "{\"serviceArns\":[\"arn:aws:ecs:us-east-1:1:service/cruddur/b\"]}",
        }));

        var names = await new EcsClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).ListServiceNamesAsync("cruddur", CancellationToken.None);

        Assert.Equal(["a", "b"], names);
        Assert.Equal([null, "t1", "t2"], endpoint.Requests.Select(r => (string?)System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["nextToken"]));
    }
}
