using System.Xml.Linq;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Aws;

/// <summary>The REST-XML protocol and the JSON clients' readers against scripted local endpoints.</summary>
public sealed class ProtocolClientTests
{
    private static readonly AwsService Route53 = new("ROUTE_53", "route53", "route53", Global: true);

    [Fact]
    public async Task RestXmlSendsMethodPathAndBodyAndReadsTheXmlAnswer()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((context, _, _) => ScriptedEndpoint.Write(context, 200,
            "<ChangeResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>",
            "text/xml"));
        var api = new RestXmlProtocol(AwsTestContext.For(endpoint.Url), Route53, new RecordingHost());
        XNamespace ns = "https://route53.amazonaws.com/doc/2013-04-01/";

        var status = await api.CallAsync("ChangeResourceRecordSets", HttpMethod.Post, "/2013-04-01/hostedzone/Z1/rrset", new XElement(ns + "ChangeResourceRecordSetsRequest", new XElement(ns + "ChangeBatch")),
            idempotent: false, r => r!.Descendants(ns + "Status").Single().Value, CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("PENDING", status);
        Assert.Equal(("POST", "/2013-04-01/hostedzone/Z1/rrset"), (request.Method, request.Path));
        Assert.Contains("<ChangeBatch", request.Body);
    }

    [Fact]
    public async Task RestXmlErrorsKeepTheirCodeAndQueriesReachTheEndpoint()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(404,
            "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z9</Message></Error></ErrorResponse>", "text/xml");
        var api = new RestXmlProtocol(AwsTestContext.For(endpoint.Url), Route53, new RecordingHost());

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => api.CallAsync("ListResourceRecordSets", HttpMethod.Get, "/2013-04-01/hostedzone/Z9/rrset?name=api.example.com.&type=A",
            null, idempotent: true, r => r, CancellationToken.None));

        Assert.Equal("AwsNotFound", error.ErrorId);
        Assert.Equal("NoSuchHostedZone", error.ErrorCode);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal("/2013-04-01/hostedzone/Z9/rrset?name=api.example.com.&type=A", Assert.Single(endpoint.Requests).Path);
    }

    [Fact]
    public async Task EcrAuthorizationIsReadWithItsEpochExpiry()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(200,
            "{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\",\"proxyEndpoint\":\"https://1.dkr.ecr.us-east-1.amazonaws.com\",\"expiresAt\":1796032800.5}]}");

        var auth = await new EcrClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).GetAuthorizationTokenAsync(CancellationToken.None);

        Assert.Equal(("QVdTOnB3", "https://1.dkr.ecr.us-east-1.amazonaws.com"), (auth.Token, auth.ProxyEndpoint));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, 500, TimeSpan.Zero), auth.ExpiresAt);
        Assert.DoesNotContain("QVdTOnB3", auth.ToString());
    }

    [Fact]
    public async Task CognitoUsersArePagedByPaginationToken()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((context, _, n) => ScriptedEndpoint.Write(context, 200, n == 1
            ? "{\"Users\":[{\"Username\":\"u1\",\"Attributes\":[{\"Name\":\"sub\",\"Value\":\"s1\"},{\"Name\":\"preferred_username\",\"Value\":\"andrew\"}]}],\"PaginationToken\":\"p2\"}"
            : "{\"Users\":[{\"Username\":\"u2\",\"Attributes\":[{\"Name\":\"sub\",\"Value\":\"s2\"}]}]}"));

        var users = await new CognitoClient(AwsTestContext.For(endpoint.Url), new RecordingHost()).ListUsersAsync("pool", CancellationToken.None);

        Assert.Equal([new CognitoUser("u1", "andrew", "s1"), new CognitoUser("u2", null, "s2")], users);
        Assert.Contains("\"PaginationToken\":\"p2\"", endpoint.Requests.Last().Body);
    }
}
