using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Capacity.IntegrationTests.Fixtures;
using Capacity.WebApi.Modules;
using Snapshooter.Xunit;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document is a contract clients generate code from. The snapshot catches any change to it;
/// the other tests say which properties of it matter and why.
/// </summary>
public sealed class OpenApiTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private const string ProblemDetails = "#/components/schemas/ProblemDetails";

    /// <summary>Every operation with every status it can answer.</summary>
    public static TheoryData<string, string, string, int[]> Operations => new()
    {
        { "post", "/api/admin/access-codes", nameof(AccessCodesModule.CreateAccessCode), [201, 400, 401, 403, 409, 413, 415, 500, 503] },
        { "get", "/api/access-codes/{code}", nameof(AccessCodesModule.GetAccessCode), [200, 400, 404, 500, 503] },
        { "post", "/api/auth/code-login", nameof(AccessCodesModule.CodeLogin), [200, 201, 400, 404, 409, 410, 413, 415, 500, 503] },
        { "post", "/api/sessions/{sessionId}/end", nameof(AccessCodesModule.EndSession), [200, 400, 404, 500, 503] },
        { "post", "/api/sessions/{sessionId}/heartbeat", nameof(AccessCodesModule.Heartbeat), [204, 400, 404, 410, 500, 503] },
        { "get", "/api/admin/access-codes/usage", nameof(AccessCodesModule.GetCodeUsageBatch), [200, 400, 401, 403, 500, 503] },
        { "post", "/api/admin/sessions/cleanup", nameof(AccessCodesModule.CleanupIdleSessions), [200, 400, 401, 403, 413, 415, 500, 503] },
        { "get", "/api/admin/performance", nameof(PerformanceModule.GetPerformance), [200, 401, 403, 500] },
        { "get", "/health", "HealthSummary", [200, 503] },
    };

    [Fact]
    public async Task Document_matches_the_committed_contract_snapshot()
    {
        var response = await api.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Snapshot.Match(await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_is_named_after_its_route_method_and_lists_every_status_with_problem_details_for_errors(
        string method, string path, string operationId, int[] statuses)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        var responses = operation.GetProperty("responses");
        Assert.Equal(statuses.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), responses.EnumerateObject().Select(r => r.Name).Order());
        foreach (var error in responses.EnumerateObject().Where(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture) >= 400 && path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var content = error.Value.GetProperty("content");
            Assert.Equal(["application/problem+json"], content.EnumerateObject().Select(c => c.Name));
            Assert.Equal(ProblemDetails, content.GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        }
    }

    [Fact]
    public async Task Document_holds_exactly_the_api_operations()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        var operations = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name} {p.Name}"))
            .Order();

        Assert.Equal(Operations.Select(o => $"{o[0]} {o[1]}").Order(), operations);
    }

    [Fact]
    public async Task Optional_request_fields_are_not_required()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        Assert.Equal(["code", "type"], Required(schemas.GetProperty("CreateAccessCodeCommand")));
        Assert.Equal(["code"], Required(schemas.GetProperty("ClaimSeatCommand")));
        Assert.Contains("maxUsageCount", Properties(schemas.GetProperty("CreateAccessCodeCommand")));
        Assert.Contains("expiresAt", Properties(schemas.GetProperty("CreateAccessCodeCommand")));
        Assert.Contains("clientRef", Properties(schemas.GetProperty("ClaimSeatCommand")));
    }

    [Fact]
    public async Task Each_request_and_response_has_its_own_schema()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Equal("#/components/schemas/CreateAccessCodeCommand", RequestSchema(paths, "/api/admin/access-codes"));
        Assert.Equal("#/components/schemas/ClaimSeatCommand", RequestSchema(paths, "/api/auth/code-login"));
        Assert.Equal("#/components/schemas/ClaimSeatResponse", ResponseSchema(paths, "/api/auth/code-login", "post", "201"));
        Assert.Equal("#/components/schemas/EndSessionResponse", ResponseSchema(paths, "/api/sessions/{sessionId}/end", "post", "200"));
        Assert.Equal("#/components/schemas/AccessCodeResponse", ResponseSchema(paths, "/api/access-codes/{code}", "get", "200"));
        Assert.Equal(["code", "remaining", "sessionId", "usageCount"], Properties(schemas.GetProperty("ClaimSeatResponse")).Order());
        Assert.Equal(["code", "released", "usageCount"], Properties(schemas.GetProperty("EndSessionResponse")).Order());
    }

    [Fact]
    public async Task Validator_limits_show_as_schema_constraints()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var create = schemas.GetProperty("CreateAccessCodeCommand").GetProperty("properties");
        var login = schemas.GetProperty("ClaimSeatCommand").GetProperty("properties");
        var codeParameter = document.GetProperty("paths").GetProperty("/api/access-codes/{code}").GetProperty("get")
            .GetProperty("parameters")[0].GetProperty("schema");

        foreach (var code in new[] { create.GetProperty("code"), login.GetProperty("code"), codeParameter })
        {
            Assert.Equal(3, code.GetProperty("minLength").GetInt32());
            Assert.Equal(64, code.GetProperty("maxLength").GetInt32());
            Assert.Equal("^[A-Za-z0-9_-]+$", code.GetProperty("pattern").GetString());
        }

        Assert.Equal(["bulk", "single"], create.GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, create.GetProperty("maxUsageCount").GetProperty("minimum").GetInt32());
        Assert.Equal(1_000_000, create.GetProperty("maxUsageCount").GetProperty("maximum").GetInt32());
        Assert.Equal(128, login.GetProperty("clientRef").GetProperty("maxLength").GetInt32());
    }

    /// <summary>
    /// Scalar renders descriptions as Markdown: a bare <c>&lt;code&gt;</c> is an HTML tag there and vanishes from the
    /// page. Angle brackets belong inside code spans.
    /// </summary>
    [Fact]
    public async Task Descriptions_show_angle_brackets_only_inside_code_spans()
    {
        var document = await DocumentAsync();

        var texts = Texts(document).ToList();

        Assert.Contains(texts, t => t.Contains("`urn:capacity:problem:<code>`", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => Regex.Replace(t, "`[^`]*`", "").Contains('<', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Problem_details_schema_declares_the_validation_members()
    {
        var problem = (await DocumentAsync()).GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails");

        Assert.Superset(
            new HashSet<string> { "type", "title", "status", "detail", "instance", "traceId", "code", "field", "errors", "violations" },
            Properties(problem).ToHashSet());
        Assert.Equal(
            ["field", "message", "rule"],
            Properties(problem.GetProperty("properties").GetProperty("violations").GetProperty("items")).Order());
    }

    [Fact]
    public async Task Admin_operations_require_the_api_key_scheme_and_no_other_operation_does()
    {
        var document = await DocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("AdminApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var secured = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("security", out _)).Select(o => $"{o.Name} {p.Name}"));
        string[] admin =
            ["get /api/admin/access-codes/usage", "get /api/admin/performance", "post /api/admin/access-codes", "post /api/admin/sessions/cleanup"];
        Assert.Equal(admin, secured.Order(StringComparer.Ordinal));
        Assert.True(document.GetProperty("paths").GetProperty("/api/admin/access-codes").GetProperty("post")
            .GetProperty("security")[0].TryGetProperty("AdminApiKey", out _));
    }

    [Fact]
    public async Task Scalar_reference_page_loads_the_document()
    {
        var response = await api.Client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every description and summary in the document, at any depth.</summary>
    private static IEnumerable<string> Texts(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name is "description" or "summary" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : Texts(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Texts),
        _ => [],
    };

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await api.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static IEnumerable<string?> Required(JsonElement schema) =>
        schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order();

    private static IEnumerable<string> Properties(JsonElement schema) =>
        schema.GetProperty("properties").EnumerateObject().Select(p => p.Name);

    private static string? RequestSchema(JsonElement paths, string path) =>
        paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static string? ResponseSchema(JsonElement paths, string path, string method, string status) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status).GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
}
