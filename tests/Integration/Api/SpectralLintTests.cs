using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capacity.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// The live OpenAPI document passes Spectral (<c>build/lint-openapi</c>: the pinned spectral-cli and the repository's
/// .spectral.yaml, which extends spectral:oas): no error; warnings are printed to the test output and pass. The
/// script installs Spectral (and node) itself when missing; build/test installs it before the tests run, so no test
/// pays for npm. A missing or broken install fails here with the script's message, it never skips.
/// </summary>
public sealed class SpectralLintTests(CapacityApiFactory api, ITestOutputHelper output) : IClassFixture<CapacityApiFactory>
{
    private const string SecurityRule = "capacity-security-requirement-defined";

    /// <summary>A first install (npm ci, perhaps apt-get) fits in this; a lint takes a second or two.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    /// <summary>Indented as served, so Spectral's line numbers point somewhere readable.</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task Document_has_no_spectral_errors()
    {
        var (exitCode, lint) = await LintAsync(await DocumentTextAsync());

        Assert.True(exitCode == 0, $"build/lint-openapi exited with {exitCode} (Spectral found errors, or could not run):\n{lint}");
    }

    /// <summary>
    /// OpenAPI 3.1 lets an apiKey or http requirement list role names; the API lists the scope each operation
    /// needs that way. The ruleset must not call those undeclared scopes (spectral:oas's own rule does).
    /// </summary>
    [Fact]
    public async Task Scopes_on_api_key_and_bearer_requirements_pass()
    {
        var document = await DocumentAsync();
        var schemes = SecuritySchemes(document);
        schemes["LintApiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-Api-Key" };
        schemes["LintBearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer" };
        foreach (var operation in Operations(document))
        {
            operation["security"] = new JsonArray(
                new JsonObject { ["LintApiKey"] = new JsonArray("access-codes:write") },
                new JsonObject { ["LintBearer"] = new JsonArray("access-codes:write") });
        }

        var (exitCode, lint) = await LintAsync(document.ToJsonString(Indented));

        Assert.True(exitCode == 0, $"build/lint-openapi exited with {exitCode}:\n{lint}");
        Assert.DoesNotContain(SecurityRule, lint, StringComparison.Ordinal);
        Assert.DoesNotContain("must be listed among scopes", lint, StringComparison.Ordinal);
    }

    /// <summary>The rule that replaces spectral:oas's still fails a requirement naming a scheme nobody defined.</summary>
    [Fact]
    public async Task A_requirement_naming_an_undefined_scheme_is_an_error()
    {
        var document = await DocumentAsync();
        Operations(document).First()["security"] = new JsonArray(new JsonObject { ["NoSuchScheme"] = new JsonArray() });

        var (exitCode, lint) = await LintAsync(document.ToJsonString(Indented));

        Assert.True(exitCode == 1, $"build/lint-openapi exited with {exitCode}, expected 1 (an error):\n{lint}");
        Assert.Contains(SecurityRule, lint, StringComparison.Ordinal);
        Assert.Contains("\"NoSuchScheme\" is not a scheme defined in components.securitySchemes.", lint, StringComparison.Ordinal);
    }

    private async Task<string> DocumentTextAsync()
    {
        var response = await api.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<JsonObject> DocumentAsync() => JsonNode.Parse(await DocumentTextAsync())!.AsObject();

    private static JsonObject SecuritySchemes(JsonObject document)
    {
        var components = (document["components"] ??= new JsonObject()).AsObject();
        return (components["securitySchemes"] ??= new JsonObject()).AsObject();
    }

    private static IEnumerable<JsonObject> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(o => HttpMethods.Contains(o.Key)))
            .Select(o => o.Value!.AsObject())
            .ToList();

    /// <summary>Writes the document to a temporary file and runs build/lint-openapi on it; its stdout and stderr.</summary>
    private async Task<(int ExitCode, string Output)> LintAsync(string document)
    {
        var file = Path.Combine(Path.GetTempPath(), $"capacity-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            var script = Path.Combine(ApiProcess.RepositoryRoot(), "build", "lint-openapi");
            var start = new ProcessStartInfo(script)
            {
                WorkingDirectory = ApiProcess.RepositoryRoot(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(file);

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{script}: could not start the process.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"build/lint-openapi did not finish within {Timeout}:\n{await stdout}{await stderr}");
            }

            var lint = (await stdout).Replace(file, "<document>", StringComparison.Ordinal) + await stderr;
            output.WriteLine(lint);
            return (process.ExitCode, lint);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
