using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Capacity.Application.AccessCodes;
using Capacity.Application.Clients;
using Capacity.Application.Common.Validation;
using Capacity.Application.Coupons;
using Capacity.Application.Members;
using Capacity.Domain.Clients;
using Capacity.Infrastructure.Persistence;
using Capacity.IntegrationTests.AccessCodes;
using Capacity.IntegrationTests.Fixtures;
using Capacity.WebApi.Modules;
using FluentValidation;
using FluentValidation.Internal;
using FluentValidation.Validators;
using Microsoft.Extensions.DependencyInjection;
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
        { "get", "/api/admin/access-codes", nameof(AccessCodesModule.ListAccessCodes), [200, 400, 401, 403, 500, 503] },
        { "get", "/api/access-codes/{code}", nameof(AccessCodesModule.GetAccessCode), [200, 400, 403, 404, 500, 503] },
        { "post", "/api/auth/code-login", nameof(AccessCodesModule.CodeLogin), [200, 201, 400, 403, 404, 409, 410, 413, 415, 500, 503] },
        { "post", "/api/sessions/{sessionId}/end", nameof(AccessCodesModule.EndSession), [200, 400, 403, 404, 500, 503] },
        { "post", "/api/sessions/{sessionId}/heartbeat", nameof(AccessCodesModule.Heartbeat), [204, 400, 403, 404, 410, 500, 503] },
        { "get", "/api/admin/access-codes/usage", nameof(AccessCodesModule.GetCodeUsageBatch), [200, 400, 401, 403, 500, 503] },
        { "post", "/api/admin/sessions/cleanup", nameof(AccessCodesModule.CleanupIdleSessions), [200, 400, 401, 403, 413, 415, 500, 503] },
        { "get", "/api/admin/performance", nameof(PerformanceModule.GetPerformance), [200, 401, 403, 500] },
        { "get", "/api/admin/cache/stats", nameof(PerformanceModule.GetCacheStats), [200, 401, 403, 500] },
        { "post", "/api/admin/clients", nameof(ClientsModule.CreateClient), [201, 400, 401, 403, 413, 415, 500, 503] },
        { "get", "/api/admin/clients", nameof(ClientsModule.ListClients), [200, 400, 401, 403, 500, 503] },
        { "get", "/api/admin/clients/{clientId}", nameof(ClientsModule.GetClient), [200, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/admin/clients/{clientId}/keys", nameof(ClientsModule.IssueClientKey), [201, 400, 401, 403, 404, 409, 500, 503] },
        { "delete", "/api/admin/clients/{clientId}/keys/{keyId}", nameof(ClientsModule.RevokeClientKey), [204, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/admin/coupons", nameof(CouponsModule.CreateCoupon), [201, 400, 401, 403, 409, 413, 415, 500, 503] },
        { "get", "/api/admin/coupons", nameof(CouponsModule.ListCoupons), [200, 400, 401, 403, 500, 503] },
        { "get", "/api/admin/coupons/{code}", nameof(CouponsModule.GetCoupon), [200, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/admin/coupons/{code}/deactivate", nameof(CouponsModule.DeactivateCoupon), [200, 400, 401, 403, 404, 500, 503] },
        { "get", "/api/admin/coupons/{code}/stats", nameof(CouponsModule.GetCouponStats), [200, 400, 401, 403, 404, 500, 503] },
        { "get", "/api/admin/validations", nameof(CouponsModule.ListValidations), [200, 400, 401, 403, 500, 503] },
        { "post", "/api/coupons/validate", nameof(CouponsModule.ValidateCoupon), [200, 400, 401, 403, 413, 415, 500, 503] },
        { "post", "/api/coupons/redeem", nameof(CouponsModule.RedeemCoupon), [200, 201, 400, 401, 403, 404, 409, 413, 415, 422, 500, 503] },
        { "post", "/api/coupons/redemptions/{redemptionId}/reverse", nameof(CouponsModule.ReverseRedemption), [200, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/admin/members", nameof(MembersModule.CreateMember), [201, 400, 401, 403, 409, 413, 415, 500, 503] },
        { "put", "/api/admin/members/{memberId}", nameof(MembersModule.UpdateMember), [200, 400, 401, 403, 404, 413, 415, 422, 500, 503] },
        { "get", "/api/members/{memberId}", nameof(MembersModule.GetMember), [200, 400, 401, 403, 404, 500, 503] },
        { "get", "/api/members/by-id-number/{idNumber}", nameof(MembersModule.GetMemberByIdNumber), [200, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/members/{memberId}/card", nameof(MembersModule.GenerateCard), [200, 400, 401, 403, 404, 500, 503] },
        { "post", "/api/members/cards/batch", nameof(MembersModule.GenerateCards), [200, 400, 401, 403, 413, 415, 500, 503] },
        { "get", "/api/members/{memberId}/card.png", nameof(MembersModule.GetCardImage), [200, 400, 401, 403, 404, 500, 503] },
        { "get", "/api/members/card-keys", nameof(MembersModule.GetCardKeys), [200, 400, 403, 500, 503] },
        { "get", "/health", "HealthSummary", [200, 503] },
    };

    /// <summary>
    /// Ids that exist only at run time, and the operation whose answer hands one out: what Portman's
    /// assignVariables does. The document's example of such an id only has its shape.
    /// </summary>
    private static readonly Dictionary<string, (string Method, string Path, string Property)> RunTimeIds = new()
    {
        ["sessionId"] = ("post", "/api/auth/code-login", "sessionId"),
        ["clientId"] = ("post", "/api/admin/clients", "id"),
        ["keyId"] = ("post", "/api/admin/clients", "keyId"),
        ["redemptionId"] = ("post", "/api/coupons/redeem", "redemptionId"),
        ["memberId"] = ("get", "/api/members/by-id-number/{idNumber}", "memberId"),
    };

    /// <summary>
    /// Validator rules no schema keyword shows by itself (predicates, a comparison that depends on another member or
    /// the clock), keyed by request type, member and message, with what the document shows instead: samples its
    /// schema refuses, or a phrase of its description.
    /// </summary>
    private static readonly Dictionary<(Type Request, string Member, string Message), (string[] Refused, string? Described)> RulesShownOtherwise = new()
    {
        [(typeof(CreateAccessCode.Command), "type", "'{PropertyName}' must be \"bulk\" or \"single\".")] = (["other", ""], null),
        [(typeof(CreateAccessCode.Command), "maxUsageCount", "'{PropertyName}' must be 1 for a single code.")] = ([], "1 or omitted for single"),
        [(typeof(CreateAccessCode.Command), "expiresAt", "'{PropertyName}' must be in the future.")] = ([], "future"),
        [(typeof(ClaimSeat.Command), "clientRef", "'{PropertyName}' must not be blank when given.")] = (["", "   "], null),
        [(typeof(ClaimSeat.Command), "clientRef", "'{PropertyName}' must not contain control characters.")] = (["a\u0001b", "line\nbreak", "tab\tbed"], null),
        [(typeof(CreateCoupon.Command), "kind", "'{PropertyName}' must be \"user\" or \"time\".")] = (["other", ""], null),
        [(typeof(CreateMember.Command), "status", "'{PropertyName}' must be \"active\", \"expired\" or \"suspended\".")] = (["retired", "Active", ""], null),
        [(typeof(CreateMember.Command), "expiresAt", "'{PropertyName}' must be after joinedAt (now when joinedAt is omitted).")] = ([], "After joinedAt"),
        [(typeof(GenerateCards.Query), "memberIds", GenerateCards.TooManyMessage)] = ([], "at most 100 member ids"),
        [(typeof(UpdateMember.Command), "status", "'{PropertyName}' must be \"active\", \"expired\" or \"suspended\".")] = (["retired", "Active", ""], null),
        [(typeof(CreateCoupon.Command), "status", "'{PropertyName}' must be \"active\", \"inactive\" or \"expired\".")] = (["paused", ""], null),
        [(typeof(CreateCoupon.Command), "discountType", "'{PropertyName}' must be \"percent\" or \"fixed\".")] = (["other", ""], null),
        [(typeof(CreateCoupon.Command), "discountValue", "'{PropertyName}' must be at most 100 for a percent discount.")] = ([], "at most 100 for a percent discount"),
        [(typeof(CreateCoupon.Command), "discountValue", CommonRules.MoneyScaleMessage)] = ([], "at most 2 decimal places"),
        [(typeof(CreateCoupon.Command), "minOrderValue", CommonRules.MoneyScaleMessage)] = ([], "at most 2 decimal places"),
        [(typeof(CreateCoupon.Command), "maxDiscount", CommonRules.MoneyScaleMessage)] = ([], "at most 2 decimal places"),
        [(typeof(CreateCoupon.Command), "validTo", "'{PropertyName}' must be after validFrom.")] = ([], "must be after validFrom"),
        [(typeof(ListCoupons.Query), "status", "'{PropertyName}' must be \"active\", \"inactive\" or \"expired\".")] = (["paused", ""], null),
        [(typeof(ListCoupons.Query), "kind", "'{PropertyName}' must be \"user\" or \"time\".")] = (["other", ""], null),
        [(typeof(ListValidations.Query), "after", "'{PropertyName}' must be the 'next' cursor of a previous page.")] = (["nope", ""], "'next' cursor of the previous page"),
        [(typeof(ValidateCoupon.Query), "orderValue", CommonRules.MoneyScaleMessage)] = ([], "at most 2 decimal places"),
        [(typeof(RedeemCoupon.Command), "orderValue", CommonRules.MoneyScaleMessage)] = ([], "at most 2 decimal places"),
        [(typeof(CreateClient.Command), "scopes", $"'{{PropertyName}}' may hold only these scopes: {string.Join(", ", ClientScopes.All)}.")] = ([], "One or more scopes"),
    };

    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

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

        var idleMinutes = schemas.GetProperty("CleanupIdleSessionsCommand").GetProperty("properties").GetProperty("idleMinutes");
        Assert.Equal(1, idleMinutes.GetProperty("minimum").GetInt32());
        Assert.Equal(10080, idleMinutes.GetProperty("maximum").GetInt32());

        var codes = Parameter(document, "/api/admin/access-codes/usage", "get", "codes");
        Assert.True(codes.GetProperty("required").GetBoolean());
        Assert.Contains("separated by commas", codes.GetProperty("schema").GetProperty("description").GetString());
        Assert.True(OpenApiSchemaCheck.Accepts(document, codes.GetProperty("schema"), "DEMO-BULK,demo-single"));
        Assert.False(OpenApiSchemaCheck.Accepts(document, codes.GetProperty("schema"), "DEMO-BULK,"));
    }

    /// <summary>
    /// A client generated from the document alone needs a value for every input: each parameter and each request
    /// body carries an example, and the example obeys its own schema.
    /// </summary>
    [Fact]
    public async Task Every_parameter_and_request_body_has_an_example_its_schema_accepts()
    {
        var document = await DocumentAsync();
        var failures = new List<string>();

        foreach (var (method, path, operation) in OperationsOf(document))
        {
            foreach (var parameter in Parameters(operation))
            {
                var where = $"{method} {path} parameter {parameter.GetProperty("name").GetString()}";
                var schema = parameter.GetProperty("schema");
                if ((ExampleOf(parameter) ?? ExampleOf(schema)) is not { } example)
                {
                    failures.Add($"{where}: no example");
                    continue;
                }

                failures.AddRange(OpenApiSchemaCheck.Errors(document, schema, example).Select(e => $"{where}: {e}"));
            }

            if (operation.TryGetProperty("requestBody", out var body))
            {
                foreach (var media in body.GetProperty("content").EnumerateObject())
                {
                    var where = $"{method} {path} body {media.Name}";
                    var schema = media.Value.GetProperty("schema");
                    if ((ExampleOf(media.Value) ?? ExampleOf(OpenApiSchemaCheck.Resolve(document, schema))) is not { } example)
                    {
                        failures.Add($"{where}: no example");
                        continue;
                    }

                    failures.AddRange(OpenApiSchemaCheck.Errors(document, schema, example).Select(e => $"{where}: {e}"));
                }
            }
        }

        NoFailures(failures);
    }

    /// <summary>
    /// What Portman and newman do: build each request from the document's examples alone (the admin key aside)
    /// against build/run's demo data, and expect a 2xx from every operation.
    /// </summary>
    [Fact]
    public async Task Every_operation_answers_2xx_to_a_request_built_from_its_documented_examples()
    {
        await DemoData.SeedAsync(api.Services);
        var document = await DocumentAsync();
        var failures = new List<string>();

        foreach (var (method, path, operation) in OperationsOf(document))
        {
            using var response = await SendExampleAsync(document, method, path, operation);
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        NoFailures(failures);
    }

    /// <summary>
    /// Data-driven from the FluentValidation validators: every limit a validator enforces shows in the document as
    /// the schema keyword that says it (minLength, maxLength, pattern, minimum, maximum), every input a validator
    /// requires is required (and not nullable), and a rule no keyword shows by itself is listed in
    /// <see cref="RulesShownOtherwise"/> with what the document shows instead. A new validated input, or a new rule,
    /// fails here until the document shows it.
    /// </summary>
    [Fact]
    public async Task Every_validator_limit_shows_as_a_schema_constraint_and_every_required_input_as_required()
    {
        var document = await DocumentAsync();
        var failures = new List<string>();
        var validators = AssemblyScanner.FindValidatorsInAssembly(typeof(CreateAccessCode).Assembly, includeInternalTypes: true);
        Assert.NotEmpty(validators);

        foreach (var scan in validators)
        {
            var request = scan.InterfaceType.GetGenericArguments()[0];
            var rules = (IEnumerable<IValidationRule>)api.Services.GetRequiredService(scan.InterfaceType);
            foreach (var member in rules.GroupBy(r => r.PropertyName))
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(member.Key);
                var inputs = DocumentedInputs(document, request, name);
                if (inputs.Count == 0)
                {
                    failures.Add($"{request.FullName}: '{name}' is validated but no schema property or parameter documents it");
                }

                foreach (var input in inputs)
                {
                    failures.AddRange(member.Any(IsPerItem)
                        ? ListFailures(document, input, member.ToList())
                        : ScalarFailures(document, request, name, input, member));
                }
            }
        }

        NoFailures(failures);
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

    /// <summary>Every API operation with the scope it needs, and whether it may be called without a key.</summary>
    public static TheoryData<string, string, string, bool> Scopes => new()
    {
        { "post", "/api/admin/access-codes", "admin", false },
        { "get", "/api/admin/access-codes", "admin", false },
        { "get", "/api/admin/access-codes/usage", "admin", false },
        { "post", "/api/admin/sessions/cleanup", "admin", false },
        { "get", "/api/admin/performance", "admin", false },
        { "get", "/api/admin/cache/stats", "admin", false },
        { "post", "/api/admin/clients", "admin", false },
        { "get", "/api/admin/clients", "admin", false },
        { "get", "/api/admin/clients/{clientId}", "admin", false },
        { "post", "/api/admin/clients/{clientId}/keys", "admin", false },
        { "delete", "/api/admin/clients/{clientId}/keys/{keyId}", "admin", false },
        { "post", "/api/admin/coupons", "admin", false },
        { "get", "/api/admin/coupons", "admin", false },
        { "get", "/api/admin/coupons/{code}", "admin", false },
        { "post", "/api/admin/coupons/{code}/deactivate", "admin", false },
        { "get", "/api/admin/coupons/{code}/stats", "admin", false },
        { "get", "/api/admin/validations", "admin", false },
        { "post", "/api/coupons/validate", "coupons", false },
        { "post", "/api/coupons/redeem", "coupons", false },
        { "post", "/api/coupons/redemptions/{redemptionId}/reverse", "coupons", false },
        { "post", "/api/admin/members", "admin", false },
        { "put", "/api/admin/members/{memberId}", "admin", false },
        { "get", "/api/members/{memberId}", "members:read", false },
        { "get", "/api/members/by-id-number/{idNumber}", "members:read", false },
        { "post", "/api/members/{memberId}/card", "members:read", false },
        { "post", "/api/members/cards/batch", "members:read", false },
        { "get", "/api/members/{memberId}/card.png", "members:read", false },
        { "get", "/api/members/card-keys", "members:read", true },
        { "get", "/api/access-codes/{code}", "codes:claim", true },
        { "post", "/api/auth/code-login", "codes:claim", true },
        { "post", "/api/sessions/{sessionId}/end", "codes:claim", true },
        { "post", "/api/sessions/{sessionId}/heartbeat", "codes:claim", true },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task Operation_lists_its_scope_under_both_key_schemes(string method, string path, string scope, bool anonymous)
    {
        var security = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("security");

        var requirements = security.EnumerateArray()
            .Select(r => string.Join(",", r.EnumerateObject().Select(s => $"{s.Name}:{string.Join("+", s.Value.EnumerateArray().Select(v => v.GetString()))}")))
            .ToList();
        List<string> expected = [$"ApiKey:{scope}", $"Bearer:{scope}"];
        if (anonymous)
        {
            expected.Add("");
        }

        Assert.Equal(expected, requirements);
    }

    [Fact]
    public async Task Both_key_schemes_are_declared_and_every_api_operation_names_a_scope()
    {
        var document = await DocumentAsync();

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal("apiKey", apiKey.GetProperty("type").GetString());
        Assert.Equal("header", apiKey.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", apiKey.GetProperty("name").GetString());
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());

        var secured = OperationsOf(document).Where(o => o.Operation.TryGetProperty("security", out _)).Select(o => $"{o.Method} {o.Path}");
        var api = OperationsOf(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(o => $"{o.Method} {o.Path}");
        Assert.Equal(api.Order(StringComparer.Ordinal), secured.Order(StringComparer.Ordinal));
        Assert.Equal(Scopes.Select(o => $"{o[0]} {o[1]}").Order(StringComparer.Ordinal), api.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Scalar_reference_page_loads_the_document()
    {
        var response = await api.Client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }

    private sealed record DocumentedInput(string Where, JsonElement Schema, bool Required);

    /// <summary>Fails with every failure in full (Assert.Empty would cut each one short).</summary>
    private static void NoFailures(List<string> failures)
    {
        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> OperationsOf(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => HttpMethods.Contains(o.Name))
            .Select(o => (o.Name, path.Name, o.Value)));

    private static IEnumerable<JsonElement> Parameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var parameters) ? [.. parameters.EnumerateArray()] : [];

    private static JsonElement Parameter(JsonElement document, string path, string method, string name) =>
        Parameters(document.GetProperty("paths").GetProperty(path).GetProperty(method))
            .Single(p => p.GetProperty("name").GetString() == name);

    private static JsonElement? ExampleOf(JsonElement element) =>
        element.TryGetProperty("example", out var example) ? example : null;

    private async Task<HttpResponseMessage> SendExampleAsync(JsonElement document, string method, string path, JsonElement operation)
    {
        var url = path;
        var query = new List<string>();

        // One answer per producer and request: a client id and a key id of the same route come from one new client.
        var produced = new Dictionary<(string, string), JsonElement>();
        foreach (var parameter in Parameters(operation))
        {
            var name = parameter.GetProperty("name").GetString()!;
            var value = RunTimeIds.TryGetValue(name, out var producer)
                ? await RunTimeIdAsync(document, producer, name, produced)
                : ExampleText(ExampleOf(parameter) ?? ExampleOf(parameter.GetProperty("schema"))
                    ?? throw new InvalidOperationException($"{method} {path}: parameter {name} has no example"));
            switch (parameter.GetProperty("in").GetString())
            {
                case "path":
                    url = url.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
                    break;
                case "query":
                    query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
                    break;
                default:
                    throw new InvalidOperationException($"{method} {path}: parameter {name} is in {parameter.GetProperty("in")}; extend this test");
            }
        }

        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), query.Count == 0 ? url : $"{url}?{string.Join('&', query)}");
        if (operation.TryGetProperty("requestBody", out var body))
        {
            var media = body.GetProperty("content").GetProperty("application/json");
            var example = ExampleOf(media) ?? ExampleOf(OpenApiSchemaCheck.Resolve(document, media.GetProperty("schema")))
                ?? throw new InvalidOperationException($"{method} {path}: the request body has no example");
            request.Content = new StringContent(example.GetRawText(), Encoding.UTF8, "application/json");
        }

        // The admin key is the one input the document cannot give: it names the scheme, a client brings the key.
        var client = operation.TryGetProperty("security", out _) ? api.AdminClient : api.Client;
        return await client.SendAsync(request);
    }

    private async Task<string> RunTimeIdAsync(
        JsonElement document, (string Method, string Path, string Property) producer, string name, Dictionary<(string, string), JsonElement> produced)
    {
        if (!produced.TryGetValue((producer.Method, producer.Path), out var answer))
        {
            var operation = document.GetProperty("paths").GetProperty(producer.Path).GetProperty(producer.Method);
            using var response = await SendExampleAsync(document, producer.Method, producer.Path, operation);
            var content = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{producer.Method} {producer.Path} (for a {name}): {(int)response.StatusCode} {content}");
            answer = JsonDocument.Parse(content).RootElement.Clone();
            produced[(producer.Method, producer.Path)] = answer;
        }

        return ExampleText(answer.GetProperty(producer.Property));
    }

    private static string ExampleText(JsonElement? example) =>
        example is { ValueKind: JsonValueKind.String } text ? text.GetString()! : example!.Value.GetRawText();

    /// <summary>Where the document shows a validated member: a property of the request's body schema, or parameters so named.</summary>
    private static List<DocumentedInput> DocumentedInputs(JsonElement document, Type request, string name)
    {
        // The schema ids CapacityOpenApi gives nested slice records: ClaimSeat.Command is ClaimSeatCommand.
        var schemaId = request.DeclaringType is { } slice ? slice.Name + request.Name : request.Name;
        if (document.GetProperty("components").GetProperty("schemas").TryGetProperty(schemaId, out var body))
        {
            return body.GetProperty("properties").TryGetProperty(name, out var property)
                ? [new($"{schemaId}.{name}", property, body.TryGetProperty("required", out _) && Required(body).Contains(name))]
                : [];
        }

        return [.. OperationsOf(document).SelectMany(o => Parameters(o.Operation)
            .Where(p => p.GetProperty("name").GetString() == name)
            .Select(p => new DocumentedInput(
                $"{o.Method} {o.Path} parameter {name}",
                p.GetProperty("schema"),
                p.TryGetProperty("required", out var required) && required.GetBoolean())))];
    }

    /// <summary>A rule on each item of a list (RuleForEach): the list is a comma-separated string parameter.</summary>
    private static bool IsPerItem(IValidationRule rule) =>
        rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));

    private static IEnumerable<string> ScalarFailures(
        JsonElement document, Type request, string member, DocumentedInput input, IEnumerable<IValidationRule> rules)
    {
        var schema = OpenApiSchemaCheck.Resolve(document, input.Schema);
        foreach (var (component, ruleIsConditional) in rules.SelectMany(r => r.Components.Select(c => (c, r.HasCondition || r.HasAsyncCondition))))
        {
            var rule = component.Validator;

            // When(...) blocks condition the rule (shared condition); .When() after a validator conditions the component.
            var conditional = ruleIsConditional || component.HasCondition || component.HasAsyncCondition;
            var expected = new List<(string Keyword, object Value)>();
            switch (rule)
            {
                case INotNullValidator or INotEmptyValidator when conditional:
                    // Required only in some cases (e.g. maxUsageCount of a bulk code): the description says when.
                    break;
                case INotNullValidator or INotEmptyValidator:
                    if (!input.Required)
                    {
                        yield return $"{input.Where}: {rule.Name} requires it, the document does not";
                    }

                    if (Types(schema).Contains("null"))
                    {
                        yield return $"{input.Where}: {rule.Name} refuses null, the schema allows it";
                    }

                    break;
                case ILengthValidator length:
                    if (length.Min > 0)
                    {
                        expected.Add(("minLength", length.Min));
                    }

                    if (length.Max > 0)
                    {
                        expected.Add(("maxLength", length.Max));
                    }

                    break;
                case IBetweenValidator between:
                    var exclusive = rule.Name.StartsWith("Exclusive", StringComparison.Ordinal);
                    expected.Add((exclusive ? "exclusiveMinimum" : "minimum", between.From));
                    expected.Add((exclusive ? "exclusiveMaximum" : "maximum", between.To));
                    break;
                case IRegularExpressionValidator regex:
                    expected.Add(("pattern", Published(regex.Expression)));
                    break;
                case IComparisonValidator { MemberToCompare: null, ValueToCompare: not null } comparison
                    when Keyword(comparison.Comparison) is { } keyword:
                    expected.Add((keyword, comparison.ValueToCompare));
                    break;
                default:
                    var message = component.GetUnformattedErrorMessage();
                    if (!RulesShownOtherwise.TryGetValue((request, member, message), out var shown))
                    {
                        yield return $"{input.Where}: {rule.Name} ({message}) shows nowhere; show it and list it in {nameof(RulesShownOtherwise)}";
                        break;
                    }

                    foreach (var sample in shown.Refused.Where(s => OpenApiSchemaCheck.Accepts(document, schema, s)))
                    {
                        yield return $"{input.Where}: the schema accepts {JsonSerializer.Serialize(sample)}, which {rule.Name} refuses ({message})";
                    }

                    if (shown.Described is { } phrase && !Description(schema).Contains(phrase, StringComparison.OrdinalIgnoreCase))
                    {
                        yield return $"{input.Where}: the description does not say \"{phrase}\" ({message})";
                    }

                    break;
            }

            foreach (var (keyword, value) in expected)
            {
                var want = value is string text ? text : Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                var have = schema.TryGetProperty(keyword, out var actual)
                    ? actual.ValueKind == JsonValueKind.String ? actual.GetString() : actual.GetDecimal().ToString(CultureInfo.InvariantCulture)
                    : null;
                if (have != want)
                {
                    yield return $"{input.Where}: {rule.Name} wants {keyword} {want}, the schema has {have ?? "none"}";
                }
            }
        }
    }

    /// <summary>
    /// A list validated per item (<c>codes=A,B,C</c>): its string schema must accept and refuse what the validator's
    /// count and item rules do, tried at each limit and with every printable ASCII character in an item.
    /// </summary>
    private static IEnumerable<string> ListFailures(JsonElement document, DocumentedInput input, List<IValidationRule> rules)
    {
        var schema = OpenApiSchemaCheck.Resolve(document, input.Schema);
        if (!Types(schema).SequenceEqual(["string"]))
        {
            yield return $"{input.Where}: a list documented other than as a comma-separated string; extend this test";
            yield break;
        }

        var count = rules.Where(r => !IsPerItem(r)).SelectMany(r => r.Components).Select(c => c.Validator).OfType<IBetweenValidator>().Single();
        var item = rules.Where(IsPerItem).SelectMany(r => r.Components).Select(c => c.Validator).ToList();
        var length = item.OfType<ILengthValidator>().Single();
        var pattern = new Regex(item.OfType<IRegularExpressionValidator>().Single().Expression);
        foreach (var other in item.Where(v => v is not (ILengthValidator or IRegularExpressionValidator or INotEmptyValidator)))
        {
            yield return $"{input.Where}: the item rule {other.Name} is not checked here; extend this test";
        }

        var (from, to) = (Convert.ToInt32(count.From, CultureInfo.InvariantCulture), Convert.ToInt32(count.To, CultureInfo.InvariantCulture));
        static string Item(int characters) => new('A', characters);
        string List(int items) => string.Join(',', Enumerable.Repeat(Item(length.Min), items));
        var samples = new List<(string Sample, bool Valid)>
        {
            (List(Math.Max(from, 1)), true),
            (List(to), true),
            (List(to + 1), false),
            (Item(length.Max), true),
            (Item(length.Max + 1), false),
            (Item(length.Min - 1), false),
        };
        if (from > 0)
        {
            samples.Add((List(from - 1), false));
        }

        for (var c = ' '; c <= '~'; c++)
        {
            var sample = Item(length.Min - 1) + c;
            if (c != ',')
            {
                samples.Add((sample, pattern.IsMatch(sample)));
            }
        }

        foreach (var (sample, valid) in samples.Where(s => OpenApiSchemaCheck.Accepts(document, schema, s.Sample) != s.Valid))
        {
            var shown = sample.Length > 40 ? $"{sample[..40]}... ({sample.Length} characters)" : sample;
            yield return $"{input.Where}: the schema {(valid ? "refuses" : "accepts")} \"{shown}\", which the validator {(valid ? "accepts" : "refuses")}";
        }

        if (from > 0 && !input.Required)
        {
            yield return $"{input.Where}: the validator wants at least {from} item(s), the document does not require it";
        }
    }

    /// <summary>The validators' .NET patterns end with \z; JSON Schema's ECMA-262 dialect says $ for it.</summary>
    private static string Published(string pattern) =>
        pattern.EndsWith(@"\z", StringComparison.Ordinal) ? pattern[..^2] + "$" : pattern;

    private static string? Keyword(Comparison comparison) => comparison switch
    {
        Comparison.GreaterThanOrEqual => "minimum",
        Comparison.GreaterThan => "exclusiveMinimum",
        Comparison.LessThanOrEqual => "maximum",
        Comparison.LessThan => "exclusiveMaximum",
        _ => null,
    };

    private static string[] Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    private static string Description(JsonElement schema) =>
        schema.TryGetProperty("description", out var description) ? description.GetString() ?? "" : "";

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
