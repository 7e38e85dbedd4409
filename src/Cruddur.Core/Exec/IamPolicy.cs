using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cruddur.Core.Exec;

/// <summary>
/// Just enough IAM policy evaluation to say whether a role's policies allow some actions on every resource ("*"), as
/// actions without resource-level permissions (ssmmessages:*) need. An Allow statement counts when its Action (or NotAction)
/// matches, wildcards * and ? included, case-insensitively, and its Resource is "*" (or it uses NotResource without "*");
/// a matching Deny statement wins over any Allow. Not evaluated: Condition blocks (a statement with conditions is taken as
/// if they held), permissions boundaries, session policies and organization SCPs.
/// </summary>
internal static class IamPolicy
{
    /// <summary>
    /// Whether the policies allow <paramref name="action"/> on <paramref name="resource"/>, as IAM decides it within one
    /// account: an explicit Deny wins over any Allow, no matching Allow is an implicit deny. Action and Resource patterns
    /// match with * and ? (actions case-insensitively, resources case-sensitively). Statements written with NotAction or
    /// NotResource are not evaluated: when one of them could decide the answer it is <see cref="PolicyDecision.NotEvaluated"/>,
    /// with the reason, instead of a guess. Conditions are taken as if they held.
    /// </summary>
    public static PolicyVerdict Evaluate(IEnumerable<RolePolicy> policies, string action, string resource)
    {
        string? allowedBy = null;
        string? unevaluatedDeny = null;
        string? unevaluatedAllow = null;
        foreach (var (source, statement) in policies.SelectMany(p => Statements(p.Document).Select(s => (p.Source, s))))
        {
            var effect = (string?)statement["Effect"];
            if (statement["NotAction"] is not null || statement["NotResource"] is not null)
            {
                var why = $"a statement of {source} uses NotAction or NotResource, which this check does not evaluate";
                if (string.Equals(effect, "Deny", StringComparison.Ordinal))
                {
                    unevaluatedDeny ??= why;
                }
                else
                {
                    unevaluatedAllow ??= why;
                }

                continue;
            }

            if (!Matches(statement, action) || !(statement["Resource"] is { } resources && Strings(resources).Any(r => Wildcard(r, resource, ignoreCase: false))))
            {
                continue;
            }

            if (string.Equals(effect, "Deny", StringComparison.Ordinal))
            {
                return new PolicyVerdict(PolicyDecision.ExplicitDeny, source);
            }

            if (string.Equals(effect, "Allow", StringComparison.Ordinal))
            {
                allowedBy ??= source;
            }
        }

        // A Deny written with NotAction may take away what an Allow gives; an Allow written so matters only when nothing else allows.
        return unevaluatedDeny is not null ? new PolicyVerdict(PolicyDecision.NotEvaluated, unevaluatedDeny)
            : allowedBy is not null ? new PolicyVerdict(PolicyDecision.Allowed, allowedBy)
            : unevaluatedAllow is not null ? new PolicyVerdict(PolicyDecision.NotEvaluated, unevaluatedAllow)
            : new PolicyVerdict(PolicyDecision.ImplicitDeny, null);
    }

    /// <summary>The actions of <paramref name="actions"/> that no Allow grants on "*" or that a Deny takes away.</summary>
    public static IReadOnlyList<string> MissingActions(IEnumerable<string> policyDocuments, IReadOnlyList<string> actions)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var denied = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var statement in policyDocuments.SelectMany(Statements))
        {
            if (!AppliesToAllResources(statement))
            {
                continue;
            }

            var effect = (string?)statement["Effect"];
            foreach (var action in actions.Where(a => Matches(statement, a)))
            {
                if (string.Equals(effect, "Allow", StringComparison.Ordinal))
                {
                    allowed.Add(action);
                }
                else if (string.Equals(effect, "Deny", StringComparison.Ordinal))
                {
                    denied.Add(action);
                }
            }
        }

        return actions.Where(a => !allowed.Contains(a) || denied.Contains(a)).ToList();
    }

    /// <summary>
    /// Whether a role's trust policy lets <paramref name="servicePrincipal"/> (such as ecs.amazonaws.com) call sts:AssumeRole:
    /// an Allow statement whose Principal names the service (or is "*") and whose Action matches, and no such Deny.
    /// </summary>
    public static bool TrustsService(string trustPolicy, string servicePrincipal)
    {
        var allowed = false;
        foreach (var statement in Statements(trustPolicy).Where(s => Matches(s, "sts:AssumeRole") && NamesService(s["Principal"], servicePrincipal)))
        {
            if (string.Equals((string?)statement["Effect"], "Deny", StringComparison.Ordinal))
            {
                return false;
            }

            allowed |= string.Equals((string?)statement["Effect"], "Allow", StringComparison.Ordinal);
        }

        return allowed;
    }

    private static bool NamesService(JsonNode? principal, string service) => principal switch
    {
        JsonValue value => Strings(value).Contains("*"),
        JsonObject map => (map["Service"] is { } services && Strings(services).Any(s => string.Equals(s, service, StringComparison.OrdinalIgnoreCase)))
            || (map["AWS"] is { } accounts && Strings(accounts).Contains("*")),
        _ => false,
    };

    private static IEnumerable<JsonObject> Statements(string document)
    {
        switch (ParseOrNull(document)?["Statement"])
        {
            case JsonObject one:
                yield return one;
                break;
            case JsonArray many:
                foreach (var statement in many.OfType<JsonObject>())
                {
                    yield return statement;
                }

                break;
        }
    }

    /// <summary>A document that is not JSON allows nothing.</summary>
    private static JsonNode? ParseOrNull(string document)
    {
        try
        {
            return JsonNode.Parse(document);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Matches(JsonObject statement, string action)
    {
        if (statement["Action"] is { } list)
        {
            return Strings(list).Any(pattern => Wildcard(pattern, action));
        }

        return statement["NotAction"] is { } excluded && !Strings(excluded).Any(pattern => Wildcard(pattern, action));
    }

    private static bool AppliesToAllResources(JsonObject statement)
    {
        if (statement["Resource"] is { } resources)
        {
            return Strings(resources).Any(r => r == "*");
        }

        return statement["NotResource"] is { } excluded && !Strings(excluded).Any(r => r == "*");
    }

    private static IEnumerable<string> Strings(JsonNode node) => node switch
    {
        JsonArray array => array.Select(n => n?.GetValueKind() == JsonValueKind.String ? (string?)n : null).OfType<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [(string)value!],
        _ => [],
    };

    private static bool Wildcard(string pattern, string value, bool ignoreCase = true) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
            (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant);
}

/// <summary>How IAM would decide one request.</summary>
internal enum PolicyDecision
{
    Allowed,
    ImplicitDeny,
    ExplicitDeny,
    NotEvaluated,
}

/// <summary>A decision and what made it: the policy that allows or denies, or why it was not evaluated.</summary>
internal sealed record PolicyVerdict(PolicyDecision Decision, string? Reason);
