namespace Cruddur.Core.Aws;

/// <summary>
/// What the project needs to know about one AWS service to call it: how it is named in the endpoint environment variables
/// (AWS_ENDPOINT_URL_&lt;EnvName&gt;), its signing name, its public host prefix and, for JSON 1.1 services, the X-Amz-Target prefix.
/// </summary>
internal sealed record AwsService(string EnvName, string SigningName, string HostPrefix, string? TargetPrefix = null, bool Global = false)
{
    public static readonly AwsService Ecs = new("ECS", "ecs", "ecs", "AmazonEC2ContainerServiceV20141113");
    public static readonly AwsService Ecr = new("ECR", "ecr", "api.ecr", "AmazonEC2ContainerRegistry_V20150921");
    public static readonly AwsService Logs = new("CLOUDWATCH_LOGS", "logs", "logs", "Logs_20140328");
    public static readonly AwsService CognitoIdp = new("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "cognito-idp", "AWSCognitoIdentityProviderService");
    public static readonly AwsService Ssm = new("SSM", "ssm", "ssm", "AmazonSSM");
    public static readonly AwsService SecretsManager = new("SECRETS_MANAGER", "secretsmanager", "secretsmanager", "secretsmanager");
    public static readonly AwsService Sts = new("STS", "sts", "sts");
    public static readonly AwsService Ec2 = new("EC2", "ec2", "ec2");
    public static readonly AwsService Kms = new("KMS", "kms", "kms", "TrentService");
    public static readonly AwsService Iam = new("IAM", "iam", "iam", Global: true);
    public static readonly AwsService Elbv2 = new("ELASTIC_LOAD_BALANCING_V2", "elasticloadbalancing", "elasticloadbalancing");
    public static readonly AwsService Acm = new("ACM", "acm", "acm", "CertificateManager");
    public static readonly AwsService Route53 = new("ROUTE_53", "route53", "route53", Global: true);
}
