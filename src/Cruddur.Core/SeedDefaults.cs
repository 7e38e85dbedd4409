namespace Cruddur.Core;

/// <summary>
/// The names and paths the seed's scripts use, in one place: the defaults of the cmdlets and core options that take one,
/// the names tab completion offers, and the examples error messages give.
/// </summary>
public static class SeedDefaults
{
    /// <summary>The ECS cluster (with a Service Connect namespace of the same name); the log group has this name too.</summary>
    public const string Cluster = "cruddur";

    public const string BackendService = "backend-flask";

    public const string FrontendService = "frontend-react-js";

    /// <summary>The services, each with an ECR repository, task definition and env file of its name.</summary>
    public static readonly IReadOnlyList<string> Services = [BackendService, FrontendService];

    /// <summary>The ECR repository of the backend's base image.</summary>
    public const string BaseImageRepository = "cruddur-python";

    public static readonly IReadOnlyList<string> Repositories = [BackendService, FrontendService, BaseImageRepository];

    public const string ServiceExecutionRole = "CruddurServiceExecutionRole";
    public const string ServiceExecutionPolicy = "CruddurServiceExecutionPolicy";
    public const string TaskRole = "CruddurTaskRole";
    public const string TaskPolicy = "SSMAccessPolicy";
    public const string SecurityGroupName = "cruddur-ecs-security-group";
    public const string SecurityGroupDescription = "Security group for Cruddur services on ECS";

    // The public edge ("CREATE A LOADBALANCER", "SECURING THE DNS + DOMAIN CONFIGURATION").
    public const string LoadBalancerName = "cruddur-application-loadbalancer";
    public const string LoadBalancerSecurityGroupName = "cruddur-loadbalancer-security-group";
    public const string BackendTargetGroup = "cruddur-backend-flask-tg";
    public const string FrontendTargetGroup = "cruddur-frontend-react-js-tg";

    // The edge for ECS's blue/green, linear and canary deployments (Initialize-CruddurInfrastructure -Strategy BlueGreen).
    public const string EcsInfrastructureRole = "CruddurEcsInfrastructureRoleForLoadBalancers";

    /// <summary>The AWS-managed policy that lets ECS move traffic between a service's target groups.</summary>
    public const string EcsInfrastructurePolicy = "AmazonECSInfrastructureRolePolicyForLoadBalancers";

    /// <summary>Where the test listener takes test traffic to a new revision (HTTPS, with the edge's certificate).</summary>
    public const int TestListenerPort = 8443;

    /// <summary>The Name tag of the test listener: a run without -Strategy BlueGreen recognises it and leaves it alone.</summary>
    public const string TestListenerName = "cruddur-test-listener";

    /// <summary>A target group's alternate: &lt;name&gt;-alt (cruddur-frontend-react-js-tg-alt is 32 characters, ELB's limit).</summary>
    public static string AlternateTargetGroup(string targetGroup) => targetGroup + "-alt";

    /// <summary>The Name tag of a service's production listener rule; service files name the rule by it.</summary>
    public static string ProductionRuleName(string service) => $"cruddur-{service}-production";

    /// <summary>The Name tag of a service's test listener rule.</summary>
    public static string TestRuleName(string service) => $"cruddur-{service}-test";

    /// <summary>Where the React frontend listens in its container; its target group checks "/".</summary>
    public const int FrontendPort = 3000;
    public const string FrontendHealthPath = "/";

    /// <summary>Where the Flask backend listens, in its container and on a developer's machine.</summary>
    public const int BackendPort = 4567;

    /// <summary>The backend on a developer's machine.</summary>
    public static readonly string HealthUrl = $"http://localhost:{BackendPort}";
    public const string HealthPath = "/api/health-check";

    /// <summary>The seed's database (CONNECTION_URL's .../cruddur).</summary>
    public const string Database = "cruddur";

    /// <summary>How long the seed's log group keeps logs: one day.</summary>
    public const int LogRetentionDays = 1;

    /// <summary>How long Initialize-CruddurInfrastructure waits for the edge's certificate to be issued.</summary>
    public static readonly TimeSpan CertificateTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The backend's Parameter Store path (the seed's /cruddur/backend-flask/CONNECTION_URL and friends).</summary>
    public const string BackendParameterPath = "/cruddur/backend-flask/";

    // The project's folders, relative to its root.
    public const string TaskDefinitionFolder = "aws/task-definitions";
    public const string ServiceDefinitionFolder = "aws/ecs";
    public const string PolicyFolder = "aws/policies";
    public const string TemplateFolder = "erb";
    public const string SchemaPath = "backend-flask/db/schema.sql";
    public const string SeedPath = "backend-flask/db/seed.sql";

    public static string TaskDefinitionFileName(string service) => $"{service}.json";

    public static string ServiceDefinitionFileName(string service) => $"service-{service}.json";

    /// <summary>aws/task-definitions/&lt;service&gt;.json</summary>
    public static string TaskDefinitionFile(string service) => $"{TaskDefinitionFolder}/{TaskDefinitionFileName(service)}";

    /// <summary>aws/ecs/service-&lt;service&gt;.json</summary>
    public static string ServiceDefinitionFile(string service) => $"{ServiceDefinitionFolder}/{ServiceDefinitionFileName(service)}";

    /// <summary>erb/&lt;service&gt;.env.erb</summary>
    public static string EnvTemplate(string service) => $"{TemplateFolder}/{service}.env.erb";
}
