using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Capacity.IntegrationTests.AccessCodes;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// Every endpoint that takes input answers bad input with 4xx problem details naming what is wrong, never a
/// 500, and writes nothing. Most cases run on the in-process test server; request limits and Production
/// error bodies run through <see cref="ProductionKestrelApiFactory"/> (real socket, Production environment).
/// </summary>
public sealed class BadInputTests(CapacityApiFactory api, ProductionKestrelApiFactory kestrel)
    : IClassFixture<CapacityApiFactory>, IClassFixture<ProductionKestrelApiFactory>, IAsyncLifetime
{
    private const string CreatePath = "/api/admin/access-codes";
    private const string LoginPath = "/api/auth/code-login";
    private const string Target = "{target}";

    private static readonly string Code65 = new('A', 65);
    private static readonly string ClientRef129 = new('r', 129);
    private static readonly byte[] TenMegabyteBody = Encoding.UTF8.GetBytes(
        $$"""{"code":"HUGE-BODY","type":"bulk","maxUsageCount":5,"padding":"{{new string('x', 10 * 1024 * 1024)}}"}""");

    /// <summary>An existing code with free seats: a login carrying it fails only because of the bad field.</summary>
    private string _target = "";

    public async Task InitializeAsync() => _target = await api.CreateCodeAsync(maxUsageCount: 1000);

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string> CreateRuleFailures => new()
    {
        { """{"type":"bulk","maxUsageCount":5}""", "code", "NotEmpty" },
        { """{"code":null,"type":"bulk","maxUsageCount":5}""", "code", "NotEmpty" },
        { """{"code":"","type":"bulk","maxUsageCount":5}""", "code", "NotEmpty" },
        { """{"code":"NEW-CODE","maxUsageCount":5}""", "type", "NotEmpty" },
        { """{"code":"NEW-CODE","type":"bulk"}""", "maxUsageCount", "NotNull" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":-1}""", "maxUsageCount", "InclusiveBetween" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":0}""", "maxUsageCount", "InclusiveBetween" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":1000001}""", "maxUsageCount", "InclusiveBetween" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":2147483647}""", "maxUsageCount", "InclusiveBetween" },
        { $$"""{"code":"{{Code65}}","type":"bulk","maxUsageCount":5}""", "code", "Length" },
        { """{"code":"AB","type":"bulk","maxUsageCount":5}""", "code", "Length" },
        { """{"code":"NEW CODE!","type":"bulk","maxUsageCount":5}""", "code", "RegularExpression" },
        { """{"code":"ÄRGER","type":"bulk","maxUsageCount":5}""", "code", "RegularExpression" },
        { """{"code":"X';DROP TABLE access_codes;--","type":"bulk","maxUsageCount":5}""", "code", "RegularExpression" },
        { """{"code":"NEW\u0000CODE","type":"bulk","maxUsageCount":5}""", "code", "RegularExpression" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5,"expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt", "Predicate" },
        { """{"code":"NEW-CODE","type":"single","maxUsageCount":5}""", "maxUsageCount", "Equal" },
        { """{"code":"NEW-CODE","type":"gold","maxUsageCount":5}""", "type", "Predicate" },
        { """{"code":"NEW-CODE","type":"","maxUsageCount":5}""", "type", "NotEmpty" },
    };

    public static TheoryData<string, string> CreateUnreadableBodies => new()
    {
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":"5"}""", "$.maxUsageCount" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":1e20}""", "$.maxUsageCount" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":2147483648}""", "$.maxUsageCount" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":-2147483649}""", "$.maxUsageCount" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5.5}""", "$.maxUsageCount" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":true}""", "$.maxUsageCount" },
        { """{"code":123,"type":"bulk","maxUsageCount":5}""", "$.code" },
        { """{"code":{"value":"NEW-CODE"},"type":"bulk","maxUsageCount":5}""", "$.code" },
        { """{"code":["NEW-CODE"],"type":"bulk","maxUsageCount":5}""", "$.code" },
        { """{"code":"NEW-CODE","type":7,"maxUsageCount":5}""", "$.type" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5,"expiresAt":"tomorrow"}""", "$.expiresAt" },
        { """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5,"expiresAt":5}""", "$.expiresAt" },
        { """[{"code":"NEW-CODE","type":"bulk","maxUsageCount":5}]""", "$" },
        { """[]""", "$" },
        { "\"NEW-CODE\"", "$" },
        { "42", "$" },
        { "", "$" },
        { "null", "$" },
    };

    /// <summary>Bodies that are not JSON at all: where the reader gives up is its business, that it says so is ours.</summary>
    public static TheoryData<string> MalformedJson => new()
    {
        """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5""",
        """{"code":"NEW-CODE","type":"bulk","maxUsageCount":5}trailing""",
        """{code:'NEW-CODE',type:'bulk'}""",
        """{"code":"NEW-CODE",}""",
        "<accessCode code=\"NEW-CODE\"/>",
        "\u007f\u0001binary",
    };

    public static TheoryData<string, string, string> LoginRuleFailures => new()
    {
        { """{}""", "code", "NotEmpty" },
        { """{"clientRef":"device-1"}""", "code", "NotEmpty" },
        { """{"code":null}""", "code", "NotEmpty" },
        { $$"""{"code":"{{Code65}}"}""", "code", "Length" },
        { """{"code":"a b"}""", "code", "RegularExpression" },
        { """{"code":"%25"}""", "code", "RegularExpression" },
        { $$"""{"code":"{{Target}}","clientRef":"{{ClientRef129}}"}""", "clientRef", "MaximumLength" },
        { $$"""{"code":"{{Target}}","clientRef":"   "}""", "clientRef", "Predicate" },
        { $$"""{"code":"{{Target}}","clientRef":""}""", "clientRef", "Predicate" },
    };

    public static TheoryData<string, string> LoginUnreadableBodies => new()
    {
        { """{"code":5}""", "$.code" },
        { """{"code":true}""", "$.code" },
        { """{"code":{"text":"x"}}""", "$.code" },
        { $$"""{"code":"{{Target}}","clientRef":5}""", "$.clientRef" },
        { "{\"code\":\"" + Target + "\",\"clientRef\":{\"id\":1}}", "$.clientRef" },
        { $$"""[{"code":"{{Target}}"}]""", "$" },
        { "", "$" },
        { "null", "$" },
    };

    [Theory]
    [MemberData(nameof(CreateRuleFailures))]
    public async Task Create_returns_400_validation_naming_the_field_and_rule_when_a_rule_fails(string body, string field, string rule)
    {
        var response = await api.AdminClient.PostAsync(CreatePath, Json(body));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        AssertViolation(problem, field, rule);
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [MemberData(nameof(CreateUnreadableBodies))]
    public async Task Create_returns_400_malformed_request_naming_the_json_path_when_the_body_cannot_be_read(string body, string path)
    {
        var response = await api.AdminClient.PostAsync(CreatePath, Json(body));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Equal(path, problem.GetProperty("field").GetString());
        Assert.Contains(path, problem.GetProperty("detail").GetString());
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [MemberData(nameof(MalformedJson))]
    public async Task Create_and_login_return_400_malformed_request_when_the_body_is_not_json(string body)
    {
        var create = await api.AdminClient.PostAsync(CreatePath, Json(body));
        var login = await api.Client.PostAsync(LoginPath, Json(body));

        await Problems.AssertAsync(create, HttpStatusCode.BadRequest, "malformed-request");
        await Problems.AssertAsync(login, HttpStatusCode.BadRequest, "malformed-request");
        await AssertNothingWrittenAsync(api);
    }

    [Fact]
    public async Task Missing_or_null_body_is_reported_as_a_required_json_object_not_as_a_server_detail()
    {
        foreach (var body in new[] { "", "null" })
        {
            var response = await api.AdminClient.PostAsync(CreatePath, Json(body));

            var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
            var detail = problem.GetProperty("detail").GetString();
            Assert.Contains("JSON object", detail);
            Assert.DoesNotContain("Service", detail);
            Assert.DoesNotContain("parameter", detail);
        }
    }

    [Theory]
    [MemberData(nameof(LoginRuleFailures))]
    public async Task Login_returns_400_validation_naming_the_field_and_rule_when_a_rule_fails(string body, string field, string rule)
    {
        var response = await api.Client.PostAsync(LoginPath, Json(body.Replace(Target, _target)));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        AssertViolation(problem, field, rule);
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [MemberData(nameof(LoginUnreadableBodies))]
    public async Task Login_returns_400_malformed_request_naming_the_json_path_when_the_body_cannot_be_read(string body, string path)
    {
        var response = await api.Client.PostAsync(LoginPath, Json(body.Replace(Target, _target)));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Equal(path, problem.GetProperty("field").GetString());
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [InlineData(CreatePath, "text/plain")]
    [InlineData(CreatePath, "application/xml")]
    [InlineData(CreatePath, "application/x-www-form-urlencoded")]
    [InlineData(LoginPath, "text/plain")]
    public async Task Post_returns_415_problem_details_when_the_content_type_is_not_json(string path, string mediaType)
    {
        var content = new StringContent(
            $$"""{"code":"{{_target}}","type":"bulk","maxUsageCount":5}""", Encoding.UTF8, mediaType);

        var response = await api.AdminClient.PostAsync(path, content);

        // Routing answers 415 before any endpoint runs; the problem details customization gives it a stable type.
        await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await AssertNothingWrittenAsync(api);
    }

    [Fact]
    public async Task Admin_endpoint_returns_401_before_reading_a_malformed_body_when_the_key_is_missing()
    {
        var response = await api.Client.PostAsync(CreatePath, Json("{not json"));

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "api-key-missing");
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_get_stable_problem_types()
    {
        await Problems.AssertAsync(await api.Client.GetAsync("/api/no-such-route"), HttpStatusCode.NotFound, "not-found");
        await Problems.AssertAsync(await api.Client.DeleteAsync(LoginPath), HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Fact]
    public async Task Login_returns_400_not_500_when_the_client_ref_holds_a_nul_character()
    {
        var response = await api.Client.PostAsync(LoginPath, Json($$"""{"code":"{{_target}}","clientRef":"device\u0000one"}"""));

        // The database cannot store U+0000 in text; the validator refuses control characters before it is asked.
        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("clientRef", out _));
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [InlineData(CreatePath, "application/json; charset=bogus")]
    [InlineData(LoginPath, "application/json; charset=bogus")]
    [InlineData(LoginPath, "application/json; charset=x-unknown-7")]
    public async Task Post_returns_415_malformed_request_not_500_when_the_charset_is_unknown(string path, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"code":"{{_target}}","type":"bulk","maxUsageCount":5}"""));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await api.AdminClient.PostAsync(path, content);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.Contains("charset", problem.GetProperty("detail").GetString());
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [InlineData("AB", "Length")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Length")]
    [InlineData("a%20b", "RegularExpression")]
    [InlineData("a%3Bb", "RegularExpression")]
    [InlineData("%C3%84RGER", "RegularExpression")]
    public async Task Get_returns_400_validation_when_the_code_in_the_route_breaks_a_rule(string code, string rule)
    {
        var response = await api.Client.GetAsync($"/api/access-codes/{code}");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        AssertViolation(problem, "code", rule);
    }

    [Theory]
    [InlineData("not-a-guid", "end")]
    [InlineData("not-a-guid", "heartbeat")]
    [InlineData("123", "end")]
    [InlineData("00000000-0000-0000-0000-00000000000G", "heartbeat")]
    public async Task Session_routes_return_400_malformed_request_naming_the_parameter_when_the_id_is_not_a_guid(string id, string action)
    {
        var response = await api.Client.PostAsync($"/api/sessions/{id}/{action}", null);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Contains("sessionId", problem.GetProperty("detail").GetString());
        await AssertNothingWrittenAsync(api);
    }

    [Theory]
    [InlineData(CreatePath)]
    [InlineData(LoginPath)]
    public async Task Post_returns_413_payload_too_large_when_a_10_MB_body_declares_its_length(string path)
    {
        var response = await api.AdminClient.PostAsync(path, new ByteArrayContent(TenMegabyteBody)
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        });

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await AssertNothingWrittenAsync(api);
    }

    [Fact]
    public async Task Kestrel_host_runs_in_production_on_a_real_socket()
    {
        Assert.True(kestrel.Services.GetRequiredService<IHostEnvironment>().IsProduction());
        Assert.StartsWith("KestrelServer", kestrel.Services.GetRequiredService<IServer>().GetType().Name);
        var baseAddress = kestrel.Client.BaseAddress!;
        Assert.Equal("127.0.0.1", baseAddress.Host);
        Assert.NotEqual(0, baseAddress.Port);

        var health = await kestrel.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData(CreatePath, false)]
    [InlineData(CreatePath, true)]
    [InlineData(LoginPath, false)]
    [InlineData(LoginPath, true)]
    public async Task Kestrel_returns_413_payload_too_large_when_a_10_MB_body_is_uploaded(string path, bool chunked)
    {
        // Chunked: no declared length, so only Kestrel's limit, hit while the endpoint reads, can stop it.
        var response = await RawHttp.PostJsonAsync(
            kestrel.Client.BaseAddress!, path, TenMegabyteBody, chunked,
            new Dictionary<string, string> { ["X-Api-Key"] = CapacityApiFactory.AdminKey });

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await AssertNothingWrittenAsync(kestrel);
    }

    [Fact]
    public async Task Kestrel_returns_413_before_the_upload_when_an_http_client_expects_100_continue()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CreatePath)
        {
            Content = new ByteArrayContent(TenMegabyteBody) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            Headers = { ExpectContinue = true },
        };

        var response = await kestrel.AdminClient.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await AssertNothingWrittenAsync(kestrel);
    }

    [Fact]
    public async Task Kestrel_in_production_answers_malformed_json_with_problem_details_naming_the_path()
    {
        var response = await kestrel.AdminClient.PostAsync(
            CreatePath, Json("""{"code":"NEW-CODE","type":"bulk","maxUsageCount":"five"}"""));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Equal("$.maxUsageCount", problem.GetProperty("field").GetString());
        await AssertNothingWrittenAsync(kestrel);
    }

    [Fact]
    public async Task Kestrel_in_production_answers_a_truncated_chunked_body_with_problem_details()
    {
        var response = await RawHttp.PostJsonAsync(
            kestrel.Client.BaseAddress!, LoginPath, Encoding.UTF8.GetBytes("""{"code":"NEW-CO"""), chunked: true);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        await AssertNothingWrittenAsync(kestrel);
    }

    [Fact]
    public async Task Kestrel_in_production_answers_rule_failures_with_validation_problem_details()
    {
        var response = await kestrel.AdminClient.PostAsync(
            CreatePath, Json("""{"code":"NEW-CODE","type":"bulk","maxUsageCount":0}"""));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        AssertViolation(problem, "maxUsageCount", "InclusiveBetween");
        await AssertNothingWrittenAsync(kestrel);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task Kestrel_in_production_answers_a_missing_body_with_problem_details(string body)
    {
        var response = await kestrel.AdminClient.PostAsync(CreatePath, Json(body));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        await AssertNothingWrittenAsync(kestrel);
    }

    [Fact]
    public async Task Kestrel_in_production_answers_a_bad_route_value_with_problem_details()
    {
        var response = await kestrel.Client.PostAsync("/api/sessions/not-a-guid/end", null);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Contains("sessionId", problem.GetProperty("detail").GetString());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static void AssertViolation(JsonElement problem, string field, string rule)
    {
        Assert.True(
            problem.GetProperty("errors").TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0,
            $"errors names no '{field}': {problem}");
        Assert.Contains(
            problem.GetProperty("violations").EnumerateArray(),
            v => v.GetProperty("field").GetString() == field && v.GetProperty("rule").GetString() == rule);
    }

    /// <summary>Only the fixture's own code exists, with no seat taken and no session opened.</summary>
    private static async Task AssertNothingWrittenAsync(CapacityApiFactory host)
    {
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code NOT LIKE 'T-%'"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM sessions"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT coalesce(sum(usage_count), 0) FROM access_codes"));
    }
}
